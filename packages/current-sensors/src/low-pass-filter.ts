import type { CurrentSample } from '@tsbms/hal';
import { scan, type MonoTypeOperatorFunction } from 'rxjs';

/**
 * One step of an exponential low-pass filter over current samples, weighted by the time between
 * them: the previous output decays by e^(−Δt/τ). pyBMS's filter (bms/current_sensor/low_pass_filter.py)
 * keeps a fixed 0.85 of the previous output per read, which makes its time constant depend on how
 * often it is read (and pyBMS reads it at uneven times); a factor f per read every T ms is
 * τ = −T / ln f (0.85 every 500 ms ≈ 3077 ms). The first sample passes unchanged, as in pyBMS, and
 * after a long gap the output follows the new sample. The time and quality are the new sample's.
 */
export function lowPassCurrentSample(
  previous: CurrentSample | undefined,
  sample: CurrentSample,
  timeConstantMs: number,
): CurrentSample {
  if (previous === undefined) return sample;
  const keep = Math.exp(-Math.max(0, sample.timeMs - previous.timeMs) / timeConstantMs);
  return { ...sample, currentA: previous.currentA * keep + sample.currentA * (1 - keep) };
}

/** {@link lowPassCurrentSample} over a stream, from its first sample. */
export function lowPassCurrent(timeConstantMs: number): MonoTypeOperatorFunction<CurrentSample> {
  return scan<CurrentSample, CurrentSample, CurrentSample | undefined>(
    (previous, sample) => lowPassCurrentSample(previous, sample, timeConstantMs),
    undefined,
  );
}
