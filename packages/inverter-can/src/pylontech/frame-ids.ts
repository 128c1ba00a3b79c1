/** CAN identifiers of the Pylontech low-voltage CAN protocol (docs/pylontech-can.md §2, §5). */
export const PylontechFrameId = {
  CHARGE_LIMITS: 0x351,
  STATE_OF_CHARGE: 0x355,
  MEASUREMENTS: 0x356,
  PROTECTION_ALARMS: 0x359,
  REQUEST_FLAGS: 0x35c,
  MANUFACTURER: 0x35e,
  /** From the inverter: its reply, once a second (8 × 0x00 in Pylontech's V1.2 document). */
  INVERTER_REPLY: 0x305,
} as const;

/** What a Pylontech battery puts in 0x35E, padded with spaces to 8 bytes (P-4). */
export const PYLONTECH_MANUFACTURER_NAME = 'PYLON';
