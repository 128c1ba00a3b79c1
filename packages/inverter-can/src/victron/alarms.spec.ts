import fc from 'fast-check';
import {
  ALARM_ITEM_POSITIONS,
  alarmLevelOf,
  decodeAlarmPayload,
  encodeAlarmPayload,
  type AlarmLevel,
  type AlarmState,
  type VictronAlarmItem,
} from './alarms';

const hex = (data: Uint8Array) =>
  Array.from(data, (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
const bytes = (text: string) => Uint8Array.from(text.split(' ').map((b) => parseInt(b, 16)));

const allOk = (withCurrentSensor: boolean): AlarmState['levels'] => ({
  highVoltage: 'ok',
  lowVoltage: 'ok',
  highTemperature: 'ok',
  lowTemperature: 'ok',
  bmsInternal: 'ok',
  cellImbalance: 'ok',
  ...(withCurrentSensor ? { highDischargeCurrent: 'ok', highChargeCurrent: 'ok' } : {}),
});

// victron-can-bms.md §8, tsBMS 0x35A vectors.
const vectors: Array<[string, AlarmState, string]> = [
  ['all OK, contactors closed', { levels: allOk(true), systemOnline: true }, 'A8 82 82 02 A8 82 82 0A'],
  ['same, no current sensor', { levels: allOk(false), systemOnline: true }, 'A8 02 80 02 A8 02 80 0A'],
  [
    'cell over-voltage alarm, contactors open',
    { levels: { ...allOk(true), highVoltage: 'alarm' }, systemOnline: false },
    'A4 82 82 02 A4 82 82 06',
  ],
  [
    'BMS internal alarm (comms loss), contactors open',
    { levels: { ...allOk(true), bmsInternal: 'alarm' }, systemOnline: false },
    'A8 82 42 02 A8 82 42 06',
  ],
];

describe('0x35A encoding', () => {
  it.each(vectors)('encodes %s', (_name, state, expected) => {
    expect(hex(encodeAlarmPayload(state))).toBe(expected);
  });

  it.each(vectors)('decodes %s back to the same levels', (_name, state, wire) => {
    const decoded = decodeAlarmPayload(bytes(wire));
    for (const item of Object.keys(ALARM_ITEM_POSITIONS) as VictronAlarmItem[]) {
      expect([item, alarmLevelOf(decoded.items[item])]).toEqual([item, state.levels[item]]);
    }
    expect(decoded.systemStatus).toBe(state.systemOnline ? 'ok' : 'active');
  });

  it('a warning sets only the warning pair', () => {
    const data = encodeAlarmPayload({
      levels: { ...allOk(true), lowTemperature: 'warning' },
      systemOnline: true,
    });
    expect(hex(data)).toBe('A8 82 82 02 A8 81 82 0A');
  });
});

describe('0x35A captures', () => {
  it('Victron example: nothing supported', () => {
    const decoded = decodeAlarmPayload(bytes('00 00 00 00 00 00 00 00'));
    expect(Object.values(decoded.items).every((i) => alarmLevelOf(i) === undefined)).toBe(true);
    expect(decoded.systemStatus).toBe('unsupported');
  });

  it('BYD: all supported and OK', () => {
    const decoded = decodeAlarmPayload(bytes('AA AA AA AA AA AA AA AA'));
    expect(Object.values(decoded.items).every((i) => alarmLevelOf(i) === 'ok')).toBe(true);
  });

  it('BYD: byte 0 pair 2 = 1 is a low-voltage alarm', () => {
    const decoded = decodeAlarmPayload(bytes('10 00 00 00 00 00 00 00'));
    expect(decoded.items.lowVoltage).toEqual({ alarm: 'active', warning: 'unsupported' });
    expect(alarmLevelOf(decoded.items.lowVoltage)).toBe('alarm');
    expect(alarmLevelOf(decoded.items.highVoltage)).toBeUndefined();
  });
});

describe('0x35A round trip (property)', () => {
  const items = Object.keys(ALARM_ITEM_POSITIONS) as VictronAlarmItem[];
  const level = fc.constantFrom<AlarmLevel | undefined>('ok', 'warning', 'alarm', undefined);

  it('every combination of levels survives encode/decode; unsupported items stay 0', () => {
    fc.assert(
      fc.property(
        fc.array(level, { minLength: items.length, maxLength: items.length }),
        fc.boolean(),
        (levels, online) => {
          const state: AlarmState = {
            levels: Object.fromEntries(items.flatMap((item, i) => (levels[i] ? [[item, levels[i]]] : []))),
            systemOnline: online,
          };
          const data = encodeAlarmPayload(state);
          const decoded = decodeAlarmPayload(data);
          items.forEach((item, i) => {
            expect(alarmLevelOf(decoded.items[item])).toBe(levels[i]);
            if (!levels[i])
              expect(decoded.items[item]).toEqual({ alarm: 'unsupported', warning: 'unsupported' });
          });
          expect(decoded.systemStatus).toBe(online ? 'ok' : 'active');
        },
      ),
    );
  });
});
