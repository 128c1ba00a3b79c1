import type { BmsStatus } from '@tsbms/bms-core';
import { formatStatus } from './format-status';

const status: BmsStatus = {
  timestampMs: 1000,
  discovery: { expected: 2, found: 2 },
  modules: [
    {
      address: 1,
      stringIndex: 0,
      commsOk: true,
      stale: false,
      ageS: 0,
      voltageV: 23.61,
      temperaturesC: [24, 26.04],
      cells: [3.9, 3.95, 3.9, 4.001, 3.9, 3.9].map((voltageV, i) => ({ voltageV, balancing: i === 3 })),
      balanceTimerRunning: true,
      hardwareFlags: [],
    },
    {
      address: 2,
      stringIndex: 0,
      commsOk: false,
      stale: true,
      ageS: 12,
      voltageV: null,
      temperaturesC: [null, null],
      cells: Array.from({ length: 6 }, () => ({ voltageV: null, balancing: false })),
      balanceTimerRunning: false,
      hardwareFlags: [],
    },
  ],
  extremes: {
    lowestCell: { voltageV: 3.9, moduleAddress: 1, cellIndex: 0 },
    highestCell: { voltageV: 4.001, moduleAddress: 1, cellIndex: 3 },
    lowestTemperature: { temperatureC: 24, moduleAddress: 1, sensorIndex: 0 },
    highestTemperature: { temperatureC: 26.04, moduleAddress: 1, sensorIndex: 1 },
    cellSpreadV: 4.001 - 3.9,
  },
  strings: [{ index: 0, moduleAddresses: [1, 2], voltageV: null }],
  packVoltageV: null,
  currentA: null,
  socPercent: 61.25,
  sohPercent: 97,
  powerW: null,
  energy: {
    chargedAh: 25_812.34,
    dischargedAh: 23_001.5,
    chargedWh: 1_234_567,
    dischargedWh: 1_100_049,
    equivalentCycles: 89.526,
  },
  timeToGo: { toEmptyS: null, toFullS: null },
  faults: [
    {
      kind: 'cellOverVoltage',
      level: 'fault',
      location: { moduleAddress: 1, cellIndex: 3 },
      value: 4.17,
      now: { value: 3.9 },
      sinceMs: 900,
      latched: true,
      clearable: false,
    },
  ],
  alerts: [
    {
      kind: 'moduleCommsLoss',
      level: 'warning',
      location: { moduleAddress: 2 },
      value: 12,
      now: null,
      sinceMs: 500,
      latched: false,
      clearable: false,
    },
  ],
  contactors: {
    state: 'OPEN',
    openReason: 'fault',
    relays: { negative: false, precharge: false, positive: false },
  },
  limits: { cvlV: 47.1, cclA: 0, dclA: 0 },
  heater: { on: false, blockedBy: null },
  comms: {
    framesOk: 40,
    crcErrors: 0,
    badFrames: 0,
    echoMismatches: 0,
    timeouts: 3,
    noSuchModule: 0,
    retries: 2,
    linkErrors: 0,
    bytesSent: 400,
    bytesReceived: 900,
    droppedBytes: 0,
  },
  outputs: {},
  stateFile: null,
  notices: ['hardware protection off: software limits only'],
};

describe('formatStatus', () => {
  it('prints modules, balancing marks, unknown values, contactors, limits and faults with their location', () => {
    expect(formatStatus(status)).toBe(
      [
        'modules: 2 found of 2',
        '   1: 23.61 V  cells 3.900  3.950  3.900  4.001* 3.900  3.900   24.0 °C / 26.0 °C',
        '   2:     ? V  cells     ?      ?      ?      ?      ?      ?   ? / ?  NO REPLY',
        'pack:     ? V, ? A, ? W, SoC 61.3 %',
        'time to go: ?',
        'energy: charged 1234.6 kWh (25812.3 Ah), discharged 1100.0 kWh (23001.5 Ah), 89.53 equivalent cycles',
        'contactors: OPEN (fault)',
        'limits: CVL 47.1 V, CCL 0.0 A, DCL 0.0 A',
        'fault cellOverVoltage at module 1 cell 4',
        'warning moduleCommsLoss at module 2',
        'note: hardware protection off: software limits only',
        '',
      ].join('\n'),
    );
  });

  it('prints current, power and the time to empty or to full (h:mm) of a pack with a current sensor', () => {
    const packLines = (fields: Partial<BmsStatus>) =>
      formatStatus({ ...status, packVoltageV: 47.04, ...fields })
        .split('\n')
        .filter((line) => /^(pack|time to go):/.test(line));
    expect(
      packLines({ currentA: -60.54, powerW: -60.54 * 47.04, timeToGo: { toEmptyS: 7470, toFullS: null } }),
    ).toEqual(['pack: 47.04 V, -60.5 A, -2848 W, SoC 61.3 %', 'time to go: 2:05 to empty']);
    expect(
      packLines({ currentA: 12.3, powerW: 12.3 * 47.04, timeToGo: { toEmptyS: null, toFullS: 26 * 3600 } }),
    ).toEqual(['pack: 47.04 V, 12.3 A, 579 W, SoC 61.3 %', 'time to go: 26:00 to full']);
  });

  it('prints what raised a fault and, when it says something else, what holds now', () => {
    const counted = (now: string) =>
      formatStatus({
        ...status,
        faults: [
          {
            kind: 'moduleCountMismatch',
            level: 'fault',
            location: {},
            value: 3,
            detail: 'discovered 3, configured 4',
            now: { value: 4, detail: now },
            sinceMs: 900,
            latched: true,
            clearable: true,
          },
        ],
      })
        .split('\n')
        .filter((line) => line.includes('moduleCountMismatch'));
    expect(counted('discovered 4, configured 4')).toEqual([
      'fault moduleCountMismatch at pack (discovered 3, configured 4; now: discovered 4, configured 4)',
    ]);
    expect(counted('discovered 3, configured 4')).toEqual([
      'fault moduleCountMismatch at pack (discovered 3, configured 4)',
    ]);
  });

  it('has no energy line before the first scan', () => {
    expect(formatStatus({ ...status, energy: null })).not.toMatch(/^energy:/m);
  });
});
