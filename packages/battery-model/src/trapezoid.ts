/**
 * The trapezoid between two samples, split into what flowed in and what flowed out: where the
 * value changes sign it crosses zero at the linearly interpolated moment.
 */
export function splitTrapezoid(from: number, to: number, dtH: number): { inflow: number; outflow: number } {
  if (from >= 0 && to >= 0) return { inflow: ((from + to) / 2) * dtH, outflow: 0 };
  if (from <= 0 && to <= 0) return { inflow: 0, outflow: (-(from + to) / 2) * dtH };
  const zeroAt = from / (from - to); // fraction of dtH before the crossing
  const first = (from / 2) * zeroAt * dtH;
  const second = (to / 2) * (1 - zeroAt) * dtH;
  return from > 0 ? { inflow: first, outflow: -second } : { inflow: second, outflow: -first };
}
