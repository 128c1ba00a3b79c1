import {
  FAILED_SHARE_LABELS,
  failedShareLevel,
  failuresOf,
  sumLinkCounters,
  transactionsOf,
  type FailedShareLevel,
  type LinkCounters,
} from '@tsbms/commissioning';
import type { LinkErrorWindows } from './link-error-windows';

/** One module in one column (or in all of them): its counters, and what they add up to. */
export interface LinkErrorCell extends LinkCounters {
  /** Every transaction, whatever its outcome (retries are counted by their attempts). */
  readonly transactions: number;
  /** Those that failed: CRC errors, bad frames, echo mismatches, timeouts, no such module. */
  readonly failures: number;
  /** The failed share on the heat maps' scale (commissioning's failedShareLevel). */
  readonly level: FailedShareLevel;
}

export interface LinkErrorRow {
  /** The module address (0 = unaddressed, 63 = broadcast, as the source counts them). */
  readonly address: number;
  /** One per column; null when the module was not asked in it (or nothing was sampled then). */
  readonly windows: readonly (LinkErrorCell | null)[];
  /** All columns together. */
  readonly total: LinkErrorCell;
}

/** GET /api/link-errors: the heat map of the serial loop, ready to draw. */
export interface LinkErrorReport {
  readonly windowS: number;
  /** Each column's start, clock time, oldest first; the last is the window in progress. */
  readonly windowStartsMs: readonly number[];
  /** The levels in words, by level, for the legend (the thresholds live in one place). */
  readonly levels: readonly string[];
  /** One row per module with at least one transaction in the columns, by address. */
  readonly modules: readonly LinkErrorRow[];
}

function cellOf(counters: LinkCounters): LinkErrorCell {
  const transactions = transactionsOf(counters);
  const failures = failuresOf(counters);
  // Only cells with transactions are made, so the level is never "not asked" here.
  const level = failedShareLevel(failures, transactions) ?? 0;
  return { ...counters, transactions, failures, level };
}

/**
 * The ring as `windowCount` columns ending with the window of `nowMs` (gaps as null cells), a row
 * per address of `moduleAddresses` (the pack's modules; null = every address counted). The loop's
 * own addresses stay out that way (0 and 63 on the Tesla loop): renumbering ends with an
 * address-0 read that comes back unanswered by design (T-15), which is no module's error.
 */
export function linkErrorReport(
  ring: LinkErrorWindows,
  nowMs: number,
  moduleAddresses: readonly number[] | null,
): LinkErrorReport {
  const { windowS, windowCount } = ring.options;
  const windowMs = windowS * 1000;
  const lastStartMs = Math.floor(nowMs / windowMs) * windowMs;
  const windowStartsMs = Array.from(
    { length: windowCount },
    (_, i) => lastStartMs - (windowCount - 1 - i) * windowMs,
  );
  const byStart = new Map(ring.windows.map((w) => [w.startMs, w.perModule]));
  const columns = windowStartsMs.map((startMs) => byStart.get(startMs));
  const addresses = [...new Set(columns.flatMap((c) => Object.keys(c ?? {}).map(Number)))]
    .filter((address) => moduleAddresses?.includes(address) ?? true)
    .sort((a, b) => a - b);
  const modules = addresses.flatMap((address): LinkErrorRow[] => {
    const counters = columns.map((c) => c?.[address]);
    const total = cellOf(sumLinkCounters(counters.filter((c) => c !== undefined)));
    if (total.transactions === 0) return [];
    const windows = counters.map((c) => (c === undefined || transactionsOf(c) === 0 ? null : cellOf(c)));
    return [{ address, windows, total }];
  });
  return { windowS, windowStartsMs, levels: FAILED_SHARE_LABELS, modules };
}
