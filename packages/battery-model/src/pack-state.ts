import { type BatteryModelConfig, usableWindowFraction } from './config';
import { ConfigError } from './config-error';
import { initialModuleState, type ModuleState, updateModuleState } from './module-state';
import { CELLS_PER_MODULE, type PackReading } from '@tsbms/pack-reading';
import {
  initialSocState,
  type PersistedSoc,
  publishSoc,
  type SocEstimatorState,
  type SocState,
  stepSoc,
} from './soc-estimator';
import { type CellStatistics, cellStatistics, moduleCellSumV } from './statistics';
import {
  type EnergyCounters,
  type EnergyState,
  type EnergyTotals,
  initialEnergyState,
  publishEnergy,
  stepEnergy,
  timeToGo,
  type TimeToGo,
} from './energy-counters';

/** Modules in series, in address order. */
export interface SeriesStringState {
  readonly index: number;
  readonly moduleAddresses: readonly number[];
  /** Sum of the string's cells; null when any cell is unknown. */
  readonly voltageV: number | null;
  readonly statistics: CellStatistics;
}

export interface PackCapacity {
  /** `moduleCapacityAh` × parallel strings. */
  readonly nameplateAh: number;
  /** Fraction of nameplate between the low and high cell setpoints (B-30). */
  readonly usableWindowFraction: number;
  /** Nameplate × window × SoH (B-31). */
  readonly usableAh: number;
  readonly cellsInSeries: number;
  /** Energy at the nominal cell voltage. */
  readonly nameplateEnergyWh: number;
  readonly usableEnergyWh: number;
  /** Usable Ah × SoC; null while the SoC is unknown. */
  readonly remainingAh: number | null;
}

/** Pack-level problems with a reading (its values are not used as numbers). */
export interface PackIssue {
  readonly code:
    | 'EMPTY_PACK'
    | 'MODULE_MISSING'
    | 'MODULE_UNEXPECTED'
    | 'CURRENT_NOT_A_NUMBER'
    | 'TIME_NOT_INCREASING';
  readonly detail: string;
}

/** One immutable snapshot of the pack after a scan. */
export interface PackState {
  readonly timestampMs: number;
  readonly scanCount: number;
  readonly modules: readonly ModuleState[];
  readonly strings: readonly SeriesStringState[];
  readonly statistics: CellStatistics;
  /** Per module, in the order of `modules` (including lifetime extremes per module). */
  readonly moduleStatistics: readonly CellStatistics[];
  /** Mean of the known string voltages (parallel strings share the bus); null when none is known. */
  readonly packVoltageV: number | null;
  /** Valid current this scan (+ = charging); null = no sensor or no valid value. */
  readonly currentA: number | null;
  /** When a valid current was last seen; null if never (no sensor). */
  readonly currentMeasuredAtMs: number | null;
  readonly busVoltageV: number | null;
  /** A second sensor's valid current this scan, for the cross-check; null = none or no value. */
  readonly checkCurrentA: number | null;
  readonly capacity: PackCapacity;
  readonly soc: SocState;
  /** Current × pack voltage (+ = charging); null without either. */
  readonly powerW: number | null;
  readonly energy: EnergyCounters;
  readonly timeToGo: TimeToGo;
  readonly staleModuleCount: number;
  readonly offlineModuleCount: number;
  readonly issues: readonly PackIssue[];
}

/** The model's full state between scans. */
export interface PackModel {
  readonly config: BatteryModelConfig;
  readonly pack: PackState | null;
  readonly modules: readonly ModuleState[];
  readonly soc: SocEstimatorState;
  readonly energy: EnergyState;
}

export function initialPackModel(
  config: BatteryModelConfig,
  persisted?: PersistedSoc | null,
  persistedEnergy?: Partial<EnergyTotals> | null,
): PackModel {
  const perString = config.moduleCount / config.parallelStringCount;
  const modules = Array.from({ length: config.moduleCount }, (_, i) =>
    initialModuleState(i + 1, Math.floor(i / perString), i % perString),
  );
  return {
    config,
    pack: null,
    modules,
    soc: initialSocState(persisted),
    energy: initialEnergyState(persistedEnergy, config),
  };
}

/** The settings that shape the model's module list; every other one may change while it runs. */
const LAYOUT_KEYS = ['moduleCount', 'parallelStringCount'] as const;

/**
 * A live settings change (issue 15): the next update runs on `config`, and the SoC, SoH, energy
 * counters and module ages carry over. A different module layout is refused (CONFIG_NOT_LIVE):
 * it needs a new model.
 */
export function reconfigurePackModel(model: PackModel, config: BatteryModelConfig): PackModel {
  for (const key of LAYOUT_KEYS) {
    if (config[key] !== model.config[key]) {
      throw new ConfigError(
        'CONFIG_NOT_LIVE',
        key,
        `cannot change while the model runs (${model.config[key]} → ${config[key]})`,
      );
    }
  }
  return { ...model, config };
}

const finiteOrNull = (v: number | null | undefined): number | null =>
  typeof v === 'number' && Number.isFinite(v) ? v : null;

