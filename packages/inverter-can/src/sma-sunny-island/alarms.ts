import {
  decodeAlarmPayload,
  encodeAlarmPayload,
  type AlarmLevel,
  type DecodedAlarmItem,
  type VictronAlarmItem,
} from '../victron/alarms';

/**
 * 0x35A on a Sunny Island (docs/sma-sunny-island-can.md §3). SMA's "External Alarm/Warning 1..13"
 * are Victron's 13 items at the same bit pairs: the first bit of a pair is "arrive" (pair value 1,
 * active), the second "leave" (2, OK); 0 and 3 change nothing. So the Victron encoder is reused (S-5).
 */
export type SmaAlarmItem = VictronAlarmItem;

/** Items absent from `levels` are sent as 0 (the Sunny Island ignores the pair). */
export interface SmaAlarmState {
  readonly levels: Partial<Record<SmaAlarmItem, AlarmLevel>>;
}

/** Byte 7, bits 2-3: Victron's system-status pair; SMA reserves it ("not to be used by the external BMS"). */
const RESERVED_BYTE = 7;
const RESERVED_PAIR_MASK = 0x0c;

export function encodeSmaAlarmPayload(state: SmaAlarmState): Uint8Array {
  // The Victron encoder always writes its system-status pair; clearing it leaves exactly SMA's layout.
  const bytes = encodeAlarmPayload({ levels: state.levels, systemOnline: true });
  bytes[RESERVED_BYTE] &= ~RESERVED_PAIR_MASK;
  return bytes;
}

export interface DecodedSmaAlarms {
  readonly items: Readonly<Record<SmaAlarmItem, DecodedAlarmItem>>;
}

/** Reads every item's pair; reserved bits are not reported. Never throws; missing bytes read as 0. */
export function decodeSmaAlarmPayload(bytes: Uint8Array): DecodedSmaAlarms {
  return { items: decodeAlarmPayload(bytes).items };
}
