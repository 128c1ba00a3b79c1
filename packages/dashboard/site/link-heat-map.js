import { html, replaceChildren } from './dom.js';
import { formatClockTime } from './format.js';
import { addressLabel, cellText, cellTitle, columnText, heatMapSummary, spanText } from './link-errors.js';

/*
 * The serial loop's heat map (GET /api/link-errors): a row per module, a column per window, each
 * cell coloured by its level (`level-0` none failed … `level-4` all; the CSS has the colours), the
 * totals at the end. Each cell's title (and aria-label) has its counts by kind; the summary above
 * the table is its text alternative.
 */

/** The legend: a swatch per level with the report's words for it, and the blank of "not asked". */
function renderLegend(legend, report) {
  replaceChildren(legend, [
    html('span', { text: 'failed share: ' }),
    ...report.levels.flatMap((label, level) => [
      html('span', { class: `swatch heat level-${level}` }),
      html('span', { text: `${label} ` }),
    ]),
    html('span', { class: 'swatch heat not-asked' }),
    html('span', { text: 'not asked' }),
  ]);
}

function cellOf(report, row, cell, i) {
  const title = cellTitle(cell, report.windowStartsMs[i], report.windowS);
  return html('td', {
    'data-testid': 'link-cell',
    'data-module': row.address,
    'data-level': cell === null ? '' : cell.level,
    class: cell === null ? 'heat not-asked' : `heat level-${cell.level}`,
    title,
    'aria-label': title,
  });
}

function rowOf(report, row) {
  return html('tr', { 'data-testid': 'link-row', 'data-module': row.address }, [
    html('th', { scope: 'row', text: addressLabel(row.address) }),
    ...row.windows.map((cell, i) => cellOf(report, row, cell, i)),
    html('td', {
      'data-testid': 'link-total',
      'data-level': row.total.level,
      'data-failures': row.total.failures,
      class: `total level-${row.total.level}`,
      text: cellText(row.total),
    }),
  ]);
}

/** Draws `report` into the section's legend, summary and map elements. */
export function renderLinkHeatMap({ legend, summary, map }, report) {
  renderLegend(legend, report);
  summary.textContent = heatMapSummary(report);
  const first = report.windowStartsMs[0];
  const table = html('table', { class: 'heat-map', 'aria-describedby': summary.id }, [
    html('caption', {
      text: `Failed transactions per module, ${spanText(report)} (${columnText(report)}), from ${formatClockTime(first)}`,
    }),
    html('thead', {}, [
      html('tr', {}, [
        html('th', { scope: 'col', text: 'Module' }),
        html('th', { scope: 'colgroup', colspan: report.windowStartsMs.length, class: 'axis' }, [
          html('span', { text: formatClockTime(first) }),
          html('span', { text: 'now' }),
        ]),
        html('th', { scope: 'col', text: 'Totals' }),
      ]),
    ]),
    html(
      'tbody',
      {},
      report.modules.map((row) => rowOf(report, row)),
    ),
  ]);
  replaceChildren(map, [table]);
}

/** The section when the pack source keeps no counters (a replay): one line instead of the map. */
export function renderLinkHeatMapUnavailable({ legend, summary, map }, message) {
  replaceChildren(legend, []);
  summary.textContent = message;
  replaceChildren(map, []);
}
