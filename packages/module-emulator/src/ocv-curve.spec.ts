import fc from 'fast-check';
import { NCA_OCV_CURVE, OcvCurve } from './ocv-curve';

describe('OcvCurve (NCA, bms-behaviour.md §6)', () => {
  const curve = new OcvCurve();

  it('passes through every point of the behaviour doc table', () => {
    const table: [number, number][] = [
      [0, 3.036],
      [5, 3.12],
      [10, 3.254],
      [15, 3.367],
      [20, 3.451],
      [30, 3.552],
      [40, 3.66],
      [50, 3.756],
      [60, 3.841],
      [70, 3.939],
      [80, 4.046],
      [90, 4.101],
      [95, 4.123],
      [100, 4.18],
    ];
    for (const [soc, v] of table) {
      expect(curve.voltageAtSoc(soc)).toBeCloseTo(v, 9);
      expect(curve.socAtVoltage(v)).toBeCloseTo(soc, 9);
    }
  });

  it('interpolates linearly between points', () => {
    expect(curve.voltageAtSoc(45)).toBeCloseTo((3.66 + 3.756) / 2, 9);
    expect(curve.socAtVoltage(3.9)).toBeCloseTo(60 + (10 * (3.9 - 3.841)) / (3.939 - 3.841), 9);
  });

  it('extrapolates beyond the table and clamps at its domain', () => {
    expect(curve.voltageAtSoc(-10)).toBeCloseTo(2.8, 9);
    expect(curve.voltageAtSoc(110)).toBeCloseTo(4.3, 9);
    expect(curve.voltageAtSoc(-50)).toBe(2.5);
    expect(curve.voltageAtSoc(500)).toBe(4.5);
    expect(curve.socAtVoltage(1)).toBe(-20);
    expect(curve.minVoltageV).toBe(NCA_OCV_CURVE[0].voltageV);
  });

  it('is strictly increasing and its inverse round-trips (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -20, max: 120, noNaN: true }),
        fc.double({ min: -20, max: 120, noNaN: true }),
        (a, b) => {
          if (a + 1e-6 < b) expect(curve.voltageAtSoc(a)).toBeLessThan(curve.voltageAtSoc(b));
          expect(curve.socAtVoltage(curve.voltageAtSoc(a))).toBeCloseTo(a, 6);
        },
      ),
    );
  });

  it('rejects a curve that is not increasing', () => {
    expect(
      () =>
        new OcvCurve([
          { socPercent: 0, voltageV: 3 },
          { socPercent: 10, voltageV: 2.9 },
        ]),
    ).toThrow(RangeError);
    expect(() => new OcvCurve([{ socPercent: 0, voltageV: 3 }])).toThrow(RangeError);
  });
});
