import fc from 'fast-check';
import { EMPTY_LINK_COUNTERS, sumLinkCounters, type LinkCounters } from '@tsbms/commissioning';
import {
  addLinkCounterSample,
  emptyLinkErrorWindows,
  linkCounterGrowth,
  type LinkCounterSample,
  type LinkErrorWindows,
} from './link-error-windows';

const MINUTE_MS = 60_000;
/** 2023-11-14T22:13:00Z: on the minute, so window starts read as multiples of a minute from here. */
const T0_MS = 1_699_999_980_000;
const OPTIONS = { windowS: 60, windowCount: 3 };

const counters = (counts: Partial<LinkCounters>): LinkCounters => ({ ...EMPTY_LINK_COUNTERS, ...counts });
const sample = (atMs: number, perModule: Record<number, Partial<LinkCounters>>): LinkCounterSample => ({
  atMs,
  perModule: Object.fromEntries(Object.entries(perModule).map(([a, c]) => [a, counters(c)])),
});
const record = (...samples: LinkCounterSample[]): LinkErrorWindows =>
  samples.reduce(addLinkCounterSample, emptyLinkErrorWindows(OPTIONS));

describe('addLinkCounterSample', () => {
  it('takes the first sample as the baseline only, then counts what grew into the window of each sample', () => {
    const ring = record(
      sample(T0_MS + 5_000, { 1: { framesOk: 500, crcErrors: 9 } }),
      sample(T0_MS + 10_000, { 1: { framesOk: 520, crcErrors: 10 }, 2: { framesOk: 20 } }),
      sample(T0_MS + 59_999, { 1: { framesOk: 540, crcErrors: 10, timeouts: 2 }, 2: { framesOk: 40 } }),
      sample(T0_MS + MINUTE_MS, { 1: { framesOk: 560, crcErrors: 10, timeouts: 2 }, 2: { framesOk: 60 } }),
    );
    expect(ring.windows).toEqual([
      {
        startMs: T0_MS,
        // Module 2 first answered after the baseline: all its counts are new.
        perModule: {
          1: counters({ framesOk: 40, crcErrors: 1, timeouts: 2 }),
          2: counters({ framesOk: 40 }),
        },
      },
      {
        startMs: T0_MS + MINUTE_MS,
        perModule: { 1: counters({ framesOk: 20 }), 2: counters({ framesOk: 20 }) },
      },
    ]);
  });

  it('keeps the last windowCount windows; a gap is no window', () => {
    const ring = record(
      sample(T0_MS, { 1: {} }),
      sample(T0_MS + 1 * MINUTE_MS, { 1: { framesOk: 1 } }),
      sample(T0_MS + 2 * MINUTE_MS, { 1: { framesOk: 2 } }),
      sample(T0_MS + 4 * MINUTE_MS, { 1: { framesOk: 5, timeouts: 1 } }),
    );
    expect(ring.windows.map((w) => (w.startMs - T0_MS) / MINUTE_MS)).toEqual([2, 4]);
    expect(ring.windows[1].perModule[1]).toEqual(counters({ framesOk: 3, timeouts: 1 }));
  });

  it('counts everything after a restart of the source (a counter went down) as new', () => {
    const ring = record(
      sample(T0_MS, { 1: { framesOk: 900, crcErrors: 4 } }),
      sample(T0_MS + 1_000, { 1: { framesOk: 3, timeouts: 1 } }),
    );
    expect(ring.windows[0].perModule[1]).toEqual(counters({ framesOk: 3, timeouts: 1 }));
  });

  it('starts again when the clock went back, the sample being the new baseline', () => {
    const ring = record(
      sample(T0_MS + 10 * MINUTE_MS, { 1: {} }),
      sample(T0_MS + 11 * MINUTE_MS, { 1: { crcErrors: 1 } }),
      sample(T0_MS, { 1: { crcErrors: 3 } }),
    );
    expect(ring.windows).toEqual([{ startMs: T0_MS, perModule: { 1: counters({ crcErrors: 2 }) } }]);
    expect(ring.baseline?.atMs).toBe(T0_MS);
  });

  it('returns frozen values and leaves the ring it was given as it was', () => {
    const before = record(sample(T0_MS, { 1: {} }), sample(T0_MS + 1_000, { 1: { framesOk: 1 } }));
    const snapshot = structuredClone(before);
    const after = addLinkCounterSample(before, sample(T0_MS + 2_000, { 1: { framesOk: 2 } }));
    expect(before).toEqual(snapshot);
    expect(after.windows[0].perModule[1].framesOk).toBe(2);
    expect(Object.isFrozen(after)).toBe(true);
    expect(Object.isFrozen(after.windows)).toBe(true);
    expect(Object.isFrozen(after.windows[0].perModule)).toBe(true);
  });
});

