import type { LinkStats } from '@tsbms/bms-core';
import { EMPTY_LINK_COUNTERS, type LinkCounters } from '@tsbms/commissioning';
import {
  addLinkCounterSample,
  DEFAULT_LINK_ERROR_WINDOWS,
  emptyLinkErrorWindows,
  type LinkCounterSample,
  type LinkErrorWindows,
  type LinkErrorWindowsOptions,
} from './link-error-windows';

/** bms-core's counters by name as the ring's: each T-5 counter, 0 when the source does not keep it. */
export function linkCounterSampleOf(atMs: number, stats: LinkStats): LinkCounterSample {
  const perModule: Record<number, LinkCounters> = {};
  for (const [address, counts] of Object.entries(stats.perModule ?? {})) {
    const counters: Record<keyof LinkCounters, number> = { ...EMPTY_LINK_COUNTERS };
    for (const name of Object.keys(counters) as (keyof LinkCounters)[]) counters[name] = counts[name] ?? 0;
    perModule[Number(address)] = Object.freeze(counters);
  }
  return Object.freeze({ atMs, perModule: Object.freeze(perModule) });
}

/**
 * The heat map's ring as the HTTP output fills it, one sample per status snapshot. Kept across
 * restarts of the output, like the chart's history: saving a setting must not wipe the hour.
 */
export class LinkErrorLog {
  private ring: LinkErrorWindows;

  constructor(options: LinkErrorWindowsOptions = DEFAULT_LINK_ERROR_WINDOWS) {
    this.ring = emptyLinkErrorWindows(options);
  }

  /** The source's counters at `atMs` (clock time); null (a source that keeps none) is skipped. */
  record(atMs: number, stats: LinkStats | null): void {
    if (stats !== null) this.ring = addLinkCounterSample(this.ring, linkCounterSampleOf(atMs, stats));
  }

  /** The ring as of the latest sample (an immutable value). */
  windows(): LinkErrorWindows {
    return this.ring;
  }
}
