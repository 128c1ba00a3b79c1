import { HISTORY_SERIES, type HistorySample } from '../history-sample';
import type { HistoryRow } from '../downsample';

/** A row of `tier` for the bucket at `startMs`, with `cells` per-cell statistics (M1C1, M1C2, …). */
export function historyRow(tier: string, startMs: number, cells = 12): HistoryRow {
  const stats = { min: 3.9, max: 3.95, mean: 3.92 };
  return {
    tier,
    startMs,
    samples: 3,
    series: Object.fromEntries(
      HISTORY_SERIES.map((name) => [name, { min: 1, max: 2, mean: 1.5 }]),
    ) as HistoryRow['series'],
    cellsV: Object.fromEntries(
      Array.from({ length: cells }, (_, i) => [`M${Math.floor(i / 6) + 1}C${(i % 6) + 1}`, stats]),
    ),
    limits: { cvlV: 49.2, cclA: 100, dclA: 100 },
    contactorState: 'CLOSED',
    closedShare: 1,
  };
}

/** A scan's sample at `atMs` with `cells` cell voltages (M1C1, M1C2, …), the pack at 23.4 V. */
export function historySample(atMs: number, cells = 12): HistorySample {
  return {
    atMs,
    series: { packVoltageV: [23.4], currentA: [-5.5], socPercent: [61.25], temperatureC: [20, 21.5] },
    cellsV: Object.fromEntries(
      Array.from({ length: cells }, (_, i) => [`M${Math.floor(i / 6) + 1}C${(i % 6) + 1}`, 3.9 + i / 1000]),
    ),
    limits: { cvlV: 49.2, cclA: 100, dclA: 100 },
    contactorState: 'CLOSED',
  };
}