function readingIssues(
  reading: PackReading,
  previousMs: number | null,
  config: BatteryModelConfig,
): PackIssue[] {
  const issues: PackIssue[] = [];
  const n = reading.modules.length;
  if (n === 0) issues.push({ code: 'EMPTY_PACK', detail: 'the reading holds no module' });
  else if (n < config.moduleCount)
    issues.push({ code: 'MODULE_MISSING', detail: `${n} of ${config.moduleCount} modules in the reading` });
  if (n > config.moduleCount)
    issues.push({
      code: 'MODULE_UNEXPECTED',
      detail: `${n} modules in the reading, ${config.moduleCount} configured`,
    });
  if (reading.currentA !== undefined && reading.currentA !== null && !Number.isFinite(reading.currentA)) {
    issues.push({ code: 'CURRENT_NOT_A_NUMBER', detail: `current ${String(reading.currentA)}` });
  }
  if (previousMs !== null && !(reading.timestampMs > previousMs)) {
    issues.push({
      code: 'TIME_NOT_INCREASING',
      detail: `scan at ${reading.timestampMs} ms after ${previousMs} ms`,
    });
  }
  return issues;
}

function seriesStrings(modules: readonly ModuleState[], config: BatteryModelConfig): SeriesStringState[] {
  return Array.from({ length: config.parallelStringCount }, (_, index) => {
    const members = modules.filter((m) => m.stringIndex === index);
    const sums = members.map(moduleCellSumV);
    return Object.freeze({
      index,
      moduleAddresses: Object.freeze(members.map((m) => m.address)),
      voltageV: sums.some((s) => s === null) ? null : (sums as number[]).reduce((a, b) => a + b, 0),
      statistics: cellStatistics(members),
    });
  });
}

function packCapacity(config: BatteryModelConfig, soc: SocState): PackCapacity {
  const nameplateAh = config.moduleCapacityAh * config.parallelStringCount;
  const window = usableWindowFraction(config);
  const usableAh = nameplateAh * window * (soc.sohPercent / 100);
  const cellsInSeries = (config.moduleCount / config.parallelStringCount) * CELLS_PER_MODULE;
  const nominalV = cellsInSeries * config.nominalCellVoltageV;
  return Object.freeze({
    nameplateAh,
    usableWindowFraction: window,
    usableAh,
    cellsInSeries,
    nameplateEnergyWh: nameplateAh * nominalV,
    usableEnergyWh: usableAh * nominalV,
    remainingAh: soc.socPercent === null ? null : (usableAh * soc.socPercent) / 100,
  });
}

/**
 * Folds one scan into the model. A reading whose time does not advance is reported as an issue
 * and changes nothing else: ages and integrals need time to move forward.
 */
export function updatePackModel(model: PackModel, reading: PackReading): PackModel {
  const { config } = model;
  const previousMs = model.pack?.timestampMs ?? null;
  const issues = readingIssues(reading, previousMs, config);
  if (model.pack !== null && previousMs !== null && !(reading.timestampMs > previousMs)) {
    const pack = Object.freeze({
      ...model.pack,
      scanCount: model.pack.scanCount + 1,
      issues: Object.freeze(issues),
    });
    return { ...model, pack };
  }
  const now = reading.timestampMs;
  const modules = Object.freeze(
    model.modules.map((m, i) => updateModuleState(m, reading.modules[i], now, config.commsTimeoutS)),
  );
  const statistics = cellStatistics(modules);
  const strings = Object.freeze(seriesStrings(modules, config));
  const knownStrings = strings.map((s) => s.voltageV).filter((v): v is number => v !== null);
  const currentA = finiteOrNull(reading.currentA);
  const soc = stepSoc(
    model.soc,
    {
      timestampMs: now,
      meanCellV: statistics.meanCellVoltageV,
      maxCellV: statistics.maxCell?.value ?? null,
      minCellV: statistics.minCell?.value ?? null,
      currentA,
      integral: reading.currentIntegral ?? null,
    },
    config,
  );
  const published = publishSoc(soc);
  const packVoltageV =
    knownStrings.length === 0 ? null : knownStrings.reduce((a, b) => a + b, 0) / knownStrings.length;
  const energy = stepEnergy(
    model.energy,
    { timestampMs: now, currentA, packVoltageV, integral: reading.currentIntegral ?? null },
    config,
  );
  const capacity = packCapacity(config, published);
  const pack: PackState = Object.freeze({
    timestampMs: now,
    scanCount: (model.pack?.scanCount ?? 0) + 1,
    modules,
    strings,
    statistics,
    moduleStatistics: Object.freeze(modules.map((m) => cellStatistics([m]))),
    packVoltageV,
    currentA,
    currentMeasuredAtMs: currentA !== null ? now : (model.pack?.currentMeasuredAtMs ?? null),
    busVoltageV: finiteOrNull(reading.busVoltageV),
    checkCurrentA: finiteOrNull(reading.checkCurrentA),
    capacity,
    soc: published,
    powerW: currentA === null || packVoltageV === null ? null : currentA * packVoltageV,
    energy: publishEnergy(energy),
    timeToGo: Object.freeze(
      timeToGo(
        currentA === null ? null : energy.averageCurrentA,
        capacity.remainingAh,
        capacity.usableAh,
        config.restCurrentA,
      ),
    ),
    staleModuleCount: modules.filter((m) => m.stale).length,
    offlineModuleCount: modules.filter((m) => m.offline).length,
    issues: Object.freeze(issues),
  });
  return { config, pack, modules, soc, energy };
}
