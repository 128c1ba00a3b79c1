import { activeFault, bmsStatus, moduleStatus } from '@tsbms/bms-core/testing';
import type { FaultEvent } from '@tsbms/fault-engine';
import { faultEventPoint, statusPoints, type InfluxPointSettings } from './influx-points';
import { encodePoint, integerField } from './line-protocol';
import { parseLine } from './testing';

const T = Date.UTC(2026, 11, 5, 12, 0, 0);
const ALL: InfluxPointSettings = { pack: 'garage', cells: true, temperatures: true };
const modules = [
  moduleStatus({
    address: 1,
    cellsV: [3.91, 3.9, 3.92, 3.9, 3.9, 3.89],
    temperaturesC: [21, null],
    balancing: [false, false, true, false, false, false],
  }),
  moduleStatus({ address: 2, cellsV: [3.9, 3.95, 3.9, 3.9, 3.9, 3.9], temperaturesC: [22.5, 23] }),
];
const status = bmsStatus({
  timestampMs: T,
  modules,
  packVoltageV: 46.87,
  currentA: -12.5,
  socPercent: 64,
  powerW: -585.9,
  faults: [activeFault({ kind: 'cellOverVoltage', level: 'fault' })],
  alerts: [
    activeFault({ kind: 'overTemperature', level: 'warning' }),
    activeFault({ kind: 'cellImbalance', level: 'info' }),
  ],
});

describe('statusPoints', () => {
  it('one tsbms_pack point with the status values, snake_case with units', () => {
    const [pack] = statusPoints(status, ALL);
    expect(pack).toEqual({
      measurement: 'tsbms_pack',
      tags: { pack: 'garage' },
      fields: {
        pack_voltage_v: 46.87,
        current_a: -12.5,
        power_w: -585.9,
        soc_percent: 64,
        soh_percent: 100,
        cvl_v: 49.2,
        ccl_a: 100,
        dcl_a: 100,
        contactors_closed: true,
        contactor_state: 'CLOSED',
        cell_min_voltage_v: 3.89,
        cell_max_voltage_v: 3.95,
        cell_spread_v: 3.95 - 3.89,
        temperature_min_c: 21,
        temperature_max_c: 23,
        faults_active: integerField(1),
        alerts_active: integerField(2),
        modules_found: integerField(2),
      },
      timestampMs: T,
    });
  });

  it('a tsbms_cell point per cell (module address, 1-based cell) and a tsbms_module_temperature point per thermistor', () => {
    const points = statusPoints(status, ALL);
    const cells = points.filter((p) => p.measurement === 'tsbms_cell');
    expect(cells).toHaveLength(12);
    expect(cells[2]).toEqual({
      measurement: 'tsbms_cell',
      tags: { pack: 'garage', module: '1', cell: '3' },
      fields: { voltage_v: 3.92, balancing: true },
      timestampMs: T,
    });
    expect(cells[7].tags).toEqual({ pack: 'garage', module: '2', cell: '2' });
    expect(cells[7].fields).toEqual({ voltage_v: 3.95, balancing: false });
    const temperatures = points.filter((p) => p.measurement === 'tsbms_module_temperature');
    expect(temperatures.map((p) => [p.tags.module, p.tags.sensor, p.fields.temperature_c])).toEqual([
      ['1', '1', 21],
      ['1', '2', null],
      ['2', '1', 22.5],
      ['2', '2', 23],
    ]);
    // The unknown thermistor has no field: the encoder leaves its point out.
    expect(temperatures.map(encodePoint).filter((line) => line !== null)).toHaveLength(3);
  });

  it('leaves out cells and thermistors when switched off', () => {
    expect(statusPoints(status, { ...ALL, cells: false }).map((p) => p.measurement)).not.toContain(
      'tsbms_cell',
    );
    expect(statusPoints(status, { ...ALL, temperatures: false }).map((p) => p.measurement)).not.toContain(
      'tsbms_module_temperature',
    );
    expect(statusPoints(status, { ...ALL, cells: false, temperatures: false })).toHaveLength(1);
  });

  it('leaves out the cells and thermistors of a module whose scan failed (its values are old)', () => {
    const stale = { ...status, modules: [{ ...modules[0], stale: true }, modules[1]] };
    const points = statusPoints(stale, ALL);
    expect(points.filter((p) => p.tags.module === '1')).toEqual([]);
    expect(points.filter((p) => p.tags.module === '2')).toHaveLength(8);
  });

  it('leaves null status values out (never 0), and writes the contactor state as it is', () => {
    const unknown = bmsStatus({
      timestampMs: T,
      modules: [],
      packVoltageV: null,
      currentA: null,
      socPercent: null,
      sohPercent: null,
      limits: null,
      discovery: { expected: 4, found: null },
      contactors: {
        state: 'PRECHARGE',
        openReason: 'startup',
        relays: { negative: true, precharge: true, positive: false },
      },
    });
    const [pack] = statusPoints(unknown, ALL);
    expect(encodePoint(pack)).toBe(
      `tsbms_pack,pack=garage contactors_closed=false,contactor_state="PRECHARGE",faults_active=0i,alerts_active=0i ${T}`,
    );
  });

  it('nothing before the first scan', () => {
    expect(statusPoints({ ...status, timestampMs: null }, ALL)).toEqual([]);
  });

  it('whole milliseconds (the writer posts precision=ms)', () => {
    expect(statusPoints({ ...status, timestampMs: T + 0.6 }, ALL)[0].timestampMs).toBe(T + 1);
  });
});

describe('faultEventPoint', () => {
  const event: FaultEvent = {
    type: 'raise',
    timestampMs: T,
    kind: 'cellOverVoltage',
    level: 'fault',
    location: { moduleAddress: 2, cellIndex: 2, quantity: 'cellVoltage' },
    value: 4.21,
    source: 'engine',
    latched: true,
  };

  it('a tsbms_fault point: kind, level, type and place as tags; value, latched and source as fields', () => {
    expect(faultEventPoint(event, 'garage')).toEqual({
      measurement: 'tsbms_fault',
      tags: {
        pack: 'garage',
        kind: 'cellOverVoltage',
        level: 'fault',
        type: 'raise',
        location: 'module 2 cell 3',
      },
      fields: { value: 4.21, latched: true, source: 'engine', detail: undefined, reason: undefined },
      timestampMs: T,
    });
  });

  it('two events of one kind in one scan at two places are two series, not one overwritten', () => {
    const other = { ...event, location: { moduleAddress: 2, cellIndex: 4 } };
    const series = [event, other].map((e) =>
      JSON.stringify(parseLine(encodePoint(faultEventPoint(e, 'garage')) ?? '').tags),
    );
    expect(new Set(series).size).toBe(2);
  });

  it('an acknowledge: the pack as place, no value, its channel and detail', () => {
    const point = faultEventPoint(
      {
        ...event,
        type: 'acknowledgeRejected',
        location: {},
        value: null,
        source: 'http',
        reason: 'still present',
        detail: 'x',
      },
      'garage',
    );
    expect(encodePoint(point)).toBe(
      `tsbms_fault,kind=cellOverVoltage,level=fault,location=pack,pack=garage,type=acknowledgeRejected latched=true,source="http",detail="x",reason="still present" ${T}`,
    );
  });
});
