import { html, replaceChildren, svg } from './dom.js';
import { formatLocation, formatNumber } from './format.js';
import { layoutCellBars } from './cell-geometry.js';

/*
 * Every cell's voltage as a bar, grouped by module, balancing cells marked, the lowest and the
 * highest cell highlighted. Redrawn from each snapshot (a few hundred elements at most).
 */

const WIDTH = 960;
const PLOT_HEIGHT = 220;
const TOP = 16;
const LEFT = 44;
const LABEL_HEIGHT = 22;

/** @param {import('@tsbms/bms-core').CellExtreme} e */
function extremeText(name, e) {
  return `${name} ${formatNumber(e.voltageV, 3, 'V')} (${formatLocation({ moduleAddress: e.moduleAddress, cellIndex: e.cellIndex })})`;
}

/**
 * Draws the status's modules into `chart` (an element) and the max/min/spread line of its
 * `extremes` into `summary`.
 * @param {import('@tsbms/bms-core').BmsStatus} status
 */
export function renderCellChart(chart, summary, status) {
  const { modules, extremes } = status;
  const layout = layoutCellBars(modules, extremes, { width: WIDTH - LEFT, height: PLOT_HEIGHT });
  const { floorV, ceilingV } = layout.scale;
  const plot = svg('g', { transform: `translate(${LEFT} ${TOP})` });

  for (const v of [floorV, (floorV + ceilingV) / 2, ceilingV]) {
    const y = PLOT_HEIGHT - ((v - floorV) / (ceilingV - floorV)) * PLOT_HEIGHT;
    plot.append(
      svg('line', { class: 'grid', x1: 0, x2: WIDTH - LEFT, y1: y, y2: y }),
      svg('text', { class: 'axis', x: -6, y: y + 4, 'text-anchor': 'end', text: v.toFixed(2) }),
    );
  }
  for (const bar of layout.bars) {
    const label = `${formatLocation({ moduleAddress: bar.moduleAddress, cellIndex: bar.cellIndex })}: ${formatNumber(bar.voltageV, 3, 'V')}${bar.balancing ? ', balancing' : ''}`;
    const classes = [
      'cell',
      bar.voltageV === null ? 'unknown' : null,
      bar.extreme,
      bar.balancing ? 'balancing' : null,
    ];
    plot.append(
      svg(
        'rect',
        {
          'data-testid': 'cell-bar',
          'data-module': bar.moduleAddress,
          // 1-based like the modules' labels and the emulator's API; the status JSON is 0-based.
          'data-cell': bar.cellIndex + 1,
          'data-voltage': bar.voltageV === null ? '' : bar.voltageV,
          'data-balancing': String(bar.balancing),
          'data-extreme': bar.extreme ?? '',
          class: classes.filter(Boolean).join(' '),
          x: bar.x,
          y: bar.y,
          width: bar.width,
          height: bar.height,
        },
        [svg('title', { text: label })],
      ),
    );
    if (bar.balancing) {
      const cx = bar.x + bar.width / 2;
      plot.append(
        svg('path', {
          'data-testid': 'balancing-mark',
          class: 'balancing-mark',
          d: `M${cx - 4} ${bar.y - 9} L${cx + 4} ${bar.y - 9} L${cx} ${bar.y - 3} Z`,
        }),
      );
    }
  }
  for (const group of layout.groups) {
    plot.append(
      svg('text', {
        class: 'module-label',
        x: group.x + group.width / 2,
        y: PLOT_HEIGHT + 16,
        'text-anchor': 'middle',
        text: `M${group.moduleAddress}`,
      }),
    );
  }
  replaceChildren(chart, [
    svg(
      'svg',
      {
        viewBox: `0 0 ${WIDTH} ${TOP + PLOT_HEIGHT + LABEL_HEIGHT}`,
        role: 'img',
        'aria-label': 'cell voltages',
      },
      [plot],
    ),
  ]);

  const { lowestCell, highestCell, cellSpreadV } = extremes;
  replaceChildren(summary, [
    lowestCell === null || highestCell === null
      ? html('span', { text: 'no cell readings yet' })
      : html('span', {
          'data-testid': 'cell-extremes',
          text: `${extremeText('max', highestCell)} · ${extremeText('min', lowestCell)} · spread ${formatNumber(cellSpreadV === null ? null : cellSpreadV * 1000, 0, 'mV')}`,
        }),
  ]);
}
