import {
  CELLS_PER_MODULE,
  type ModuleReading,
  type PackReading,
  TEMPERATURES_PER_MODULE,
} from '@tsbms/pack-reading';

/**
 * Builders for well-formed readings, for tests of this package and of its consumers
 * (fault engine, control). Every field can be overridden.
 */
export function makeModuleReading(address: number, overrides: Partial<ModuleReading> = {}): ModuleReading {
  return {
    address,
    commsOk: true,
    cellVoltagesV: Array.from({ length: CELLS_PER_MODULE }, () => 3.9),
    temperaturesC: Array.from({ length: TEMPERATURES_PER_MODULE }, () => 25),
    moduleVoltageV: 3.9 * CELLS_PER_MODULE,
    implausible: [],
    hardwareFlags: [],
    overVoltageCells: [],
    underVoltageCells: [],
    balanceTimerRunning: false,
    ...overrides,
  };
}

/** A reading of `moduleCount` modules at addresses 1..N; `module(address)` overrides one module. */
export function makePackReading(
  timestampMs: number,
  moduleCount: number,
  module: (address: number) => Partial<ModuleReading> = () => ({}),
  extra: Partial<Omit<PackReading, 'timestampMs' | 'modules'>> = {},
): PackReading {
  return {
    timestampMs,
    modules: Array.from({ length: moduleCount }, (_, i) => makeModuleReading(i + 1, module(i + 1))),
    ...extra,
  };
}
