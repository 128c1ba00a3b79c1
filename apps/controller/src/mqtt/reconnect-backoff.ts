export interface BackoffBounds {
  readonly initialDelayS: number;
  readonly maxDelayS: number;
}

/** Delay before reconnect attempt `failures` (1 = after the first failure): doubling, capped. */
export function reconnectDelayMs(failures: number, bounds: BackoffBounds): number {
  const exponent = Math.max(0, failures - 1);
  // The cap first: 2 ** exponent overflows to Infinity for a long outage, which min() absorbs.
  return Math.min(bounds.maxDelayS, bounds.initialDelayS * 2 ** exponent) * 1000;
}
