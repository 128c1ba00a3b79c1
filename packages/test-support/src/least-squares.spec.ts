import { leastSquaresSlope } from './least-squares';

describe('leastSquaresSlope', () => {
  it('is the slope of a straight line, whatever its offset', () => {
    expect(leastSquaresSlope([0, 1, 2, 3].map((x) => ({ x, y: 7 + 2.5 * x })))).toBeCloseTo(2.5, 12);
  });

  it('is 0 for a flat series and barely moved by one outlier among many', () => {
    const flat = Array.from({ length: 21 }, (_, x) => ({ x, y: 100 }));
    expect(leastSquaresSlope(flat)).toBe(0);
    // A late GC in the middle: +50 at x = 10 of 0..20 tilts nothing (it sits on the mean of x).
    expect(leastSquaresSlope(flat.map((s) => (s.x === 10 ? { ...s, y: 150 } : s)))).toBeCloseTo(0, 12);
  });

  it('refuses what has no slope', () => {
    expect(() => leastSquaresSlope([{ x: 1, y: 1 }])).toThrow('2 samples or more');
    expect(() =>
      leastSquaresSlope([
        { x: 1, y: 1 },
        { x: 1, y: 2 },
      ]),
    ).toThrow('two different x');
  });
});
