import type { DeratingTable } from './config';

/** Linear interpolation over the table, end values held outside it. */
export function deratingFactor(table: DeratingTable, input: number): number {
  const first = table[0];
  if (input <= first.input) return first.factor;
  for (let i = 1; i < table.length; i += 1) {
    const right = table[i];
    if (input <= right.input) {
      const left = table[i - 1];
      const share = (input - left.input) / (right.input - left.input);
      return left.factor + share * (right.factor - left.factor);
    }
  }
  return table[table.length - 1].factor;
}

/**
 * How far `input` lies from the inputs where the table gives 0 (Infinity when it never does).
 * Factors are never negative, so the zero region is made of the zero points, the stretches
 * between two of them and the ends held at 0: the distance to it is the distance to its
 * nearest zero point, or 0 inside it.
 */
export function distanceToZero(table: DeratingTable, input: number): number {
  if (deratingFactor(table, input) === 0) return 0;
  let distance = Infinity;
  for (const point of table) {
    if (point.factor === 0) distance = Math.min(distance, Math.abs(input - point.input));
  }
  return distance;
}
