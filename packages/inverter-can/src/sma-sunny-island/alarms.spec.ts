import fc from 'fast-check';
import { ALARM_ITEM_POSITIONS, alarmLevelOf, type AlarmLevel } from '../victron/alarms';
import {
  decodeSmaAlarmPayload,
  encodeSmaAlarmPayload,
  type SmaAlarmItem,
  type SmaAlarmState,
} from './alarms';

const hex = (data: Uint8Array) =>
  Array.from(data, (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
const bytes = (text: string) => Uint8Array.from(text.split(' ').map((b) => parseInt(b, 16)));

const allOk: SmaAlarmState['levels'] = {
  highVoltage: 'ok',
  lowVoltage: 'ok',
  highTemperature: 'ok',
  lowTemperature: 'ok',
  highDischargeCurrent: 'ok',
  highChargeCurrent: 'ok',
  bmsInternal: 'ok',
  cellImbalance: 'ok',
};

// Each vector: [name, state, wire, source].
const vectors: Array<[string, SmaAlarmState, string, string]> = [
  [
    'nothing signalled',
    { levels: {} },
    '00 00 00 00 00 00 00 00',
    // Capture-equivalent: the 0x35A that madsci1016/SMAVenusDriver (dbus-sma.py), syssi/esphome-virtual-can-bms
    // (send_frame_0x035a_) and ubuntu11/solardirector (agents/si/can.c) send to working Sunny Islands.
    'SMAVenusDriver / esphome-virtual-can-bms / solardirector',
  ],
  [
    'all supported items OK',
    { levels: allOk },
    // docs/victron-can-bms.md §8 tsBMS vector A8 82 82 02 A8 82 82 0A without Victron's
    // system-status pair (byte 7 bits 2-3), which SMA reserves.
    'A8 82 82 02 A8 82 82 02',
    'built from the SMA TI §5.3 bit table (FSS-ConnectingBat-TI-en-10)',
  ],
  [
    'battery high voltage alarm (External Alarm 2 arrive, byte 0 bit 2)',
    { levels: { ...allOk, highVoltage: 'alarm' } },
    'A4 82 82 02 A4 82 82 02',
    'built from the SMA TI §5.3 bit table: byte 0 bit 2 = arrive',
  ],
  [
    'cell imbalance warning only (External Warning 13 arrive, byte 7 bit 0)',
    { levels: { ...allOk, cellImbalance: 'warning' } },
    'A8 82 82 02 A8 82 82 01',
    'built from the SMA TI §5.3 bit table: byte 7 bit 0 = warning arrive',
  ],
];

describe('0x35A on a Sunny Island (S-5)', () => {
  it.each(vectors)('encodes %s', (_name, state, wire) => {
    expect(hex(encodeSmaAlarmPayload(state))).toBe(wire);
  });

  it.each(vectors)('decodes %s', (_name, state, wire) => {
    const decoded = decodeSmaAlarmPayload(bytes(wire));
    for (const item of Object.keys(ALARM_ITEM_POSITIONS) as SmaAlarmItem[]) {
      expect([item, alarmLevelOf(decoded.items[item])]).toEqual([item, state.levels[item]]);
    }
  });

  it('never sets the reserved pairs: bytes 3 and 7, bits 2-7', () => {
    const everyItem = Object.fromEntries(
      (Object.keys(ALARM_ITEM_POSITIONS) as SmaAlarmItem[]).map((item) => [item, 'alarm']),
    );
    const data = encodeSmaAlarmPayload({ levels: everyItem });
    expect(data[3] & 0xfc).toBe(0);
    expect(data[7] & 0xfc).toBe(0);
  });

  it('every combination of levels survives a round trip (property)', () => {
    const items = Object.keys(ALARM_ITEM_POSITIONS) as SmaAlarmItem[];
    const level = fc.constantFrom<AlarmLevel | undefined>('ok', 'warning', 'alarm', undefined);
    fc.assert(
      fc.property(fc.array(level, { minLength: items.length, maxLength: items.length }), (levels) => {
        const state: SmaAlarmState = {
          levels: Object.fromEntries(items.flatMap((item, i) => (levels[i] ? [[item, levels[i]]] : []))),
        };
        const data = encodeSmaAlarmPayload(state);
        expect(data[7] & 0x0c).toBe(0);
        const decoded = decodeSmaAlarmPayload(data);
        items.forEach((item, i) => expect(alarmLevelOf(decoded.items[item])).toBe(levels[i]));
      }),
    );
  });
});
