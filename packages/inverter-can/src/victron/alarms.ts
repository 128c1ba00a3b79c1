/**
 * 0x35A alarms and warnings (victron-can-bms.md §3). Each item is a 2-bit pair at bit n of a byte;
 * alarms in bytes 0..3, warnings at the same positions in bytes 4..7.
 * Pair value: 0 or 3 = not supported, 1 = active, 2 = OK.
 */

export type VictronAlarmItem =
  | 'general'
  | 'highVoltage'
  | 'lowVoltage'
  | 'highTemperature'
  | 'lowTemperature'
  | 'highTemperatureCharging'
  | 'lowTemperatureCharging'
  | 'highDischargeCurrent'
  | 'highChargeCurrent'
  | 'contactor'
  | 'shortCircuit'
  | 'bmsInternal'
  | 'cellImbalance';

/** Byte (0..3) and bit (0, 2, 4, 6) of each item's alarm pair; the warning pair is 4 bytes later. */
export const ALARM_ITEM_POSITIONS: Readonly<Record<VictronAlarmItem, readonly [number, number]>> = {
  general: [0, 0],
  highVoltage: [0, 2],
  lowVoltage: [0, 4],
  highTemperature: [0, 6],
  lowTemperature: [1, 0],
  highTemperatureCharging: [1, 2],
  lowTemperatureCharging: [1, 4],
  highDischargeCurrent: [1, 6],
  highChargeCurrent: [2, 0],
  contactor: [2, 2],
  shortCircuit: [2, 4],
  bmsInternal: [2, 6],
  cellImbalance: [3, 0],
};

/** The system-status pair exists only among the warnings: byte 7, bit 2. */
const SYSTEM_STATUS_POSITION: readonly [number, number] = [7, 2];

const PAIR_ACTIVE = 1;
const PAIR_OK = 2;

/** What tsBMS reports for one item: the fault level of its sources. */
export type AlarmLevel = 'ok' | 'warning' | 'alarm';

/** Items absent from `levels` are sent as "not supported" (V-9). */
export interface AlarmState {
  readonly levels: Partial<Record<VictronAlarmItem, AlarmLevel>>;
  /** true: contactors closed (or no fault with contactor control off); false: open. */
  readonly systemOnline: boolean;
}

function writePair(bytes: Uint8Array, [byte, bit]: readonly [number, number], value: number): void {
  bytes[byte] |= value << bit;
}

export function encodeAlarmPayload(state: AlarmState): Uint8Array {
  const bytes = new Uint8Array(8);
  for (const [item, level] of Object.entries(state.levels) as Array<[VictronAlarmItem, AlarmLevel]>) {
    const [byte, bit] = ALARM_ITEM_POSITIONS[item];
    // An alarm is also a warning: at fault level both pairs are active.
    writePair(bytes, [byte, bit], level === 'alarm' ? PAIR_ACTIVE : PAIR_OK);
    writePair(bytes, [byte + 4, bit], level === 'ok' ? PAIR_OK : PAIR_ACTIVE);
  }
  writePair(bytes, SYSTEM_STATUS_POSITION, state.systemOnline ? PAIR_OK : PAIR_ACTIVE);
  return bytes;
}

export type PairMeaning = 'unsupported' | 'active' | 'ok';

export interface DecodedAlarmItem {
  readonly alarm: PairMeaning;
  readonly warning: PairMeaning;
}

export interface DecodedAlarms {
  readonly items: Readonly<Record<VictronAlarmItem, DecodedAlarmItem>>;
  readonly systemStatus: PairMeaning;
}

function readPair(bytes: Uint8Array, [byte, bit]: readonly [number, number]): PairMeaning {
  const value = byte < bytes.length ? (bytes[byte] >> bit) & 3 : 0;
  return value === PAIR_ACTIVE ? 'active' : value === PAIR_OK ? 'ok' : 'unsupported';
}

export function decodeAlarmPayload(bytes: Uint8Array): DecodedAlarms {
  const items = {} as Record<VictronAlarmItem, DecodedAlarmItem>;
  for (const [item, [byte, bit]] of Object.entries(ALARM_ITEM_POSITIONS) as Array<
    [VictronAlarmItem, readonly [number, number]]
  >) {
    items[item] = { alarm: readPair(bytes, [byte, bit]), warning: readPair(bytes, [byte + 4, bit]) };
  }
  return { items, systemStatus: readPair(bytes, SYSTEM_STATUS_POSITION) };
}

/** The level Venus shows for an item, or undefined when it is not supported. */
export function alarmLevelOf(item: DecodedAlarmItem): AlarmLevel | undefined {
  if (item.alarm === 'active') return 'alarm';
  if (item.warning === 'active') return 'warning';
  if (item.alarm === 'ok' || item.warning === 'ok') return 'ok';
  return undefined;
}
