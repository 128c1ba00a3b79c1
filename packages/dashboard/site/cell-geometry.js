/*
 * Geometry of the cell bar chart: pure, so Jest tests it and cell-chart.js only draws. Cells are
 * grouped by module in the snapshot's order; `cellIndex` is 0-based like the status JSON.
 */

/**
 * The extremes the status carries (`status.extremes`, from the core's pack statistics); the chart
 * highlights and scales by them and never recomputes them.
 * @typedef {import('@tsbms/bms-core').PackExtremes} PackExtremes
 */

/**
 * Volts at the bottom and top of the chart: the lowest and highest cell with a margin, on 0.1 V
 * steps; `fallback` while either is unknown.
 * @param {Pick<PackExtremes, 'lowestCell' | 'highestCell'>} extremes
 */
export function voltageScale(extremes, { marginV = 0.05, fallback = { floorV: 3.0, ceilingV: 4.2 } } = {}) {
  const { lowestCell, highestCell } = extremes;
  if (lowestCell === null || highestCell === null) return fallback;
  const floorV = Math.floor((lowestCell.voltageV - marginV) * 10) / 10;
  const ceilingV = Math.ceil((highestCell.voltageV + marginV) * 10) / 10;
  return { floorV, ceilingV: Math.max(ceilingV, floorV + 0.1) };
}

/**
 * Which extreme a voltage is: 'max', 'min' or null. Every cell at the highest (lowest) reading is
 * one, not only the one the status names; none when every known cell reads the same.
 * @param {Pick<PackExtremes, 'lowestCell' | 'highestCell'>} extremes
 * @param {number | null} voltageV
 */
function extremeOf({ lowestCell, highestCell }, voltageV) {
  if (lowestCell === null || highestCell === null || voltageV === null) return null;
  if (highestCell.voltageV === lowestCell.voltageV) return null;
  if (voltageV === highestCell.voltageV) return 'max';
  if (voltageV === lowestCell.voltageV) return 'min';
  return null;
}

/**
 * One bar per cell inside `width` × `height` pixels (y grows downwards, as in SVG), modules
 * separated by `moduleGapPx`. A cell with no reading gets a zero-height bar at the bottom.
 * @param {readonly import('@tsbms/bms-core').ModuleStatus[]} modules
 * @param {Pick<PackExtremes, 'lowestCell' | 'highestCell'>} extremes the status's `extremes`
 */
export function layoutCellBars(modules, extremes, { width, height, cellGapPx = 2, moduleGapPx = 10 }) {
  const scale = voltageScale(extremes);
  const cellCount = modules.reduce((n, m) => n + m.cells.length, 0);
  const gaps =
    Math.max(0, cellCount - modules.length) * cellGapPx + Math.max(0, modules.length - 1) * moduleGapPx;
  const barWidth = cellCount === 0 ? 0 : Math.max(1, (width - gaps) / cellCount);
  const toY = (v) =>
    height -
    ((Math.min(Math.max(v, scale.floorV), scale.ceilingV) - scale.floorV) / (scale.ceilingV - scale.floorV)) *
      height;

  const bars = [];
  const groups = [];
  let x = 0;
  modules.forEach((module, m) => {
    if (m > 0) x += moduleGapPx - cellGapPx;
    const groupX = x;
    module.cells.forEach((cell, cellIndex) => {
      const known = typeof cell.voltageV === 'number';
      const y = known ? toY(cell.voltageV) : height;
      bars.push({
        moduleAddress: module.address,
        cellIndex,
        voltageV: known ? cell.voltageV : null,
        balancing: cell.balancing === true,
        extreme: extremeOf(extremes, known ? cell.voltageV : null),
        x,
        y,
        width: barWidth,
        height: height - y,
      });
      x += barWidth + cellGapPx;
    });
    groups.push({ moduleAddress: module.address, x: groupX, width: x - cellGapPx - groupX });
  });
  return { bars, groups, scale };
}
