/*
 * The pack voltage and SoC history (last 24 h, in the browser's memory): appending live
 * snapshots and the line chart's geometry. Pure, so Jest tests it; history-chart.js draws.
 */

export const HISTORY_WINDOW_MS = 24 * 60 * 60 * 1000;
/** One kept point per this much time; the newest point always follows the live value. */
export const HISTORY_SPACING_MS = 60 * 1000;

/**
 * `points` with `point` added: a point that is not newer than the last is ignored, points
 * older than the window are dropped, and while the newest two are closer than `spacingMs` the
 * newest is replaced instead of kept, so a day at 1 Hz stays about 1440 points.
 */
export function appendHistoryPoint(
  points,
  point,
  { windowMs = HISTORY_WINDOW_MS, spacingMs = HISTORY_SPACING_MS } = {},
) {
  if (typeof point.timestampMs !== 'number') return points;
  const last = points[points.length - 1];
  if (last !== undefined && point.timestampMs <= last.timestampMs) return points;
  const beforeLast = points[points.length - 2];
  const kept =
    beforeLast !== undefined && last.timestampMs - beforeLast.timestampMs < spacingMs
      ? points.slice(0, -1)
      : points.slice();
  kept.push({
    timestampMs: point.timestampMs,
    packVoltageV: point.packVoltageV ?? null,
    socPercent: point.socPercent ?? null,
  });
  const oldestMs = point.timestampMs - windowMs;
  return kept.filter((p) => p.timestampMs >= oldestMs);
}

/** A snapshot as a history point. */
/** @param {import('@tsbms/bms-core').BmsStatus} status */
export function historyPointOf(status) {
  return {
    timestampMs: status.timestampMs,
    packVoltageV: status.packVoltageV,
    socPercent: status.socPercent,
  };
}

/** The known values' range with a margin; `fallback` when there are none; never zero height. */
export function valueRange(values, { marginFraction = 0.05, fallback = { min: 0, max: 1 } } = {}) {
  const known = values.filter((v) => typeof v === 'number' && Number.isFinite(v));
  if (known.length === 0) return fallback;
  const lo = Math.min(...known);
  const hi = Math.max(...known);
  const margin = Math.max((hi - lo) * marginFraction, 0.5);
  return { min: lo - margin, max: hi + margin };
}

/**
 * An SVG path (`M x y L x y …`) of one series over `[endMs - windowMs, endMs]` in a `width` ×
 * `height` box; an unknown value breaks the line so a gap is not drawn as a slope.
 */
export function linePath(points, valueOf, { endMs, windowMs = HISTORY_WINDOW_MS, width, height, range }) {
  const startMs = endMs - windowMs;
  const span = range.max - range.min;
  let path = '';
  let drawing = false;
  for (const p of points) {
    const value = valueOf(p);
    if (typeof value !== 'number' || p.timestampMs < startMs) {
      drawing = false;
      continue;
    }
    const x = ((p.timestampMs - startMs) / windowMs) * width;
    const y = height - ((value - range.min) / span) * height;
    path += `${path === '' ? '' : ' '}${drawing ? 'L' : 'M'}${round(x)} ${round(y)}`;
    drawing = true;
  }
  return path;
}

/** The shortest time the chart spans, so that a few points are not drawn as one. */
export const MIN_WINDOW_MS = 60_000;

/** The range, or less when the points cover less of it (a new history is not a sliver at the edge). */
export function shownWindowMs(points, rangeMs) {
  if (points.length === 0) return rangeMs;
  const spanMs = points[points.length - 1].timestampMs - points[0].timestampMs;
  return Math.min(rangeMs, Math.max(MIN_WINDOW_MS, spanMs));
}

const round = (n) => Math.round(n * 10) / 10;

/**
 * The chart's ranges and the history file's tier each reads (GET /api/history/rows): about a few
 * hundred to a few thousand points each.
 */
export const HISTORY_RANGES = {
  hour: { label: 'Hour', windowMs: 60 * 60 * 1000, tier: '10s' },
  day: { label: 'Day', windowMs: 24 * 60 * 60 * 1000, tier: '1min' },
  week: { label: 'Week', windowMs: 7 * 24 * 60 * 60 * 1000, tier: '15min' },
  month: { label: 'Month', windowMs: 31 * 24 * 60 * 60 * 1000, tier: '15min' },
};

/** The history file's rows as chart points: each bucket's mean pack voltage and SoC at its start. */
export function archivePointsOf(rows) {
  return rows.map((row) => ({
    timestampMs: row.startMs,
    packVoltageV: row.series?.packVoltageV?.mean ?? null,
    socPercent: row.series?.socPercent?.mean ?? null,
  }));
}
