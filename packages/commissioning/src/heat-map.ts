import { failedShareLevel } from './failed-share';
import { failuresOf, sumLinkCounters, transactionsOf, type ModuleObservation } from './observations';
import { percent } from './words';

export interface HeatMapOptions {
  /** Widest map in characters; longer runs put several scans in one column. Default 40. */
  readonly maxColumns?: number;
}

/** The shade of each failed-share level (failed-share.ts): none, under 25 %, under 50 %, under 100 %, all. */
export const HEAT_MAP_SHADES = ['·', '░', '▒', '▓', '█'] as const;

export const HEAT_MAP_LEGEND =
  'failed transactions per scan: · none  ░ < 25 %  ▒ < 50 %  ▓ < 100 %  █ all  (blank: not asked)';

function shadeOf(failures: number, transactions: number): string {
  const level = failedShareLevel(failures, transactions);
  return level === null ? ' ' : HEAT_MAP_SHADES[level];
}

/**
 * A plain-text heat map of the transmission errors: one row per module, one column per scan (or
 * per window of scans when there are more than `maxColumns`), each a shade of its failed share,
 * and the totals at the end of the row. Where errors cluster in time or in the loop shows at a
 * glance. Lines are joined with '\n'; the legend comes first.
 */
export function renderLinkHeatMap(
  modules: readonly ModuleObservation[],
  options: HeatMapOptions = {},
): string {
  if (modules.length === 0) return 'no module was scanned';
  const maxColumns = Math.max(1, Math.floor(options.maxColumns ?? 40));
  const scans = Math.max(...modules.map((m) => m.scans.length));
  const perColumn = Math.max(1, Math.ceil(scans / maxColumns));
  const columns = Math.ceil(scans / perColumn);
  const labels = modules.map((m) => `module ${m.address}`);
  const width = Math.max(...labels.map((l) => l.length));
  const rows = modules.map((module, i) => {
    let cells = '';
    for (let c = 0; c < columns; c++) {
      const window = sumLinkCounters(
        module.scans.slice(c * perColumn, (c + 1) * perColumn).map((s) => s.link),
      );
      cells += shadeOf(failuresOf(window), transactionsOf(window));
    }
    const total = sumLinkCounters(module.scans.map((s) => s.link));
    const failed = failuresOf(total);
    const all = transactionsOf(total);
    const rate = failed === 0 ? '' : ` (${percent(failed / all)})`;
    return `${labels[i].padEnd(width)} │${cells.padEnd(columns)}│ ${failed}/${all} failed${rate}`;
  });
  const scale = perColumn === 1 ? '' : ` (${perColumn} scans per column)`;
  return [`${HEAT_MAP_LEGEND}${scale}`, ...rows].join('\n');
}
