import {
  ConfigError,
  requireBelow,
  requireNonNegative,
  requirePositive,
  requirePositiveInteger,
} from './config-error';
import { DEFAULT_OCV_TABLE, type OcvPoint, ocvSocPercent, validateOcvTable } from './ocv-table';

/** Everything the battery model needs; build it with `buildBatteryModelConfig`. */
export interface BatteryModelConfig {
  readonly moduleCount: number;
  readonly parallelStringCount: number;
  readonly moduleCapacityAh: number;
  /** Nominal cell voltage for energy figures (Tesla quotes 22.8 V per 6S module). */
  readonly nominalCellVoltageV: number;
  readonly cellHighVoltageV: number;
  readonly cellLowVoltageV: number;
  /** Values older than this are unknown (B-43). */
  readonly commsTimeoutS: number;
  readonly ocvTable: readonly OcvPoint[];
  /** B-32: a longer gap between current samples is not integrated. */
  readonly maxIntegrationGapS: number;
  /** B-33: how long a setpoint must be held before the full/empty reset. */
  readonly socResetHoldS: number;
  /** B-34: rest detection and relaxation. */
  readonly restCurrentA: number;
  readonly restHoldS: number;
  readonly restTimeConstantS: number;
  /** B-35: filter for the voltage-based estimate. */
  readonly voltageSocTimeConstantS: number;
  /** B-36: a persisted SoC is used only if younger and closer to the table estimate than these. */
  readonly persistedMaxAgeS: number;
  readonly persistedMaxDeviationPercent: number;
}

export type BatteryModelConfigInput = Partial<BatteryModelConfig> &
  Pick<BatteryModelConfig, 'moduleCount' | 'parallelStringCount'>;

export const BATTERY_MODEL_DEFAULTS = Object.freeze({
  moduleCapacityAh: 232,
  nominalCellVoltageV: 3.8,
  cellHighVoltageV: 4.1,
  cellLowVoltageV: 3.6,
  commsTimeoutS: 10,
  ocvTable: DEFAULT_OCV_TABLE,
  maxIntegrationGapS: 5,
  socResetHoldS: 30,
  restCurrentA: 0.2,
  restHoldS: 600,
  restTimeConstantS: 3600,
  voltageSocTimeConstantS: 120,
  persistedMaxAgeS: 24 * 3600,
  persistedMaxDeviationPercent: 10,
});

/** Merges defaults and rejects a bad configuration with a ConfigError (code, path, reason). */
export function buildBatteryModelConfig(input: BatteryModelConfigInput): BatteryModelConfig {
  const c = { ...BATTERY_MODEL_DEFAULTS, ...input };
  const moduleCount = requirePositiveInteger('moduleCount', c.moduleCount);
  const parallelStringCount = requirePositiveInteger('parallelStringCount', c.parallelStringCount);
  if (moduleCount % parallelStringCount !== 0) {
    throw new ConfigError(
      'CONFIG_STRING_COUNT',
      'parallelStringCount',
      `${moduleCount} modules cannot be split into ${parallelStringCount} equal strings`,
    );
  }
  const cellLowVoltageV = requirePositive('cellLowVoltageV', c.cellLowVoltageV);
  const cellHighVoltageV = requirePositive('cellHighVoltageV', c.cellHighVoltageV);
  requireBelow(
    'cellHighVoltageV',
    cellLowVoltageV,
    cellHighVoltageV,
    'low setpoint must be below high setpoint',
  );
  const ocvTable = validateOcvTable('ocvTable', c.ocvTable);
  if (!(ocvSocPercent(ocvTable, cellLowVoltageV) < ocvSocPercent(ocvTable, cellHighVoltageV))) {
    throw new ConfigError(
      'CONFIG_OCV_NOT_MONOTONIC',
      'ocvTable',
      'the table gives no usable window between cellLowVoltageV and cellHighVoltageV',
    );
  }
  return Object.freeze({
    moduleCount,
    parallelStringCount,
    moduleCapacityAh: requirePositive('moduleCapacityAh', c.moduleCapacityAh),
    nominalCellVoltageV: requirePositive('nominalCellVoltageV', c.nominalCellVoltageV),
    cellHighVoltageV,
    cellLowVoltageV,
    commsTimeoutS: requirePositive('commsTimeoutS', c.commsTimeoutS),
    ocvTable,
    maxIntegrationGapS: requirePositive('maxIntegrationGapS', c.maxIntegrationGapS),
    socResetHoldS: requireNonNegative('socResetHoldS', c.socResetHoldS),
    restCurrentA: requireNonNegative('restCurrentA', c.restCurrentA),
    restHoldS: requireNonNegative('restHoldS', c.restHoldS),
    restTimeConstantS: requirePositive('restTimeConstantS', c.restTimeConstantS),
    voltageSocTimeConstantS: requirePositive('voltageSocTimeConstantS', c.voltageSocTimeConstantS),
    persistedMaxAgeS: requireNonNegative('persistedMaxAgeS', c.persistedMaxAgeS),
    persistedMaxDeviationPercent: requireNonNegative(
      'persistedMaxDeviationPercent',
      c.persistedMaxDeviationPercent,
    ),
  });
}

/** B-30/B-31: fraction of nameplate capacity between the low and high setpoints. */
export function usableWindowFraction(config: BatteryModelConfig): number {
  return (
    (ocvSocPercent(config.ocvTable, config.cellHighVoltageV) -
      ocvSocPercent(config.ocvTable, config.cellLowVoltageV)) /
    100
  );
}
