import fc from 'fast-check';
import { ChangeDetector } from './change-detector';
import { formatValue, stateMessages } from './state-messages';
import { moduleFixture, statusFixture } from './testing/status-fixture';
import { mqttTopics } from './topics';

const topics = mqttTopics('garage/bms');

describe('topic layout', () => {
  it('puts everything under the prefix, cells and thermistors from 1', () => {
    expect(topics.availability).toBe('garage/bms/status');
    expect(topics.pack('soc')).toBe('garage/bms/pack/soc');
    expect(topics.module(3, 'voltage')).toBe('garage/bms/module/3/voltage');
    expect(topics.moduleTemperature(3, 2)).toBe('garage/bms/module/3/temperature/2');
    expect(topics.cell(3, 6, 'balancing')).toBe('garage/bms/cell/3/6/balancing');
    expect([topics.configSet, topics.faultsAck, topics.restart, topics.response]).toEqual([
      'garage/bms/cmd/config/set',
      'garage/bms/cmd/faults/ack',
      'garage/bms/cmd/restart',
      'garage/bms/cmd/response',
    ]);
  });
});

describe('formatValue', () => {
  it.each([
    [3.92161, 3, '3.922'],
    [47.0, 2, '47'],
    [-0.04, 1, '0'],
    [-1.25, 1, '-1.3'],
    [null, 1, 'None'],
    [Number.NaN, 1, 'None'],
  ])('%p at %p decimals is %p', (value, decimals, text) => {
    expect(formatValue(value, decimals)).toBe(text);
  });

  it('property: the payload parses back to the value within half a step', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1000, max: 1000, noNaN: true }),
        fc.integer({ min: 0, max: 3 }),
        (v, d) => {
          expect(Math.abs(Number(formatValue(v, d)) - v)).toBeLessThanOrEqual(0.5 * 10 ** -d + 1e-9);
        },
      ),
    );
  });
});

