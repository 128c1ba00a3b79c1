import fc from 'fast-check';
import { lastValueFrom, from, toArray } from 'rxjs';
import {
  DEFAULT_HISTORY_TIERS,
  downsampleTo,
  stepDownsample,
  type HistoryRow,
  type HistoryTier,
  type OpenBucket,
} from './downsample';
import type { HistorySample } from './history-sample';

const TEN_S = DEFAULT_HISTORY_TIERS[0];
const T0 = Date.UTC(2026, 11, 5);

function sample(atS: number, fields: Partial<HistorySample> = {}): HistorySample {
  return {
    atMs: T0 + atS * 1000,
    series: { packVoltageV: [48 + atS / 100], currentA: [-10], socPercent: [60], temperatureC: [20, 22] },
    cellsV: { M1C1: 4 + atS / 1000, M1C2: 4.01 },
    limits: { cvlV: 49.2, cclA: 100, dclA: 100 },
    contactorState: 'CLOSED',
    ...fields,
  };
}
const rowsOf = (samples: HistorySample[], tier: HistoryTier = TEN_S) =>
  lastValueFrom(from(samples).pipe(downsampleTo(tier), toArray()));

describe('downsampleTo', () => {
  it('one row per 10 s bucket with min, max and mean of each series and each cell, the last limits', async () => {
    const rows = await rowsOf([0, 4, 8, 12, 16].map((s) => sample(s)));
    expect(rows.map((r) => [(r.startMs - T0) / 1000, r.samples])).toEqual([
      [0, 3],
      [10, 2],
    ]);
    expect(rows[0].series.packVoltageV).toEqual({ min: 48, max: 48.08, mean: (48 + 48.04 + 48.08) / 3 });
    expect(rows[0].series.temperatureC).toEqual({ min: 20, max: 22, mean: 21 });
    expect(rows[0].cellsV.M1C1).toEqual({ min: 4, max: 4.008, mean: (4 + 4.004 + 4.008) / 3 });
    expect(rows[1]).toMatchObject({
      limits: { cvlV: 49.2, cclA: 100, dclA: 100 },
      contactorState: 'CLOSED',
      closedShare: 1,
    });
  });

  it('a series no sample knew is null; the share of closed contactors; the last state', async () => {
    const [row] = await rowsOf([
      sample(0, {
        contactorState: 'CLOSED',
        series: { packVoltageV: [48], currentA: [], socPercent: [60], temperatureC: [] },
      }),
      sample(5, {
        contactorState: 'OPEN',
        limits: null,
        series: { packVoltageV: [48], currentA: [], socPercent: [60], temperatureC: [] },
      }),
    ]);
    expect(row.series.currentA).toBeNull();
    expect(row.series.temperatureC).toBeNull();
    expect(row).toMatchObject({ closedShare: 0.5, contactorState: 'OPEN', limits: null });
  });

  it('drops a sample from before the open bucket (a clock stepped back): rows never go back in time', () => {
    const open = stepDownsample(null, sample(20), TEN_S).bucket as OpenBucket;
    expect(stepDownsample(open, sample(5), TEN_S)).toEqual({ bucket: open, rows: [] });
  });

  it('property: rows are aligned and increasing, hold every sample once, and min ≤ mean ≤ max', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 30_000 }), { minLength: 1, maxLength: 200 }),
        fc.constantFrom(...DEFAULT_HISTORY_TIERS),
        async (stepsMs, tier) => {
          let atMs = T0;
          const samples = stepsMs.map((stepMs) => {
            atMs += stepMs;
            return {
              ...sample(0),
              atMs,
              series: { ...sample(0).series, packVoltageV: [40 + (atMs % 1000) / 100] },
            };
          });
          const rows: HistoryRow[] = await rowsOf(samples, tier);
          expect(rows.reduce((sum, row) => sum + row.samples, 0)).toBe(samples.length);
          const buckets = new Set(samples.map((s) => Math.floor(s.atMs / tier.bucketMs)));
          expect(rows).toHaveLength(buckets.size);
          rows.forEach((row, i) => {
            expect(row.startMs % tier.bucketMs).toBe(0);
            if (i > 0) expect(row.startMs).toBeGreaterThan(rows[i - 1].startMs);
            const v = row.series.packVoltageV;
            expect(v !== null && v.min <= v.mean + 1e-9 && v.mean <= v.max + 1e-9).toBe(true);
          });
        },
      ),
    );
  });

  it('a week of scans every 4 s: 60 480 rows at 10 s, 10 080 at 1 min, 672 at 15 min', () => {
    // The step alone (no streams): 151 200 samples per tier.
    const counts = DEFAULT_HISTORY_TIERS.map((tier) => {
      let bucket: OpenBucket | null = null;
      let rows = 0;
      for (let s = 0; s < 7 * 86_400; s += 4) {
        const step = stepDownsample(bucket, sample(s), tier);
        bucket = step.bucket;
        rows += step.rows.length;
      }
      return rows + (bucket === null ? 0 : 1);
    });
    expect(counts).toEqual([60_480, 10_080, 672]);
  });
});
