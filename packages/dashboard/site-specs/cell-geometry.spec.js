import * as fc from 'fast-check';
import { statusExtremes } from '@tsbms/bms-core/testing';
import { layoutCellBars, voltageScale } from '../site/cell-geometry.js';

const moduleOf = (address, voltages, balancing = []) => ({
  address,
  temperaturesC: [],
  cells: voltages.map((voltageV, i) => ({ voltageV, balancing: balancing[i] === true })),
});

const BOX = { width: 600, height: 200 };

/** The bars of `modules` with the extremes the core reports for them (`status.extremes`). */
const layout = (modules, box = BOX) => layoutCellBars(modules, statusExtremes(modules), box);

const packArb = fc
  .array(
    fc.array(fc.option(fc.double({ min: 2.5, max: 4.5, noNaN: true }), { nil: null }), {
      minLength: 6,
      maxLength: 6,
    }),
    {
      minLength: 1,
      maxLength: 16,
    },
  )
  .map((modules) => modules.map((cells, i) => moduleOf(i + 1, cells)));

describe('layoutCellBars with the status extremes', () => {
  it('highlights by the extremes the status carries, not by its own search', () => {
    const modules = [moduleOf(1, [3.9, 4.0, 3.95])];
    const extremes = {
      lowestCell: { voltageV: 3.95, moduleAddress: 1, cellIndex: 2 },
      highestCell: { voltageV: 4.0, moduleAddress: 1, cellIndex: 1 },
    };
    expect(layoutCellBars(modules, extremes, BOX).bars.map((b) => b.extreme)).toEqual([null, 'max', 'min']);
  });

  it('marks nothing and keeps the fallback scale before any cell is known', () => {
    const { bars, scale } = layout([moduleOf(1, [null, null])]);
    expect(bars.map((b) => b.extreme)).toEqual([null, null]);
    expect(scale).toEqual({ floorV: 3.0, ceilingV: 4.2 });
  });
});

describe('voltageScale', () => {
  it('spans the known cells with a margin on 0.1 V steps', () => {
    const e = { lowestCell: { voltageV: 3.62 }, highestCell: { voltageV: 4.11 } };
    const scale = voltageScale(e);
    expect(scale.floorV).toBeCloseTo(3.5, 9);
    expect(scale.ceilingV).toBeCloseTo(4.2, 9);
  });

  it('is never flat when every cell reads the same', () => {
    const scale = voltageScale({ lowestCell: { voltageV: 4 }, highestCell: { voltageV: 4 } });
    expect(scale.ceilingV - scale.floorV).toBeGreaterThanOrEqual(0.1);
  });
});

describe('layoutCellBars', () => {
  it('draws one bar per cell, grouped by module, cells numbered per module', () => {
    const { bars, groups } = layout([moduleOf(1, [3.9, 3.9, 3.9]), moduleOf(2, [3.9, 3.9, 3.9])]);
    expect(bars.map((b) => [b.moduleAddress, b.cellIndex])).toEqual([
      [1, 0],
      [1, 1],
      [1, 2],
      [2, 0],
      [2, 1],
      [2, 2],
    ]);
    expect(groups.map((g) => g.moduleAddress)).toEqual([1, 2]);
    // The gap between modules is wider than between cells.
    const cellGap = bars[1].x - (bars[0].x + bars[0].width);
    const moduleGap = bars[3].x - (bars[2].x + bars[2].width);
    expect(moduleGap).toBeGreaterThan(cellGap);
  });

  it('marks the highest and lowest cell and carries balancing', () => {
    const { bars } = layout([moduleOf(1, [3.9, 4.05, 3.8, 3.9, 3.9, 3.9], [false, true])]);
    expect(bars.map((b) => b.extreme)).toEqual([null, 'max', 'min', null, null, null]);
    expect(bars.map((b) => b.balancing)).toEqual([false, true, false, false, false, false]);
  });

  it('marks every cell at the highest or lowest reading', () => {
    const { bars } = layout([moduleOf(1, [3.9, 4.0, 3.95]), moduleOf(2, [3.9, 4.0, 3.95])]);
    expect(bars.map((b) => b.extreme)).toEqual(['min', 'max', null, 'min', 'max', null]);
  });

  it('marks no extremes when every cell reads the same', () => {
    const { bars } = layout([moduleOf(1, [4, 4, 4])]);
    expect(bars.every((b) => b.extreme === null)).toBe(true);
  });

  it('draws a higher cell taller', () => {
    const { bars } = layout([moduleOf(1, [3.9, 3.91])]);
    expect(bars[1].height).toBeGreaterThan(bars[0].height);
  });

  it('draws an unknown cell as an empty bar with no voltage', () => {
    const { bars } = layout([moduleOf(1, [null, 3.9])]);
    expect(bars[0]).toMatchObject({ voltageV: null, height: 0, y: BOX.height });
  });

  it('keeps every bar inside the box, left to right without overlap, taller for a higher voltage', () => {
    fc.assert(
      fc.property(packArb, (modules) => {
        const { bars } = layout(modules);
        expect(bars).toHaveLength(modules.length * 6);
        for (const [i, bar] of bars.entries()) {
          expect(bar.x).toBeGreaterThanOrEqual(0);
          expect(bar.x + bar.width).toBeLessThanOrEqual(BOX.width + 1e-6);
          expect(bar.y).toBeGreaterThanOrEqual(0);
          expect(bar.y + bar.height).toBeCloseTo(BOX.height, 6);
          if (i > 0) expect(bar.x).toBeGreaterThanOrEqual(bars[i - 1].x + bars[i - 1].width);
        }
        const known = bars.filter((b) => b.voltageV !== null);
        for (const a of known) {
          for (const b of known)
            if (a.voltageV > b.voltageV) expect(a.height).toBeGreaterThanOrEqual(b.height);
        }
        const highest = Math.max(...known.map((b) => b.voltageV));
        const lowest = Math.min(...known.map((b) => b.voltageV));
        for (const bar of known) {
          const expected =
            highest === lowest
              ? null
              : bar.voltageV === highest
                ? 'max'
                : bar.voltageV === lowest
                  ? 'min'
                  : null;
          expect(bar.extreme).toBe(expected);
        }
      }),
    );
  });
});
