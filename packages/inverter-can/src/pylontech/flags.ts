import type { PayloadReader, PayloadWriter } from '../field-codec';

/**
 * Where each flag lives: [byte offset in the frame, bit number (0 = least significant)].
 * Positions from Pylontech's "CAN Bus Protocol" V1.2 (2018-04-08), tables 1–5 (pylontech-can.md §3).
 */
export type PylontechBitTable<K extends string> = Readonly<Record<K, readonly [byte: number, bit: number]>>;

export type PylontechFlags<K extends string> = Readonly<Record<K, boolean>>;

/** 0x359 bytes 0–1: protection (the battery has acted, or will). */
export const PYLONTECH_PROTECTION_BITS = {
  overVoltage: [0, 1],
  underVoltage: [0, 2],
  overTemperature: [0, 3],
  underTemperature: [0, 4],
  dischargeOverCurrent: [0, 7],
  chargeOverCurrent: [1, 0],
  systemError: [1, 3],
} as const satisfies PylontechBitTable<string>;

/** 0x359 bytes 2–3: alarms (warnings), at the same bits as the protection items they precede. */
export const PYLONTECH_ALARM_BITS = {
  highVoltage: [2, 1],
  lowVoltage: [2, 2],
  highTemperature: [2, 3],
  lowTemperature: [2, 4],
  dischargeHighCurrent: [2, 7],
  chargeHighCurrent: [3, 0],
  internalCommunicationFail: [3, 3],
} as const satisfies PylontechBitTable<string>;

/** 0x35C byte 0: what the battery allows and asks for. */
export const PYLONTECH_REQUEST_BITS = {
  chargeEnable: [0, 7],
  dischargeEnable: [0, 6],
  /** "Request force charge I": the inverter may let the battery shut down and wake it to charge. */
  forceChargeI: [0, 5],
  /** "Request force charge II": charge before the battery shuts down (V1.1 on). */
  forceChargeII: [0, 4],
  /** "Request full charge": SoC has not reached 97 % in 30 days (V1.2 on). */
  fullCharge: [0, 3],
} as const satisfies PylontechBitTable<string>;

export type PylontechProtectionFlags = PylontechFlags<keyof typeof PYLONTECH_PROTECTION_BITS>;
export type PylontechAlarmFlags = PylontechFlags<keyof typeof PYLONTECH_ALARM_BITS>;
export type PylontechRequestFlags = PylontechFlags<keyof typeof PYLONTECH_REQUEST_BITS>;

const entries = <K extends string>(table: PylontechBitTable<K>) =>
  Object.entries(table) as Array<[K, readonly [number, number]]>;

/** Writes every flag of the table; a value that is not a boolean throws FrameEncodeError naming it. */
export function writePylontechFlags<K extends string>(
  writer: PayloadWriter,
  table: PylontechBitTable<K>,
  flags: PylontechFlags<K>,
): PayloadWriter {
  for (const [name, [byte, bit]] of entries(table)) writer.flag(byte, bit, name, flags[name]);
  return writer;
}

/** Reads every flag of the table; a bit beyond the end of a short frame reads as not set. */
export function readPylontechFlags<K extends string>(
  reader: PayloadReader,
  table: PylontechBitTable<K>,
): PylontechFlags<K> {
  const flags = {} as Record<K, boolean>;
  for (const [name, [byte, bit]] of entries(table)) flags[name] = reader.flag(byte, bit) ?? false;
  return flags;
}
