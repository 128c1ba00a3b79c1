import { EMPTY_LINK_COUNTERS, sumLinkCounters, type LinkCounters } from '@tsbms/commissioning';

/*
 * Where in time a module's transmission errors cluster. The pack source's counters (T-5) only
 * grow, so they say how many, not when: this keeps the difference between consecutive samples in
 * clock-aligned windows (the last hour, a minute each, by default), a bounded ring of immutable
 * values. Pure: the sample carries its time, so tests need no clock at all.
 */

export interface LinkErrorWindowsOptions {
  /** One column per this many seconds, aligned to the clock (a 60 s window starts on the minute). */
  readonly windowS: number;
  /** Windows kept: the oldest falls out when a sample opens a new one. */
  readonly windowCount: number;
}

/**
 * The last hour in minutes: long enough to see a pattern (every ten minutes, when the charger or
 * the heater switches), fine enough to tie a burst to a time in the event log, and independent
 * of the scan rate.
 */
export const DEFAULT_LINK_ERROR_WINDOWS: LinkErrorWindowsOptions = Object.freeze({
  windowS: 60,
  windowCount: 60,
});

/** The source's counters since its start, per module address, read at `atMs` (clock time). */
export interface LinkCounterSample {
  readonly atMs: number;
  readonly perModule: Readonly<Record<number, LinkCounters>>;
}

/** The transactions of one window, per module address: what the counters grew by within it. */
export interface LinkErrorWindow {
  readonly startMs: number;
  readonly perModule: Readonly<Record<number, LinkCounters>>;
}

export interface LinkErrorWindows {
  readonly options: LinkErrorWindowsOptions;
  /** Oldest first; only windows with a sample in them (a gap is absent, not zeros). */
  readonly windows: readonly LinkErrorWindow[];
  /** What the next sample is counted from; null before the first. */
  readonly baseline: LinkCounterSample | null;
}

/** No windows and no baseline yet. */
export function emptyLinkErrorWindows(
  options: LinkErrorWindowsOptions = DEFAULT_LINK_ERROR_WINDOWS,
): LinkErrorWindows {
  return Object.freeze({ options, windows: Object.freeze([]), baseline: null });
}

const COUNTER_NAMES = Object.keys(EMPTY_LINK_COUNTERS) as readonly (keyof LinkCounters)[];

/**
 * What `now` counted since `before`. A counter that went down means the source restarted (a new
 * core after a config change): its counters began again at zero, so all of `now` is new.
 */
export function linkCounterGrowth(now: LinkCounters, before: LinkCounters | undefined): LinkCounters {
  if (before === undefined || COUNTER_NAMES.some((name) => now[name] < before[name])) return now;
  const growth: Record<keyof LinkCounters, number> = { ...EMPTY_LINK_COUNTERS };
  for (const name of COUNTER_NAMES) growth[name] = now[name] - before[name];
  return Object.freeze(growth);
}

/**
 * `ring` with `sample` counted into the window of `sample.atMs`. The first sample is only the
 * baseline: what the source counted before it happened at no known time (the HTTP output may
 * start long after the source). A clock that went back (the window is older than the newest kept)
 * empties the ring, as the windows would no longer be in order; the sample still becomes the
 * baseline.
 */
export function addLinkCounterSample(ring: LinkErrorWindows, sample: LinkCounterSample): LinkErrorWindows {
  if (ring.baseline === null) return Object.freeze({ ...ring, baseline: sample });
  const windowMs = ring.options.windowS * 1000;
  const startMs = Math.floor(sample.atMs / windowMs) * windowMs;
  const newest = ring.windows.at(-1);
  const kept =
    newest === undefined || newest.startMs > startMs
      ? []
      : ring.windows.filter((w) => w.startMs > startMs - ring.options.windowCount * windowMs);
  const current = kept.at(-1)?.startMs === startMs ? kept.pop() : undefined;
  const perModule: Record<number, LinkCounters> = { ...current?.perModule };
  for (const [address, counters] of Object.entries(sample.perModule)) {
    const growth = linkCounterGrowth(counters, ring.baseline.perModule[Number(address)]);
    const sum = perModule[Number(address)];
    perModule[Number(address)] = sum === undefined ? growth : sumLinkCounters([sum, growth]);
  }
  const window: LinkErrorWindow = Object.freeze({ startMs, perModule: Object.freeze(perModule) });
  return Object.freeze({
    options: ring.options,
    windows: Object.freeze([...kept, window]),
    baseline: sample,
  });
}