describe('stateMessages', () => {
  it('publishes pack, module, thermistor and cell values with their resolution', () => {
    const status = statusFixture({
      modules: [moduleFixture(1, 3.9216, true), { ...moduleFixture(2, 3.9), temperaturesC: [null, 30.04] }],
    });
    const state = stateMessages(topics, status);
    expect(Object.fromEntries([...state].filter(([t]) => t.includes('/pack/')))).toEqual({
      'garage/bms/pack/voltage': '47.04',
      'garage/bms/pack/current': '12.3',
      'garage/bms/pack/soc': '62.3',
      'garage/bms/pack/power': '580',
      'garage/bms/pack/energyCharged': '38.21',
      'garage/bms/pack/energyDischarged': '29.88',
      'garage/bms/pack/equivalentCycles': '2.87',
      'garage/bms/pack/timeToEmpty': 'None',
      'garage/bms/pack/timeToFull': '2.5',
      'garage/bms/pack/cellMinVoltage': '3.9',
      'garage/bms/pack/cellMaxVoltage': '3.922',
      'garage/bms/pack/temperatureMin': '24',
      'garage/bms/pack/temperatureMax': '30',
      'garage/bms/pack/chargeVoltageLimit': '49.2',
      'garage/bms/pack/chargeCurrentLimit': '100',
      'garage/bms/pack/dischargeCurrentLimit': '100',
      'garage/bms/pack/contactors': 'CLOSED',
      'garage/bms/pack/contactorsClosed': 'ON',
      'garage/bms/pack/fault': 'OFF',
      'garage/bms/pack/alert': 'OFF',
      'garage/bms/pack/faults': '[]',
      'garage/bms/pack/alerts': '[]',
      'garage/bms/pack/balancing': 'ON',
      'garage/bms/pack/heater': 'OFF',
      'garage/bms/pack/modulesOnline': '2',
    });
    expect(state.get('garage/bms/module/1/balancing')).toBe('ON');
    expect(state.get('garage/bms/module/2/balancing')).toBe('OFF');
    expect(state.get('garage/bms/module/2/temperature/1')).toBe('None');
    expect(state.get('garage/bms/module/2/temperature/2')).toBe('30');
    expect(state.get('garage/bms/cell/1/4/balancing')).toBe('ON');
    expect(state.get('garage/bms/cell/1/6/voltage')).toBe('3.922');
    // 25 pack values; per module voltage, comms, balancing, 2 thermistors, 6 × (voltage, balancing).
    expect(state.size).toBe(25 + 2 * (5 + 12));
  });

  it('discharging: negative power, the time to empty in hours and no time to full', () => {
    const state = stateMessages(
      topics,
      statusFixture({
        currentA: -60.5,
        powerW: -60.5 * 47.04,
        timeToGo: { toEmptyS: 5 * 3600 + 24 * 60, toFullS: null },
      }),
    );
    expect(state.get(topics.pack('current'))).toBe('-60.5');
    expect(state.get(topics.pack('power'))).toBe('-2846');
    expect(state.get(topics.pack('timeToEmpty'))).toBe('5.4');
    expect(state.get(topics.pack('timeToFull'))).toBe('None');
  });

  it('without a current sensor: current, power and times to go unknown, the saved counters still published', () => {
    const state = stateMessages(
      topics,
      statusFixture({ currentA: null, powerW: null, timeToGo: { toEmptyS: null, toFullS: null } }),
    );
    for (const field of ['current', 'power', 'timeToEmpty', 'timeToFull']) {
      expect(state.get(topics.pack(field))).toBe('None');
    }
    expect(state.get(topics.pack('energyCharged'))).toBe('38.21');
    expect(state.get(topics.pack('equivalentCycles'))).toBe('2.87');
  });

  it('lists faults and alerts with what raised them, not what holds now, which moves every scan', () => {
    const fault = {
      kind: 'cellOverVoltage',
      level: 'fault',
      location: { moduleAddress: 2, cellIndex: 2 },
      value: 4.17,
      threshold: 4.15,
      now: { value: 4.17, threshold: 4.15 },
      sinceMs: 5,
      latched: true,
      clearable: false,
    } as const;
    const status = statusFixture({
      faults: [fault],
      contactors: {
        state: 'OPEN',
        openReason: 'fault',
        relays: { negative: false, precharge: false, positive: false },
      },
    });
    const state = stateMessages(topics, status);
    expect(state.get(topics.pack('fault'))).toBe('ON');
    expect(state.get(topics.pack('contactorsClosed'))).toBe('OFF');
    expect(JSON.parse(state.get(topics.pack('faults')) ?? '')).toEqual([
      {
        kind: 'cellOverVoltage',
        level: 'fault',
        location: { moduleAddress: 2, cellIndex: 2 },
        value: 4.17,
        threshold: 4.15,
        latched: true,
        clearable: false,
        sinceMs: 5,
      },
    ]);
    const later = stateMessages(topics, {
      ...status,
      faults: [{ ...fault, now: { value: 3.9, threshold: 4.15 } }],
    });
    const detector = new ChangeDetector();
    detector.update(state, false);
    expect(detector.update(later, false)).toEqual([]);
  });

  it('before the first scan every quantity is unknown and no module is listed', () => {
    const state = stateMessages(
      topics,
      statusFixture({
        modules: [],
        packVoltageV: null,
        currentA: null,
        socPercent: null,
        powerW: null,
        energy: null,
        timeToGo: { toEmptyS: null, toFullS: null },
        limits: null,
        heater: null,
      }),
    );
    expect(state.get(topics.pack('voltage'))).toBe('None');
    expect(state.get(topics.pack('power'))).toBe('None');
    expect(state.get(topics.pack('energyCharged'))).toBe('None');
    expect(state.get(topics.pack('energyDischarged'))).toBe('None');
    expect(state.get(topics.pack('equivalentCycles'))).toBe('None');
    expect(state.get(topics.pack('cellMinVoltage'))).toBe('None');
    expect(state.get(topics.pack('heater'))).toBe('None');
    expect(state.get(topics.pack('modulesOnline'))).toBe('0');
    expect(state.size).toBe(25);
  });
});
