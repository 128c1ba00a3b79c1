import type { CurrentSample } from '@tsbms/hal';
import fc from 'fast-check';
import { from, lastValueFrom, toArray } from 'rxjs';
import { lowPassCurrent, lowPassCurrentSample } from './low-pass-filter';

const sample = (timeMs: number, currentA: number, quality: CurrentSample['quality'] = 'good') => ({
  timeMs,
  currentA,
  quality,
});

/** pyBMS's LowPassFilter (bms/current_sensor/low_pass_filter.py): 0.85 of the previous output per call. */
function pyBmsFilter(values: readonly number[], factor: number): number[] {
  let previous: number | undefined;
  return values.map(
    (value) => (previous = previous === undefined ? value : previous * factor + value * (1 - factor)),
  );
}

describe('lowPassCurrentSample', () => {
  it('passes the first sample unchanged, as pyBMS does', () => {
    expect(lowPassCurrentSample(undefined, sample(500, 42), 3000)).toEqual(sample(500, 42));
  });
  it('keeps e^(−Δt/τ) of the previous output, with the new sample’s time and quality', () => {
    const out = lowPassCurrentSample(sample(0, 0), sample(1000, 100, 'overrange'), 1000);
    expect(out).toEqual({
      timeMs: 1000,
      currentA: expect.closeTo(100 * (1 - Math.exp(-1)), 9) as number,
      quality: 'overrange',
    });
  });
  it('follows the new sample after a long gap, and holds at a gap of zero', () => {
    expect(lowPassCurrentSample(sample(0, -50), sample(3_600_000, 10), 3000).currentA).toBeCloseTo(10, 9);
    expect(lowPassCurrentSample(sample(100, -50), sample(100, 10), 3000).currentA).toBe(-50);
  });
  it('equals pyBMS’s 0.85-per-read filter on reads every T ms when τ = −T / ln 0.85', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -500, max: 500, noNaN: true }), { minLength: 1, maxLength: 50 }),
        fc.integer({ min: 10, max: 10_000 }),
        (values, intervalMs) => {
          const timeConstantMs = -intervalMs / Math.log(0.85);
          let previous: CurrentSample | undefined;
          const ours = values.map((value, i) => {
            previous = lowPassCurrentSample(previous, sample(i * intervalMs, value), timeConstantMs);
            return previous.currentA;
          });
          pyBmsFilter(values, 0.85).forEach((expected, i) => expect(ours[i]).toBeCloseTo(expected, 6));
        },
      ),
    );
  });
});

describe('lowPassCurrent', () => {
  it('filters a stream from its first sample', async () => {
    const out = await lastValueFrom(
      from([sample(0, 0), sample(500, 100), sample(1000, 100)]).pipe(
        lowPassCurrent(-500 / Math.log(0.85)),
        toArray(),
      ),
    );
    expect(out.map((s) => s.timeMs)).toEqual([0, 500, 1000]);
    expect(out.map((s) => s.currentA)).toEqual([0, expect.closeTo(15, 9), expect.closeTo(27.75, 9)]);
  });
});
