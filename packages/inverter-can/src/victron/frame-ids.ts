/** CAN identifiers of the Victron CAN-bus BMS protocol (victron-can-bms.md §2, §5). */
export const VictronFrameId = {
  CHARGE_LIMITS: 0x351,
  STATE_OF_CHARGE: 0x355,
  MEASUREMENTS: 0x356,
  ALARMS: 0x35a,
  MANUFACTURER: 0x35e,
  IDENTITY: 0x35f,
  NAME_PART1: 0x370,
  NAME_PART2: 0x371,
  MODULE_COUNTS: 0x372,
  CELL_EXTREMES: 0x373,
  LOWEST_CELL_ID: 0x374,
  HIGHEST_CELL_ID: 0x375,
  LOWEST_TEMPERATURE_ID: 0x376,
  HIGHEST_TEMPERATURE_ID: 0x377,
  ENERGY: 0x378,
  INSTALLED_CAPACITY: 0x379,
  SERIAL_PART1: 0x380,
  SERIAL_PART2: 0x381,
  PRODUCT_FAMILY: 0x382,
  /** From the GX: keep-alive. */
  GX_KEEP_ALIVE: 0x305,
  /** From the GX: identifies a Victron device. */
  GX_IDENTITY: 0x307,
} as const;

/** u16 "not available" (§1). */
export const NOT_AVAILABLE_U16 = 0xffff;
