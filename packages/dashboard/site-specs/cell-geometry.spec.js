import * as fc from 'fast-check';
import { cellExtremes, layoutCellBars, voltageScale } from '../site/cell-geometry.js';

const moduleOf = (address, voltages, balancing = []) => ({
  address,
  cells: voltages.map((voltage, i) => ({ voltage, balancing: balancing[i] === true })),
});

const BOX = { width: 600, height: 200 };

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

describe('cellExtremes', () => {
  it('finds the lowest and highest known cell with their place', () => {
    const modules = [
      moduleOf(1, [3.9, 3.95, null, 3.91, 3.9, 3.9]),
      moduleOf(2, [3.9, 3.9, 4.05, 3.9, 3.85, 3.9]),
    ];
    expect(cellExtremes(modules)).toEqual({
      min: { moduleAddress: 2, cellIndex: 4, voltage: 3.85 },
      max: { moduleAddress: 2, cellIndex: 2, voltage: 4.05 },
    });
  });

  it('is null when no cell is known', () => {
    expect(cellExtremes([moduleOf(1, [null, null])])).toBeNull();
    expect(cellExtremes([])).toBeNull();
  });
});

describe('voltageScale', () => {
  it('spans the known cells with a margin on 0.1 V steps', () => {
    const e = { min: { voltage: 3.62 }, max: { voltage: 4.11 } };
    const scale = voltageScale(e);
    expect(scale.floorV).toBeCloseTo(3.5, 9);
    expect(scale.ceilingV).toBeCloseTo(4.2, 9);
  });

  it('is never flat when every cell reads the same', () => {
    const scale = voltageScale({ min: { voltage: 4 }, max: { voltage: 4 } });
    expect(scale.ceilingV - scale.floorV).toBeGreaterThanOrEqual(0.1);
  });
});

describe('layoutCellBars', () => {
  it('draws one bar per cell, grouped by module, cells numbered per module', () => {
    const { bars, groups } = layoutCellBars(
      [moduleOf(1, [3.9, 3.9, 3.9]), moduleOf(2, [3.9, 3.9, 3.9])],
      BOX,
    );
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
    const { bars } = layoutCellBars([moduleOf(1, [3.9, 4.05, 3.8, 3.9, 3.9, 3.9], [false, true])], BOX);
    expect(bars.map((b) => b.extreme)).toEqual([null, 'max', 'min', null, null, null]);
    expect(bars.map((b) => b.balancing)).toEqual([false, true, false, false, false, false]);
  });

  it('marks every cell at the highest or lowest reading', () => {
    const { bars } = layoutCellBars([moduleOf(1, [3.9, 4.0, 3.95]), moduleOf(2, [3.9, 4.0, 3.95])], BOX);
    expect(bars.map((b) => b.extreme)).toEqual(['min', 'max', null, 'min', 'max', null]);
  });

  it('marks no extremes when every cell reads the same', () => {
    const { bars } = layoutCellBars([moduleOf(1, [4, 4, 4])], BOX);
    expect(bars.every((b) => b.extreme === null)).toBe(true);
  });

  it('draws a higher cell taller', () => {
    const { bars } = layoutCellBars([moduleOf(1, [3.9, 3.91])], BOX);
    expect(bars[1].height).toBeGreaterThan(bars[0].height);
  });

  it('draws an unknown cell as an empty bar with no voltage', () => {
    const { bars } = layoutCellBars([moduleOf(1, [null, 3.9])], BOX);
    expect(bars[0]).toMatchObject({ voltage: null, height: 0, y: BOX.height });
  });

  it('keeps every bar inside the box, left to right without overlap, taller for a higher voltage', () => {
    fc.assert(
      fc.property(packArb, (modules) => {
        const { bars } = layoutCellBars(modules, BOX);
        expect(bars).toHaveLength(modules.length * 6);
        for (const [i, bar] of bars.entries()) {
          expect(bar.x).toBeGreaterThanOrEqual(0);
          expect(bar.x + bar.width).toBeLessThanOrEqual(BOX.width + 1e-6);
          expect(bar.y).toBeGreaterThanOrEqual(0);
          expect(bar.y + bar.height).toBeCloseTo(BOX.height, 6);
          if (i > 0) expect(bar.x).toBeGreaterThanOrEqual(bars[i - 1].x + bars[i - 1].width);
        }
        const known = bars.filter((b) => b.voltage !== null);
        for (const a of known) {
          for (const b of known) if (a.voltage > b.voltage) expect(a.height).toBeGreaterThanOrEqual(b.height);
        }
        const highest = Math.max(...known.map((b) => b.voltage));
        const lowest = Math.min(...known.map((b) => b.voltage));
        for (const bar of known) {
          const expected =
            highest === lowest
              ? null
              : bar.voltage === highest
                ? 'max'
                : bar.voltage === lowest
                  ? 'min'
                  : null;
          expect(bar.extreme).toBe(expected);
        }
      }),
    );
  });
});
