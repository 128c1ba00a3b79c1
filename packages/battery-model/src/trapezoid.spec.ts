import fc from 'fast-check';
import { splitTrapezoid } from './trapezoid';

describe('splitTrapezoid', () => {
  it('splits a sign change at the interpolated zero crossing', () => {
    // +10 → −30 over 1 h crosses zero a quarter in: in 10/2 × 0.25, out 30/2 × 0.75
    expect(splitTrapezoid(10, -30, 1)).toEqual({ inflow: 1.25, outflow: 11.25 });
    expect(splitTrapezoid(-30, 10, 1)).toEqual({ inflow: 1.25, outflow: 11.25 });
    expect(splitTrapezoid(4, 6, 0.5)).toEqual({ inflow: 2.5, outflow: 0 });
    expect(splitTrapezoid(-4, -6, 0.5)).toEqual({ inflow: 0, outflow: 2.5 });
  });

  it('in − out is the plain trapezoid, and neither is ever negative (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1000, max: 1000, noNaN: true }),
        fc.double({ min: -1000, max: 1000, noNaN: true }),
        fc.double({ min: 0, max: 10, noNaN: true }),
        (from, to, dtH) => {
          const { inflow, outflow } = splitTrapezoid(from, to, dtH);
          expect(inflow).toBeGreaterThanOrEqual(0);
          expect(outflow).toBeGreaterThanOrEqual(0);
          expect(inflow - outflow).toBeCloseTo(((from + to) / 2) * dtH, 6);
        },
      ),
    );
  });
});
