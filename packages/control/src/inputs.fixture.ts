import type { ControlInputs, FaultSummary, ModuleInput } from './inputs';

/** Test fixtures: inputs built from cell voltages, with statistics computed as a pack model would. */

export const NO_FAULTS: FaultSummary = {
  faultActive: false,
  overTemperatureWarning: false,
  temperatureImplausible: false,
};

export function moduleAt(
  address: number,
  cellVoltagesV: readonly number[],
  overrides: Partial<ModuleInput> = {},
): ModuleInput {
  return {
    address,
    cellVoltagesV,
    temperaturesC: [25, 25],
    stale: false,
    chipFault: false,
    ...overrides,
  };
}

export function uniformModules(count: number, cellV: number): ModuleInput[] {
  return Array.from({ length: count }, (_, i) => moduleAt(i + 1, new Array<number>(6).fill(cellV)));
}

const finite = (values: readonly number[]) => values.filter((v) => Number.isFinite(v));
const extreme = (values: readonly number[], pick: (...v: number[]) => number) =>
  values.length > 0 ? pick(...values) : null;

/** Inputs for a pack of the given strings; statistics from the modules unless overridden. */
export function packInputs(
  strings: readonly (readonly ModuleInput[])[],
  overrides: Partial<ControlInputs> = {},
): ControlInputs {
  const modules = strings.flat();
  const cells = finite(modules.flatMap((m) => m.cellVoltagesV));
  const temperatures = finite(modules.flatMap((m) => m.temperaturesC));
  const stringVoltages = strings.map((s) => s.flatMap((m) => m.cellVoltagesV).reduce((a, b) => a + b, 0));
  return {
    scanAtMs: 0,
    discoveryMatched: true,
    strings: strings.map((s) => ({ modules: s })),
    packVoltageV: stringVoltages.length > 0 ? Math.min(...stringVoltages) : null,
    highestCellV: extreme(cells, Math.max),
    lowestCellV: extreme(cells, Math.min),
    highestTemperatureC: extreme(temperatures, Math.max),
    lowestTemperatureC: extreme(temperatures, Math.min),
    socPercent: 50,
    faults: NO_FAULTS,
    busVoltageV: null,
    currentA: null,
    shutdownRequested: false,
    ...overrides,
  };
}

/** Two modules of 3.9 V cells in one string (12S), a healthy pack at rest. */
export function healthyInputs(overrides: Partial<ControlInputs> = {}): ControlInputs {
  return packInputs([uniformModules(2, 3.9)], overrides);
}
