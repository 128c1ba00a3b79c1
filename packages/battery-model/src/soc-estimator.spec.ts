import fc from 'fast-check';
import { buildBatteryModelConfig } from './config';
import { windowSocPercent } from './ocv-table';
import {
  initialSocState,
  type PersistedSoc,
  type SocEstimatorState,
  type SocSample,
  stepSoc,
  usableAhAtFullHealth,
} from './soc-estimator';

const config = buildBatteryModelConfig({ moduleCount: 2, parallelStringCount: 1 });
const usableAh = usableAhAtFullHealth(config);
const SOC_AT_3V9 = windowSocPercent(config.ocvTable, 3.9, 3.6, 4.1); // B-30 example: 57.0 %

const sample = (
  timestampMs: number,
  currentA: number | null,
  cellV = 3.9,
  extra: Partial<SocSample> = {},
): SocSample => ({
  timestampMs,
  meanCellV: cellV,
  maxCellV: cellV,
  minCellV: cellV,
  currentA,
  ...extra,
});

const run = (samples: SocSample[], persisted?: PersistedSoc): SocEstimatorState[] => {
  const states: SocEstimatorState[] = [];
  samples.reduce((s, x) => {
    const next = stepSoc(s, x, config);
    states.push(next);
    return next;
  }, initialSocState(persisted));
  return states;
};
const last = <T>(xs: T[]): T => xs[xs.length - 1];

function defined<T>(v: T | null | undefined): T {
  if (v === null || v === undefined) throw new Error('expected a value');
  return v;
}

/** Samples every `stepS` seconds from `fromS` to `toS` inclusive. */
const every = (fromS: number, toS: number, stepS: number, f: (tS: number) => SocSample): SocSample[] =>
  Array.from({ length: Math.round((toS - fromS) / stepS) + 1 }, (_, i) => f(fromS + i * stepS));

