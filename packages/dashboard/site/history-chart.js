import { replaceChildren, svg } from './dom.js';
import { formatClockTime, formatDateTime } from './format.js';
import { HISTORY_WINDOW_MS, linePath, shownWindowMs, valueRange } from './history.js';

/* Pack voltage (left axis) and SoC (right axis) over a window (24 h by default) ending at the newest point. */

const WIDTH = 960;
const HEIGHT = 200;
const LEFT = 48;
const RIGHT = 40;
const TOP = 10;
const BOTTOM = 22;
const SOC_RANGE = { min: 0, max: 100 };

export function renderHistoryChart(chart, points, rangeMs = HISTORY_WINDOW_MS) {
  const plotWidth = WIDTH - LEFT - RIGHT;
  const endMs = points.length > 0 ? points[points.length - 1].timestampMs : 0;
  const windowMs = shownWindowMs(points, rangeMs);
  const voltageRange = valueRange(points.map((p) => p.packVoltageV));
  const box = { endMs, windowMs, width: plotWidth, height: HEIGHT, range: voltageRange };
  const plot = svg('g', { transform: `translate(${LEFT} ${TOP})` }, [
    svg('rect', { class: 'frame', x: 0, y: 0, width: plotWidth, height: HEIGHT }),
    svg('path', {
      'data-testid': 'history-voltage',
      class: 'series voltage',
      d: linePath(points, (p) => p.packVoltageV, box),
    }),
    svg('path', {
      'data-testid': 'history-soc',
      class: 'series soc',
      d: linePath(points, (p) => p.socPercent, { ...box, range: SOC_RANGE }),
    }),
  ]);
  for (const fraction of [0, 0.5, 1]) {
    const y = HEIGHT - fraction * HEIGHT;
    const volts = voltageRange.min + fraction * (voltageRange.max - voltageRange.min);
    plot.append(
      svg('text', {
        class: 'axis voltage',
        x: -6,
        y: y + 4,
        'text-anchor': 'end',
        text: `${volts.toFixed(1)} V`,
      }),
      svg('text', { class: 'axis soc', x: plotWidth + 6, y: y + 4, text: `${fraction * 100}%` }),
    );
  }
  if (points.length > 0) {
    for (const fraction of [0, 0.25, 0.5, 0.75, 1]) {
      const x = fraction * plotWidth;
      const anchor = fraction === 0 ? 'start' : fraction === 1 ? 'end' : 'middle';
      const t = endMs - (1 - fraction) * windowMs;
      // Beyond a day the time of day alone is ambiguous: the date goes with it.
      const text = windowMs > HISTORY_WINDOW_MS ? formatDateTime(t) : formatClockTime(t);
      plot.append(svg('text', { class: 'axis', x, y: HEIGHT + 16, 'text-anchor': anchor, text }));
    }
  }
  replaceChildren(chart, [
    svg(
      'svg',
      {
        viewBox: `0 0 ${WIDTH} ${TOP + HEIGHT + BOTTOM}`,
        role: 'img',
        'aria-label': `pack voltage and SoC, the last ${Math.round(windowMs / 3_600_000)} hours`,
        'data-points': points.length,
      },
      [plot],
    ),
  ]);
}
