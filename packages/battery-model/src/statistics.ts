import type { MeasuredValue } from './measured-value';
import type { ModuleState } from './module-state';

/** A value and where it is: module address and cell or sensor index. */
export interface LocatedValue {
  readonly value: number;
  readonly moduleAddress: number;
  readonly index: number;
  /** The value is a kept last good value, not from this scan. */
  readonly stale: boolean;
}

/** Statistics over a set of modules (a string or the pack), from known values only. */
export interface CellStatistics {
  readonly knownCellCount: number;
  readonly minCell: LocatedValue | null;
  readonly maxCell: LocatedValue | null;
  readonly meanCellVoltageV: number | null;
  /** maxCell − minCell. */
  readonly cellSpreadV: number | null;
  readonly minTemperature: LocatedValue | null;
  readonly maxTemperature: LocatedValue | null;
  /** Lifetime extremes (over every good value ever seen). */
  readonly lifetimeHighestCell: LocatedValue | null;
  readonly lifetimeLowestCell: LocatedValue | null;
  readonly lifetimeHighestTemperature: LocatedValue | null;
  readonly lifetimeLowestTemperature: LocatedValue | null;
}

type SelectValue = (m: MeasuredValue) => number | null;

function extreme(
  modules: readonly ModuleState[],
  values: (m: ModuleState) => readonly MeasuredValue[],
  pick: SelectValue,
  better: (a: number, b: number) => boolean,
): LocatedValue | null {
  let best: LocatedValue | null = null;
  for (const m of modules) {
    values(m).forEach((v, index) => {
      const value = pick(v);
      if (value !== null && (best === null || better(value, best.value))) {
        best = { value, moduleAddress: m.address, index, stale: v.stale };
      }
    });
  }
  return best;
}

const current: SelectValue = (v) => v.value;
const highest: SelectValue = (v) => v.highest;
const lowest: SelectValue = (v) => v.lowest;
const greater = (a: number, b: number): boolean => a > b;
const smaller = (a: number, b: number): boolean => a < b;
const cells = (m: ModuleState): readonly MeasuredValue[] => m.cells;
const temperatures = (m: ModuleState): readonly MeasuredValue[] => m.temperatures;

export function cellStatistics(modules: readonly ModuleState[]): CellStatistics {
  const known = modules.flatMap((m) => m.cells.map((c) => c.value)).filter((v): v is number => v !== null);
  const minCell = extreme(modules, cells, current, smaller);
  const maxCell = extreme(modules, cells, current, greater);
  return Object.freeze({
    knownCellCount: known.length,
    minCell,
    maxCell,
    meanCellVoltageV: known.length === 0 ? null : known.reduce((a, b) => a + b, 0) / known.length,
    cellSpreadV: minCell === null || maxCell === null ? null : maxCell.value - minCell.value,
    minTemperature: extreme(modules, temperatures, current, smaller),
    maxTemperature: extreme(modules, temperatures, current, greater),
    lifetimeHighestCell: extreme(modules, cells, highest, greater),
    lifetimeLowestCell: extreme(modules, cells, lowest, smaller),
    lifetimeHighestTemperature: extreme(modules, temperatures, highest, greater),
    lifetimeLowestTemperature: extreme(modules, temperatures, lowest, smaller),
  });
}

/** Sum of the module's cells, or null when any cell is unknown. */
export function moduleCellSumV(module: ModuleState): number | null {
  let sum = 0;
  for (const c of module.cells) {
    if (c.value === null) return null;
    sum += c.value;
  }
  return sum;
}
