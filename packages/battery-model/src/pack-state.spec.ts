import { buildBatteryModelConfig } from './config';
import {
  initialPackModel,
  type PackModel,
  type PackState,
  reconfigurePackModel,
  updatePackModel,
} from './pack-state';
import type { PackReading } from '@tsbms/pack-reading';
import { makePackReading } from './testing';

const config = buildBatteryModelConfig({ moduleCount: 4, parallelStringCount: 2 });

function defined<T>(v: T | null | undefined): T {
  if (v === null || v === undefined) throw new Error('expected a value');
  return v;
}

const fold = (readings: PackReading[], model: PackModel = initialPackModel(config)): PackState[] => {
  const out: PackState[] = [];
  readings.reduce((m, r) => {
    const next = updatePackModel(m, r);
    out.push(defined(next.pack));
    return next;
  }, model);
  return out;
};

describe('pack model', () => {
  it('arranges modules in strings in address order and sums each string', () => {
    const [p] = fold([makePackReading(0, 4, (a) => ({ cellVoltagesV: Array(6).fill(3.8 + a * 0.01) }))]);
    expect(p.strings.map((s) => s.moduleAddresses)).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(p.modules.map((m) => [m.stringIndex, m.positionInString])).toEqual([
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ]);
    expect(p.strings[0].voltageV).toBeCloseTo(6 * 3.81 + 6 * 3.82, 9);
    expect(p.strings[1].voltageV).toBeCloseTo(6 * 3.83 + 6 * 3.84, 9);
    expect(p.packVoltageV).toBeCloseTo((6 * (3.81 + 3.82) + 6 * (3.83 + 3.84)) / 2, 9);
    expect(p.strings[1].statistics.minCell).toMatchObject({ value: 3.8 + 3 * 0.01, moduleAddress: 3 });
    expect(Object.isFrozen(p)).toBe(true);
    expect(Object.isFrozen(p.modules[0].cells[0])).toBe(true);
  });

  it('finds min/max cell and temperature with their location, mean and spread', () => {
    const [p] = fold([
      makePackReading(0, 4, (a) =>
        a === 2
          ? { cellVoltagesV: [3.9, 3.9, 3.7, 3.9, 3.9, 3.9], temperaturesC: [22, 31] }
          : a === 4
            ? { cellVoltagesV: [3.9, 3.9, 3.9, 3.9, 3.9, 4.0], temperaturesC: [18, 25] }
            : {},
      ),
    ]);
    const s = p.statistics;
    expect(s.minCell).toEqual({ value: 3.7, moduleAddress: 2, index: 2, stale: false });
    expect(s.maxCell).toEqual({ value: 4.0, moduleAddress: 4, index: 5, stale: false });
    expect(s.cellSpreadV).toBeCloseTo(0.3, 9);
    expect(s.meanCellVoltageV).toBeCloseTo((22 * 3.9 + 3.7 + 4.0) / 24, 9);
    expect(s.minTemperature).toMatchObject({ value: 18, moduleAddress: 4, index: 0 });
    expect(s.maxTemperature).toMatchObject({ value: 31, moduleAddress: 2, index: 1 });
    expect(s.knownCellCount).toBe(24);
  });

  it('keeps lifetime extremes per cell, module and pack', () => {
    const states = fold([
      makePackReading(0, 4, (a) => (a === 3 ? { cellVoltagesV: [4.05, 3.9, 3.9, 3.9, 3.9, 3.9] } : {})),
      makePackReading(500, 4, (a) =>
        a === 1 ? { cellVoltagesV: [3.9, 3.5, 3.9, 3.9, 3.9, 3.9], temperaturesC: [40, 5] } : {},
      ),
    ]);
    const p = states[1];
    expect(defined(p.statistics.maxCell).value).toBe(3.9);
    expect(p.statistics.lifetimeHighestCell).toMatchObject({ value: 4.05, moduleAddress: 3, index: 0 });
    expect(p.statistics.lifetimeLowestCell).toMatchObject({ value: 3.5, moduleAddress: 1, index: 1 });
    expect(p.statistics.lifetimeHighestTemperature).toMatchObject({ value: 40, moduleAddress: 1, index: 0 });
    expect(p.statistics.lifetimeLowestTemperature).toMatchObject({ value: 5, moduleAddress: 1, index: 1 });
    expect(p.modules[2].cells[0]).toMatchObject({ value: 3.9, highest: 4.05, lowest: 3.9 });
    expect(p.strings[1].statistics.lifetimeHighestCell).toMatchObject({ value: 4.05, moduleAddress: 3 });
    expect(p.moduleStatistics[2].lifetimeHighestCell).toMatchObject({ value: 4.05, index: 0 });
    expect(p.moduleStatistics[0].lifetimeLowestTemperature).toMatchObject({ value: 5, index: 1 });
    expect(p.moduleStatistics[1].lifetimeHighestCell?.value).toBe(3.9);
  });

  it('B-40/B-43: a missed module keeps last good values with their age, then reports unknown after commsTimeoutS', () => {
    const missing = (t: number) =>
      makePackReading(t, 4, (a) =>
        a === 2
          ? {
              commsOk: false,
              cellVoltagesV: Array(6).fill(null),
              temperaturesC: [null, null],
              moduleVoltageV: null,
              hardwareFlags: [],
            }
          : {},
      );
    const states = fold([
      makePackReading(0, 4, (a) =>
        a === 2 ? { hardwareFlags: ['CRC'], cellVoltagesV: Array(6).fill(3.95) } : {},
      ),
      missing(500),
      missing(10_000),
      missing(10_500),
    ]);
    const m = (i: number) => states[i].modules[1];
    expect(m(1)).toMatchObject({
      stale: true,
      commsOk: false,
      ageS: 0.5,
      missedScans: 1,
      goodScans: 0,
      offline: false,
    });
    expect(m(1).cells[0]).toMatchObject({ value: 3.95, ageS: 0.5, stale: true, implausible: false });
    expect(m(1).hardwareFlags).toEqual(['CRC']); // last good status is kept
    expect(states[1].statistics.maxCell).toMatchObject({ value: 3.95, moduleAddress: 2, stale: true });
    expect(states[1].staleModuleCount).toBe(1);
    expect(m(2)).toMatchObject({ ageS: 10, offline: false, missedScans: 2 });
    expect(m(2).cells[0].value).toBe(3.95);
    expect(m(3)).toMatchObject({ ageS: 10.5, offline: true, missedScans: 3 });
    expect(m(3).cells[0]).toMatchObject({ value: null, ageS: 10.5, highest: 3.95 });
    expect(states[3].strings[0].voltageV).toBeNull();
    expect(states[3].packVoltageV).toBeCloseTo(12 * 3.9, 9); // the other string
    expect(states[3].offlineModuleCount).toBe(1);
  });

  it('marks NaN, missing and flagged values implausible and keeps them out of the numbers', () => {
    const states = fold([
      makePackReading(0, 4),
      makePackReading(500, 4, (a) =>
        a === 1
          ? {
              cellVoltagesV: [Number.NaN, 3.9, 3.9, 3.9, 3.9], // NaN and a missing sixth cell
              temperaturesC: [null, 25],
              implausible: [{ quantity: 'temperature', index: 0, raw: 0x8000, reason: 'bit 15 set' }],
            }
          : {},
      ),
      makePackReading(1000, 4, (a) =>
        a === 1 ? { cellVoltagesV: [Number.NaN, 3.9, 3.9, 3.9, 3.9, 3.9] } : {},
      ),
    ]);
    const m = states[1].modules[0];
    expect(m.commsOk).toBe(true);
    expect(m.cells[0]).toMatchObject({ implausible: true, implausibleScans: 1, value: 3.9, stale: true });
    expect(m.cells[5]).toMatchObject({ implausible: true, value: 3.9 });
    expect(m.temperatures[0]).toMatchObject({ implausible: true, value: 25 });
    expect(m.implausible.map((v) => `${v.quantity}${v.index}`).sort()).toEqual([
      'cellVoltage0',
      'cellVoltage5',
      'temperature0',
    ]);
    expect(states[2].modules[0].cells[0].implausibleScans).toBe(2);
    expect(states[2].modules[0].cells[5]).toMatchObject({ implausible: false, implausibleScans: 0 });
    expect(states[2].statistics.meanCellVoltageV).toBeCloseTo(3.9, 9);
  });

  it('reports an empty pack, missing and unexpected modules, a NaN current', () => {
    const [empty, short, long] = fold([
      { timestampMs: 0, modules: [], currentA: Number.NaN },
      makePackReading(500, 3),
      makePackReading(1000, 5),
    ]);
    expect(empty.issues.map((i) => i.code)).toEqual(['EMPTY_PACK', 'CURRENT_NOT_A_NUMBER']);
    expect(empty.currentA).toBeNull();
    expect(empty.statistics.minCell).toBeNull();
    expect(empty.packVoltageV).toBeNull();
    expect(empty.soc.socPercent).toBeNull();
    expect(short.issues.map((i) => i.code)).toEqual(['MODULE_MISSING']);
    expect(short.modules[3].stale).toBe(true);
    expect(long.issues.map((i) => i.code)).toEqual(['MODULE_UNEXPECTED']);
    expect(long.modules).toHaveLength(4);
  });

  it('ignores a reading whose time does not advance, apart from reporting it', () => {
    const [a, b] = fold([
      makePackReading(1000, 4, () => ({}), { currentA: 5 }),
      makePackReading(1000, 4, () => ({ cellVoltagesV: Array(6).fill(3.0) })),
    ]);
    expect(b.issues.map((i) => i.code)).toEqual(['TIME_NOT_INCREASING']);
    expect(b.statistics).toBe(a.statistics);
    expect(b.scanCount).toBe(2);
  });

  it('computes capacity and energy, tracks the current and the bus voltage', () => {
    const [a, b] = fold([
      makePackReading(0, 4, () => ({}), { currentA: 10, busVoltageV: 46.5 }),
      makePackReading(500, 4, () => ({}), { currentA: null }),
    ]);
    expect(a.capacity.nameplateAh).toBe(464);
    expect(a.capacity.usableAh).toBeCloseTo(257, 0);
    expect(a.capacity.cellsInSeries).toBe(12);
    expect(a.capacity.nameplateEnergyWh).toBeCloseTo(464 * 12 * 3.8, 6);
    expect(a.capacity.usableEnergyWh).toBeCloseTo(a.capacity.usableAh * 12 * 3.8, 6);
    expect(a.capacity.remainingAh).toBeCloseTo(a.capacity.usableAh * 0.5702, 0);
    expect(a.currentA).toBe(10);
    expect(a.busVoltageV).toBe(46.5);
    expect(a.soc.method).toBe('coulombCounting');
    expect(b.currentA).toBeNull();
    expect(b.currentMeasuredAtMs).toBe(0);
    expect(b.soc.method).toBe('voltageBased');
  });
});

describe('reconfigurePackModel (live settings)', () => {
  const reading = (t: number) => makePackReading(t, 4, () => ({ cellVoltagesV: Array(6).fill(3.8) }));

  it('the next update runs on the new settings; the SoC carries over', () => {
    const before = updatePackModel(initialPackModel(config), reading(0));
    const larger = buildBatteryModelConfig({ moduleCount: 4, parallelStringCount: 2, moduleCapacityAh: 300 });
    const after = updatePackModel(reconfigurePackModel(before, larger), reading(1000));
    expect(defined(after.pack).capacity.nameplateAh).toBe(600);
    expect(defined(after.pack).soc.socPercent).toBe(defined(before.pack).soc.socPercent);
    expect(after.modules.map((m) => m.address)).toEqual(before.modules.map((m) => m.address));
  });

  it('refuses another module layout, naming the setting', () => {
    const model = initialPackModel(config);
    const other = buildBatteryModelConfig({ moduleCount: 6, parallelStringCount: 2 });
    expect(() => reconfigurePackModel(model, other)).toThrow(
      expect.objectContaining({ code: 'CONFIG_NOT_LIVE', path: 'moduleCount' }),
    );
  });
});
