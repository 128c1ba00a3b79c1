/*
 * Geometry of the cell bar chart: pure, so Jest tests it and cell-chart.js only draws. Cells are
 * grouped by module in the snapshot's order; `cellIndex` is 0-based like the status JSON.
 */

/** The lowest and highest known cell (the first of equals), `{ moduleAddress, cellIndex, voltage }` each; null if none is known. */
/** @param {readonly import('@tsbms/bms-core').ModuleStatus[]} modules */
export function cellExtremes(modules) {
  let min = null;
  let max = null;
  for (const module of modules) {
    module.cells.forEach((cell, cellIndex) => {
      if (typeof cell.voltage !== 'number') return;
      const here = { moduleAddress: module.address, cellIndex, voltage: cell.voltage };
      if (min === null || cell.voltage < min.voltage) min = here;
      if (max === null || cell.voltage > max.voltage) max = here;
    });
  }
  return min === null ? null : { min, max };
}

/** Volts at the bottom and top of the chart: the known cells with a margin, on 0.1 V steps. */
export function voltageScale(extremes, { marginV = 0.05, fallback = { floorV: 3.0, ceilingV: 4.2 } } = {}) {
  if (extremes === null) return fallback;
  const floorV = Math.floor((extremes.min.voltage - marginV) * 10) / 10;
  const ceilingV = Math.ceil((extremes.max.voltage + marginV) * 10) / 10;
  return { floorV, ceilingV: Math.max(ceilingV, floorV + 0.1) };
}

/**
 * Which extreme a voltage is: 'max', 'min' or null. Every cell at the highest (lowest) reading is
 * one, not only the first; none when every known cell reads the same.
 */
function extremeOf(extremes, voltage) {
  if (extremes === null || voltage === null || extremes.max.voltage === extremes.min.voltage) return null;
  if (voltage === extremes.max.voltage) return 'max';
  if (voltage === extremes.min.voltage) return 'min';
  return null;
}

/**
 * One bar per cell inside `width` × `height` pixels (y grows downwards, as in SVG), modules
 * separated by `moduleGapPx`. A cell with no reading gets a zero-height bar at the bottom.
 */
/** @param {readonly import('@tsbms/bms-core').ModuleStatus[]} modules */
export function layoutCellBars(modules, { width, height, cellGapPx = 2, moduleGapPx = 10 }) {
  const extremes = cellExtremes(modules);
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
      const known = typeof cell.voltage === 'number';
      const y = known ? toY(cell.voltage) : height;
      bars.push({
        moduleAddress: module.address,
        cellIndex,
        voltage: known ? cell.voltage : null,
        balancing: cell.balancing === true,
        extreme: extremeOf(extremes, known ? cell.voltage : null),
        x,
        y,
        width: barWidth,
        height: height - y,
      });
      x += barWidth + cellGapPx;
    });
    groups.push({ moduleAddress: module.address, x: groupX, width: x - cellGapPx - groupX });
  });
  return { bars, groups, scale, extremes };
}
