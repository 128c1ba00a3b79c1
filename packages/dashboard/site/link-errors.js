import { formatClockTime, formatNumber } from './format.js';

/*
 * The words of the serial-loop heat map (GET /api/link-errors): each cell's tooltip, each row's
 * totals, and the summary that is the map's text alternative. Pure, so Jest tests it;
 * link-heat-map.js draws. The levels and their thresholds come with the report (the HTTP output
 * computes them with the doctor's terminal map's function), so none is repeated here.
 */

/** How a transaction failed (T-5), singular and plural; retries follow the failures. */
const FAILURE_KINDS = [
  ['crcErrors', 'CRC error', 'CRC errors'],
  ['badFrames', 'bad frame', 'bad frames'],
  ['echoMismatches', 'echo mismatch', 'echo mismatches'],
  ['timeouts', 'timeout', 'timeouts'],
  ['noSuchModule', 'no such module', 'no such module'],
  ['retries', 'retry', 'retries'],
];

/** `M2`; the loop's own addresses by name (0 before numbering, 63 a broadcast). */
export function addressLabel(address) {
  if (address === 0) return 'unaddressed';
  if (address === 63) return 'broadcast';
  return `M${address}`;
}

/** `12 CRC errors, 2 timeouts, 3 retries`; empty when nothing failed nor was repeated. */
export function failureKindsText(cell) {
  return FAILURE_KINDS.filter(([key]) => cell[key] > 0)
    .map(([key, one, many]) => `${cell[key]} ${cell[key] === 1 ? one : many}`)
    .join(', ');
}

/** `10 of 40 failed (25.0 %)`, `0 of 40 failed`. */
export function failedText(cell) {
  const share =
    cell.failures === 0 ? '' : ` (${formatNumber((cell.failures / cell.transactions) * 100, 1, '%')})`;
  return `${cell.failures} of ${cell.transactions} failed${share}`;
}

/** `10 of 40 failed (25.0 %): 8 CRC errors, 2 timeouts`. */
export function cellText(cell) {
  const kinds = failureKindsText(cell);
  return kinds === '' ? failedText(cell) : `${failedText(cell)}: ${kinds}`;
}

/** One cell's tooltip: its time span and what happened in it (`not asked` for a null cell). */
export function cellTitle(cell, startMs, windowS) {
  const span = `${formatClockTime(startMs)}–${formatClockTime(startMs + windowS * 1000)}`;
  return `${span}: ${cell === null ? 'not asked' : cellText(cell)}`;
}

/** `last 60 min`: what the report's columns span. */
export function spanText(report) {
  const minutes = (report.windowS * report.windowStartsMs.length) / 60;
  return `last ${formatNumber(minutes, Number.isInteger(minutes) ? 0 : 1, 'min')}`;
}

/** `one column per minute` (or per N s). */
export function columnText(report) {
  return `one column per ${report.windowS === 60 ? 'minute' : `${report.windowS} s`}`;
}

/** The start of the row's window with the most failures (the first of equals); null when none failed. */
function worstWindowMs(report, row) {
  let worst = -1;
  row.windows.forEach((cell, i) => {
    if (cell !== null && cell.failures > (row.windows[worst]?.failures ?? 0)) worst = i;
  });
  return worst < 0 ? null : report.windowStartsMs[worst];
}

/**
 * The map in words, the text alternative of its colours (the table points to it): each address
 * with failures, its totals and the window with most of them, then those without.
 */
export function heatMapSummary(report) {
  const span = spanText(report);
  if (report.modules.length === 0) return `Nothing was asked in the ${span}.`;
  const parts = report.modules
    .filter((row) => row.total.failures > 0)
    .map(
      (row) =>
        `${addressLabel(row.address)}: ${cellText(row.total)}, most at ${formatClockTime(worstWindowMs(report, row))}`,
    );
  const clean = report.modules
    .filter((row) => row.total.failures === 0)
    .map((row) => addressLabel(row.address));
  if (clean.length > 0) parts.push(`${clean.join(', ')}: no failures`);
  return `In the ${span}: ${parts.join('. ')}.`;
}