describe('linkCounterGrowth', () => {
  it('is the difference, or all of now when there was nothing before', () => {
    expect(linkCounterGrowth(counters({ framesOk: 7, retries: 2 }), counters({ framesOk: 5 }))).toEqual(
      counters({ framesOk: 2, retries: 2 }),
    );
    expect(linkCounterGrowth(counters({ framesOk: 7 }), undefined)).toEqual(counters({ framesOk: 7 }));
  });
});

/** Cumulative counters of two modules over scans a few seconds apart: each step only grows. */
const growingSamples = fc
  .array(
    fc.record({
      stepMs: fc.integer({ min: 1, max: 20_000 }),
      module: fc.constantFrom(1, 2),
      framesOk: fc.nat(50),
      crcErrors: fc.nat(3),
      timeouts: fc.nat(3),
    }),
    { minLength: 1, maxLength: 200 },
  )
  .map((steps) => {
    let atMs = T0_MS;
    const totals: Record<number, LinkCounters> = { 1: counters({}), 2: counters({}) };
    const samples = [sample(atMs, totals)];
    for (const { stepMs, module, ...grown } of steps) {
      atMs += stepMs;
      totals[module] = sumLinkCounters([totals[module], counters(grown)]);
      samples.push({ atMs, perModule: { ...totals } });
    }
    return samples;
  });

describe('addLinkCounterSample (properties)', () => {
  it('the windows add up to what the counters grew by over the span, while nothing fell out', () => {
    fc.assert(
      fc.property(growingSamples, (samples) => {
        const spanWindows =
          Math.floor(samples[samples.length - 1].atMs / MINUTE_MS) - Math.floor(T0_MS / MINUTE_MS) + 1;
        const ring = samples.reduce(
          addLinkCounterSample,
          emptyLinkErrorWindows({ windowS: 60, windowCount: spanWindows }),
        );
        for (const module of [1, 2]) {
          const windowed = sumLinkCounters(ring.windows.map((w) => w.perModule[module] ?? counters({})));
          expect(windowed).toEqual(samples[samples.length - 1].perModule[module]);
        }
      }),
    );
  });

  it('never holds more than windowCount windows, each on its own clock-aligned minute, in order, within the last windowCount minutes', () => {
    fc.assert(
      fc.property(growingSamples, fc.integer({ min: 1, max: 10 }), (samples, windowCount) => {
        const ring = samples.reduce(
          addLinkCounterSample,
          emptyLinkErrorWindows({ windowS: 60, windowCount }),
        );
        const starts = ring.windows.map((w) => w.startMs);
        expect(starts.length).toBeLessThanOrEqual(windowCount);
        starts.forEach((startMs, i) => {
          expect(startMs % MINUTE_MS).toBe(0);
          if (i > 0) expect(startMs).toBeGreaterThan(starts[i - 1]);
        });
        const newestMs = Math.floor(samples[samples.length - 1].atMs / MINUTE_MS) * MINUTE_MS;
        if (samples.length > 1) expect(starts.at(-1)).toBe(newestMs);
        expect(starts.every((startMs) => startMs > newestMs - windowCount * MINUTE_MS)).toBe(true);
      }),
    );
  });
});
