import fc from 'fast-check';
import { INITIAL_CURRENT_INTEGRAL, integralDelta, stepCurrentIntegral } from './current-integral';

const integrate = (samples: readonly (readonly [number, number])[], maxGapS = 5) =>
  samples.reduce(
    (state, [timeMs, currentA]) => stepCurrentIntegral(state, { timeMs, currentA }, maxGapS),
    INITIAL_CURRENT_INTEGRAL,
  ).integral;

describe('stepCurrentIntegral', () => {
  it('sums trapezoids at the samples own times, in and out apart', () => {
    // 36 A for 100 s in 100 ms steps = 1 Ah in; then −72 A for 50 s = 1 Ah out (the step between
    // them, 36 → −72 A in 100 ms, crosses zero a third in).
    const charging = Array.from({ length: 1001 }, (_, i) => [i * 100, 36] as const);
    const discharging = Array.from({ length: 500 }, (_, i) => [100_100 + i * 100, -72] as const);
    const integral = integrate([...charging, ...discharging]);
    const crossingH = 0.1 / 3600;
    expect(integral.chargedAh).toBeCloseTo(1 + (36 / 2) * (1 / 3) * crossingH, 9);
    expect(integral.dischargedAh).toBeCloseTo((72 / 2) * (2 / 3) * crossingH + (72 * 49.9) / 3600, 9);
    expect(integral.gaps).toBe(0);
  });

  it('counts a silence longer than maxGapS as a gap and integrates nothing across it', () => {
    expect(
      integrate([
        [0, 10],
        [1000, 10],
        [7000, 10],
        [8000, 10],
      ]),
    ).toEqual({
      chargedAh: (10 * 2) / 3600,
      dischargedAh: 0,
      gaps: 1,
    });
  });

  it('ignores a sample not after the previous one', () => {
    expect(
      integrate([
        [0, 10],
        [1000, 10],
        [1000, 500],
        [500, 500],
        [2000, 10],
      ]).chargedAh,
    ).toBeCloseTo((10 * 2) / 3600, 12);
  });

  it('never decreases (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.integer({ min: -100, max: 8000 }), fc.double({ min: -900, max: 900, noNaN: true })),
          {
            maxLength: 40,
          },
        ),
        (steps) => {
          let t = 0;
          let state = INITIAL_CURRENT_INTEGRAL;
          for (const [dtMs, currentA] of steps) {
            t += dtMs;
            const next = stepCurrentIntegral(state, { timeMs: t, currentA }, 5);
            expect(next.integral.chargedAh).toBeGreaterThanOrEqual(state.integral.chargedAh);
            expect(next.integral.dischargedAh).toBeGreaterThanOrEqual(state.integral.dischargedAh);
            expect(next.integral.gaps).toBeGreaterThanOrEqual(state.integral.gaps);
            state = next;
          }
        },
      ),
    );
  });
});

describe('integralDelta', () => {
  it('is the change, with a gap when one lies between', () => {
    expect(
      integralDelta(
        { chargedAh: 1, dischargedAh: 2, gaps: 0 },
        { chargedAh: 1.5, dischargedAh: 2.25, gaps: 1 },
      ),
    ).toEqual({ chargedAh: 0.5, dischargedAh: 0.25, gap: true });
  });

  it('an integral that went backwards is a sensor started again: nothing counted, a gap', () => {
    expect(
      integralDelta({ chargedAh: 5, dischargedAh: 2, gaps: 3 }, { chargedAh: 0.1, dischargedAh: 0, gaps: 0 }),
    ).toEqual({ chargedAh: 0, dischargedAh: 0, gap: true });
  });
});
