// Limits are computed in floating point: 12 × 4.1 is 49.199999999999996, which must publish as 49.2.
const EPSILON = 1e-6;

/** Rounds down to a multiple of `step`, tolerating floating-point noise just below a multiple. */
export function floorToStep(value: number, step: number): number {
  return Math.round(Math.floor(value / step + EPSILON) * step * 1e6) / 1e6;
}

/** Rounds up to a multiple of `step`, tolerating floating-point noise just above a multiple. */
export function ceilToStep(value: number, step: number): number {
  return Math.round(Math.ceil(value / step - EPSILON) * step * 1e6) / 1e6;
}

export function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
