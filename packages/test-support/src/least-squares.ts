/** One measurement: `x` (time, in the caller's unit) and the value `y` taken then. */
export interface Sample {
  readonly x: number;
  readonly y: number;
}

/**
 * The slope of the least-squares line through `samples`, in y units per x unit: a trend (memory
 * per hour, RSS per minute) that one noisy sample, like a GC that came late, moves only a little.
 */
export function leastSquaresSlope(samples: readonly Sample[]): number {
  if (samples.length < 2) throw new Error(`a slope needs 2 samples or more, got ${samples.length}`);
  const meanX = samples.reduce((sum, s) => sum + s.x, 0) / samples.length;
  const meanY = samples.reduce((sum, s) => sum + s.y, 0) / samples.length;
  let covariance = 0;
  let varianceX = 0;
  for (const { x, y } of samples) {
    covariance += (x - meanX) * (y - meanY);
    varianceX += (x - meanX) ** 2;
  }
  if (varianceX === 0) throw new Error('a slope needs samples at two different x or more');
  return covariance / varianceX;
}
