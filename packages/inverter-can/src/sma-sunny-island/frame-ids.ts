/**
 * CAN identifiers an external BMS sends to an SMA Sunny Island (docs/sma-sunny-island-can.md §2).
 * SMA forbids any other identifier on the Sunny Island's bus (S-1), so this is the whole set.
 */
export const SmaFrameId = {
  CHARGE_LIMITS: 0x351,
  STATE_OF_CHARGE: 0x355,
  MEASUREMENTS: 0x356,
  ALARMS: 0x35a,
  MANUFACTURER: 0x35e,
  BATTERY_INFO: 0x35f,
} as const;

/** SMA's "invalid" markers: the Sunny Island resets such a field to its default (S-2). */
export const SMA_INVALID_UNSIGNED = 0xffff;
export const SMA_INVALID_SIGNED = -0x8000;