describe('SoC estimator', () => {
  it('has no SoC until a cell voltage is known, then starts from the table (B-30)', () => {
    const [a, b] = run([
      sample(0, null, 3.9, { meanCellV: null, maxCellV: null, minCellV: null }),
      sample(500, null),
    ]);
    expect(a.socPercent).toBeNull();
    expect(a.method).toBe('none');
    expect(a.toPersist).toBeNull();
    expect(b.socPercent).toBeCloseTo(SOC_AT_3V9, 1);
    expect(b.startedFrom).toBe('ocv');
  });

  it('B-32: irregular sample intervals integrate to the exact ∫I dt of a linear current (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -50, max: 50, noNaN: true }),
        fc.double({ min: -0.2, max: 0.2, noNaN: true }),
        fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 60 }),
        (a, b, stepsMs) => {
          const times = stepsMs.reduce<number[]>((ts, d) => [...ts, ts[ts.length - 1] + d], [0]);
          const states = run(times.map((t) => sample(t, a + (b * t) / 1000)));
          const T = times[times.length - 1] / 1000;
          const exactAh = (a * T + (b * T * T) / 2) / 3600;
          const end = last(states);
          expect(end.countedAh).toBeCloseTo(exactAh, 9);
          expect(end.socPercent).toBeCloseTo(defined(states[0].socPercent) + (exactAh / usableAh) * 100, 6);
          expect(end.uncertain).toBe(false);
          expect(end.method).toBe('coulombCounting');
        },
      ),
    );
  });

  it('B-24(3): 100 A for 36 s at uneven steps counts exactly 1 Ah', () => {
    const times = [0, 300, 1700, 2000, 6500, 9000, 13000, 18000, 23000, 27500, 32000, 36000];
    expect(last(run(times.map((t) => sample(t, 100)))).countedAh).toBeCloseTo(1, 12);
  });

  it('B-32: a gap over 5 s is not integrated and marks the SoC uncertain until a reset', () => {
    const states = run([sample(0, 10), sample(5000, 10), sample(10001, 10), sample(11001, 10)]);
    expect(states[1].countedAh).toBeCloseTo((10 * 5) / 3600, 12);
    expect(states[1].uncertain).toBe(false);
    expect(states[2].countedAh).toBe(states[1].countedAh);
    expect(states[2].uncertain).toBe(true);
    expect(states[3].countedAh).toBeCloseTo((10 * 6) / 3600, 12);
    expect(states[3].uncertain).toBe(true);
  });

  it("B-32: with the sensor's integral, counts every sample between scans, not the scans' currents", () => {
    // A load that pulses between scans: the scans see 0 A, the sensor's samples saw 0.25 Ah go out.
    const integral = (dischargedAh: number, gaps = 0) => ({ chargedAh: 0.1, dischargedAh, gaps });
    const states = run([
      sample(0, 0, 3.9, { integral: integral(1) }),
      sample(1000, 0, 3.9, { integral: integral(1.25) }),
      sample(2000, 0, 3.9, { integral: integral(1.25) }),
    ]);
    expect(states[1].countedAh).toBeCloseTo(-0.25, 12);
    expect(states[2].countedAh).toBeCloseTo(-0.25, 12);
    expect(states[2].socPercent).toBeCloseTo(defined(states[0].socPercent) - (0.25 / usableAh) * 100, 9);
    expect(states[2].uncertain).toBe(false);
    expect(states[2].method).toBe('coulombCounting');
  });

  it("B-32: a gap in the sensor's integral marks the SoC uncertain; what was counted around it still counts", () => {
    const states = run([
      sample(0, 10, 3.9, { integral: { chargedAh: 0, dischargedAh: 0, gaps: 0 } }),
      sample(1000, 10, 3.9, { integral: { chargedAh: 0.5, dischargedAh: 0, gaps: 1 } }),
    ]);
    expect(states[1].countedAh).toBeCloseTo(0.5, 12);
    expect(states[1].uncertain).toBe(true);
  });

  it('B-33: resets to 100 % after the highest cell held the high setpoint 30 s, clearing "uncertain"', () => {
    const states = run([
      sample(0, 1),
      sample(10_000, 1), // gap → uncertain
      ...every(10.5, 41, 0.5, (t) => sample(t * 1000, 1, 3.9, { maxCellV: 4.1 })),
    ]);
    const at = (tS: number) => defined(states.find((s) => s.lastSampleMs === tS * 1000));
    expect(at(40).socPercent).toBeLessThan(60);
    expect(at(40).uncertain).toBe(true);
    expect(at(40.5).socPercent).toBe(100);
    expect(at(40.5).lastReset).toBe('full');
    expect(at(40.5).uncertain).toBe(false);
  });

  it('B-33: resets to 0 % after the lowest cell held the low setpoint 30 s, once per hold', () => {
    const states = run(every(0, 40, 0.5, (t) => sample(t * 1000, 5, 3.9, { minCellV: 3.6 })));
    const at = (tS: number) => defined(states.find((s) => s.lastSampleMs === tS * 1000));
    expect(at(29.5).socPercent).toBeGreaterThan(50);
    expect(at(30).socPercent).toBe(0);
    expect(at(30).lastReset).toBe('empty');
    expect(at(40).socPercent).toBeGreaterThan(0); // charging at 5 A after the reset counts up again
  });

  it('B-34: at rest (|I| < 0.2 A for 10 min) relaxes toward the table with τ = 1 h', () => {
    const persisted = { socPercent: 60, sohPercent: 100, timestampMs: 0 };
    const states = run(
      every(0, 600 + 3600, 10, (t) => sample(t * 1000, 0)),
      persisted,
    );
    const at = (tS: number) => defined(states.find((s) => s.lastSampleMs === tS * 1000));
    expect(at(0).startedFrom).toBe('persisted');
    expect(at(590).socPercent).toBe(60);
    expect(at(590).atRest).toBe(false);
    expect(at(600).atRest).toBe(true);
    expect(at(4200).socPercent).toBeCloseTo(SOC_AT_3V9 + (60 - SOC_AT_3V9) * Math.exp(-1), 1);
    // a current pulse ends the rest
    const pulsed = stepSoc(at(4200), sample(4_200_500, 5), config);
    expect(pulsed.atRest).toBe(false);
  });

  it('B-35: without a current sensor follows the table through a 120 s filter, flagged voltage-based', () => {
    const persisted = { socPercent: 65, sohPercent: 100, timestampMs: 0 };
    const states = run(
      every(0, 120, 0.5, (t) => sample(t * 1000, null)),
      persisted,
    );
    expect(states[0].socPercent).toBe(65);
    expect(last(states).method).toBe('voltageBased');
    expect(last(states).socPercent).toBeCloseTo(SOC_AT_3V9 + (65 - SOC_AT_3V9) * Math.exp(-1), 6);
  });

  it.each([
    [
      'fresh and close: persisted',
      { socPercent: 62, sohPercent: 93, timestampMs: -3_600_000 },
      62,
      'persisted',
    ],
    [
      'older than 24 h: table',
      { socPercent: 62, sohPercent: 93, timestampMs: -25 * 3_600_000 },
      SOC_AT_3V9,
      'ocv',
    ],
    [
      'more than 10 points off: table',
      { socPercent: 80, sohPercent: 93, timestampMs: -1000 },
      SOC_AT_3V9,
      'ocv',
    ],
    ['from the future: table', { socPercent: 60, sohPercent: 93, timestampMs: 5000 }, SOC_AT_3V9, 'ocv'],
  ])('B-36 start value, %s', (_, persisted, soc, from) => {
    const [s] = run([sample(0, null)], persisted);
    expect(s.socPercent).toBeCloseTo(soc, 1);
    expect(s.startedFrom).toBe(from);
    expect(s.sohPercent).toBe(93);
    expect(s.toPersist).toEqual({ socPercent: s.socPercent, sohPercent: 93, timestampMs: 0 });
  });

  /** Empty reset, then charge `chargeAh` at 100 A in 0.5 s steps, then a full reset. */
  const cycle = (chargeAh: number, gapAtS?: number): SocEstimatorState => {
    const chargeS = (chargeAh * 3600) / 100;
    const samples = [
      ...every(0, 30, 0.5, (t) => sample(t * 1000, 0, 3.7, { minCellV: 3.6 })),
      ...every(30.5, 30.5 + chargeS, 0.5, (t) =>
        sample((t + (gapAtS !== undefined && t > gapAtS ? 10 : 0)) * 1000, 100),
      ),
    ];
    const endS = samples[samples.length - 1].timestampMs / 1000;
    samples.push(...every(endS + 0.5, endS + 30.5, 0.5, (t) => sample(t * 1000, 0, 4.0, { maxCellV: 4.1 })));
    return last(run(samples));
  };

  it('B-37: SoH from the Ah counted between an empty and a full reset, 0.75/0.25 filtered', () => {
    const end = cycle(0.9 * usableAh);
    expect(end.lastReset).toBe('full');
    expect(end.sohSampleCount).toBe(1);
    expect(end.sohPercent).toBeCloseTo(0.75 * 100 + 0.25 * 90, 0);
  });

  it('B-37: discards samples outside 50..110 % and runs interrupted by a gap', () => {
    expect(cycle(0.3 * usableAh)).toMatchObject({ sohSampleCount: 0, sohPercent: 100 });
    expect(cycle(0.9 * usableAh, 100)).toMatchObject({ sohSampleCount: 0, sohPercent: 100 });
  });
});
