/** One point of an open-circuit-voltage curve. */
export interface OcvPoint {
  readonly socPercent: number;
  readonly voltageV: number;
}

/**
 * Open-circuit voltage of a Model S (Panasonic NCA 18650) cell group at 25 °C.
 *
 * 0..100 %: the default table of bms-behaviour.md §6 (menzok/TeslaBMS-ESP32's 25 °C column,
 * McMaster HPPC rest voltages of NCA cells). Outside it the curve is extrapolated so the
 * emulator can show over- and under-voltage: below 0 % NCA falls off faster than the 0–5 %
 * slope (16.8 mV/%), so −10 % → 2.80 V (23.6 mV/%) and −20 % → 2.50 V (30 mV/%); above 100 %
 * the 95–100 % slope (11.4 mV/%) continues to 110 % → 4.30 V and steepens to 120 % → 4.50 V.
 */
export const NCA_OCV_CURVE: readonly OcvPoint[] = Object.freeze(
  [
    [-20, 2.5],
    [-10, 2.8],
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
    [110, 4.3],
    [120, 4.5],
  ].map(([socPercent, voltageV]) => Object.freeze({ socPercent, voltageV })),
);

/** Piecewise-linear, strictly increasing OCV curve with its inverse. */
export class OcvCurve {
  readonly minSocPercent: number;
  readonly maxSocPercent: number;
  readonly minVoltageV: number;
  readonly maxVoltageV: number;

  constructor(private readonly points: readonly OcvPoint[] = NCA_OCV_CURVE) {
    if (points.length < 2) throw new RangeError('an OCV curve needs at least two points');
    for (let i = 1; i < points.length; i++) {
      if (
        !(points[i].socPercent > points[i - 1].socPercent) ||
        !(points[i].voltageV > points[i - 1].voltageV)
      ) {
        throw new RangeError('OCV curve points must increase in both SoC and voltage');
      }
    }
    this.minSocPercent = points[0].socPercent;
    this.maxSocPercent = points[points.length - 1].socPercent;
    this.minVoltageV = points[0].voltageV;
    this.maxVoltageV = points[points.length - 1].voltageV;
  }

  /** OCV at a state of charge; SoC is clamped to the curve's domain. */
  voltageAtSoc(socPercent: number): number {
    return this.interpolate(socPercent, 'socPercent', 'voltageV');
  }

  /** The state of charge whose OCV is `voltageV`; voltage is clamped to the curve's range. */
  socAtVoltage(voltageV: number): number {
    return this.interpolate(voltageV, 'voltageV', 'socPercent');
  }

  private interpolate(x: number, from: keyof OcvPoint, to: keyof OcvPoint): number {
    const pts = this.points;
    if (x <= pts[0][from]) return pts[0][to];
    const last = pts[pts.length - 1];
    if (x >= last[from]) return last[to];
    let lo = 0;
    let hi = pts.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (pts[mid][from] <= x) lo = mid;
      else hi = mid;
    }
    const a = pts[lo];
    const b = pts[hi];
    return a[to] + ((x - a[from]) * (b[to] - a[to])) / (b[from] - a[from]);
  }
}
