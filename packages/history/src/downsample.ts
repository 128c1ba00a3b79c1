import { concat, defer, EMPTY, from, mergeMap, type Observable, type OperatorFunction } from 'rxjs';
import { HISTORY_SERIES, type HistorySample, type HistorySeries } from './history-sample';

/*
 * Downsampling, as a pure step: the samples of one time bucket (10 s, 1 min, 15 min) become one
 * row with min, max and mean of each series and each cell, the last limits and contactor state,
 * and the share of samples with the contactors closed. A row is made when the first sample of a
 * later bucket arrives (the bucket is then complete) or when the stream ends.
 */

export interface HistoryTier {
  /** `10s`, `1min`, `15min`: the name queries use. */
  readonly name: string;
  readonly bucketMs: number;
  /** How long its rows are kept; the store deletes older ones. */
  readonly retentionMs: number;
}

const DAY_MS = 86_400_000;

/**
 * The name of the short ring of single scans ahead of the tiers: its rows are one scan each
 * (`samples` 1, min = max = mean), starting at the scan's time.
 */
export const SCAN_RING = 'scan';

/** A day at 10 s, a month at 1 min, ten years at 15 min. */
export const DEFAULT_HISTORY_TIERS: readonly HistoryTier[] = [
  { name: '10s', bucketMs: 10_000, retentionMs: DAY_MS },
  { name: '1min', bucketMs: 60_000, retentionMs: 31 * DAY_MS },
  { name: '15min', bucketMs: 900_000, retentionMs: 3653 * DAY_MS },
];

export interface SeriesStats {
  readonly min: number;
  readonly max: number;
  readonly mean: number;
}

export interface HistoryRow {
  readonly tier: string;
  /** The bucket's start, a multiple of the tier's bucket since the epoch. */
  readonly startMs: number;
  readonly samples: number;
  /** Null when no sample of the bucket knew the series. */
  readonly series: Readonly<Record<HistorySeries, SeriesStats | null>>;
  readonly cellsV: Readonly<Record<string, SeriesStats>>;
  readonly limits: HistorySample['limits'];
  readonly contactorState: string;
  /** 0..1: how many of the bucket's samples had the contactors closed. */
  readonly closedShare: number;
}

interface Running {
  readonly min: number;
  readonly max: number;
  readonly sum: number;
  readonly count: number;
}

/** The bucket being filled. */
export interface OpenBucket {
  readonly startMs: number;
  readonly samples: number;
  readonly series: Readonly<Record<HistorySeries, Running | null>>;
  readonly cellsV: Readonly<Record<string, Running>>;
  readonly limits: HistorySample['limits'];
  readonly contactorState: string;
  readonly closedSamples: number;
}

const withValue = (running: Running | null | undefined, value: number): Running =>
  running === null || running === undefined
    ? { min: value, max: value, sum: value, count: 1 }
    : {
        min: Math.min(running.min, value),
        max: Math.max(running.max, value),
        sum: running.sum + value,
        count: running.count + 1,
      };

const stats = (running: Running): SeriesStats => ({
  min: running.min,
  max: running.max,
  mean: running.sum / running.count,
});

function emptySeries(): Record<HistorySeries, Running | null> {
  return Object.fromEntries(HISTORY_SERIES.map((name) => [name, null])) as Record<
    HistorySeries,
    Running | null
  >;
}

function added(bucket: OpenBucket, sample: HistorySample): OpenBucket {
  const series = { ...bucket.series };
  for (const name of HISTORY_SERIES)
    for (const value of sample.series[name]) series[name] = withValue(series[name], value);
  const cellsV: Record<string, Running> = { ...bucket.cellsV };
  for (const [cell, value] of Object.entries(sample.cellsV)) cellsV[cell] = withValue(cellsV[cell], value);
  return {
    startMs: bucket.startMs,
    samples: bucket.samples + 1,
    series,
    cellsV,
    limits: sample.limits,
    contactorState: sample.contactorState,
    closedSamples: bucket.closedSamples + (sample.contactorState === 'CLOSED' ? 1 : 0),
  };
}

/** A bucket holding `sample` only, starting at `startMs`. */
function bucketOf(sample: HistorySample, startMs: number): OpenBucket {
  return added(
    {
      startMs,
      samples: 0,
      series: emptySeries(),
      cellsV: {},
      limits: null,
      contactorState: '',
      closedSamples: 0,
    },
    sample,
  );
}

/** The row of a bucket. */
export function rowOf(bucket: OpenBucket, tier: HistoryTier): HistoryRow {
  return {
    tier: tier.name,
    startMs: bucket.startMs,
    samples: bucket.samples,
    series: Object.fromEntries(
      HISTORY_SERIES.map((name) => [name, bucket.series[name] === null ? null : stats(bucket.series[name])]),
    ) as Record<HistorySeries, SeriesStats | null>,
    cellsV: Object.fromEntries(
      Object.entries(bucket.cellsV).map(([cell, running]) => [cell, stats(running)]),
    ),
    limits: bucket.limits,
    contactorState: bucket.contactorState,
    closedShare: bucket.closedSamples / bucket.samples,
  };
}

/**
 * One sample into the open bucket: the same bucket grows; a later one closes it (its row is
 * returned) and opens the sample's. A sample older than the open bucket (a clock stepped back)
 * is dropped: rows never go back in time.
 */
export function stepDownsample(
  bucket: OpenBucket | null,
  sample: HistorySample,
  tier: HistoryTier,
): { readonly bucket: OpenBucket | null; readonly rows: readonly HistoryRow[] } {
  const startMs = Math.floor(sample.atMs / tier.bucketMs) * tier.bucketMs;
  if (bucket === null) return { bucket: bucketOf(sample, startMs), rows: [] };
  if (startMs === bucket.startMs) return { bucket: added(bucket, sample), rows: [] };
  if (startMs < bucket.startMs) return { bucket, rows: [] };
  return { bucket: bucketOf(sample, startMs), rows: [rowOf(bucket, tier)] };
}

/** One scan as a row of the scan ring: the same shape as a tier's rows, for one sample. */
export function scanRowOf(sample: HistorySample): HistoryRow {
  return rowOf(bucketOf(sample, sample.atMs), { name: SCAN_RING, bucketMs: 1, retentionMs: 0 });
}

/** The rows of `tier` from a stream of samples; the open bucket's row when the stream ends. */
export function downsampleTo(tier: HistoryTier): OperatorFunction<HistorySample, HistoryRow> {
  return (samples$: Observable<HistorySample>) =>
    defer(() => {
      let open: OpenBucket | null = null;
      return concat(
        samples$.pipe(
          mergeMap((sample) => {
            const step = stepDownsample(open, sample, tier);
            open = step.bucket;
            return from(step.rows);
          }),
        ),
        defer(() => (open === null ? EMPTY : from([rowOf(open, tier)]))),
      );
    });
}
