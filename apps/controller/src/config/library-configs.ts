import {
  buildBatteryModelConfig,
  ConfigError,
  type BatteryModelConfig,
  type BatteryModelConfigInput,
} from '@tsbms/battery-model';
import {
  buildFaultEngineConfig,
  type FaultEngineConfig,
  type FaultEngineConfigInput,
} from '@tsbms/fault-engine';
import {
  buildControlConfig,
  ControlConfigError,
  type ControlConfig,
  type ControlConfigInput,
} from '@tsbms/control';
import {
  encodeHardwareThresholds,
  hardwareThresholdsFromFaultLevels,
  isTeslaProtocolError,
  type HardwareThresholds,
} from '@tsbms/tesla-protocol';
import { getAtPath, setAtPath } from '@tsbms/bms-core';
import { ControllerConfigError, type ConfigIssue } from './errors';
import type { ConfigPath, ControllerConfig } from './schema';

/** What the libraries need, built (and so checked) by their own builders. */
export interface LibraryConfigs {
  readonly batteryModel: BatteryModelConfig;
  readonly faultEngine: FaultEngineConfig;
  readonly control: ControlConfig;
  readonly hardwareThresholds: HardwareThresholds;
}

/**
 * Which config setting feeds which library key. The same table turns a library's error path back
 * into the config path the user wrote, so a library check is reported like a schema error.
 */
type Bindings<LibraryKey extends string> = Readonly<Partial<Record<LibraryKey, ConfigPath>>>;

const BATTERY_MODEL_BINDINGS = {
  moduleCount: 'pack.moduleCount',
  parallelStringCount: 'pack.parallelStringCount',
  moduleCapacityAh: 'pack.moduleCapacityAh',
  cellHighVoltageV: 'cells.cellHighVoltageV',
  cellLowVoltageV: 'cells.cellLowVoltageV',
  commsTimeoutS: 'commsTimeoutS',
  ocvTable: 'soc.ocvTable',
} as const satisfies Bindings<keyof BatteryModelConfigInput>;

const FAULT_ENGINE_BINDINGS = {
  cellHighVoltageV: 'cells.cellHighVoltageV',
  cellLowVoltageV: 'cells.cellLowVoltageV',
  voltageAlertOffsetV: 'cells.voltageAlertOffsetV',
  voltageFaultOffsetV: 'cells.voltageFaultOffsetV',
  // The builder merges a partial timing entry over its §2.2 defaults.
  'timing.cellOverVoltage.fault.setDelayS': 'cells.overVoltageDelayS',
  deepDischargeV: 'cells.deepDischargeV',
  highTemperatureC: 'temperature.highTemperatureC',
  lowTemperatureC: 'temperature.lowTemperatureC',
  temperatureWarningOffsetC: 'temperature.temperatureWarningOffsetC',
  maxCellDifferenceV: 'imbalance.maxCellDifferenceV',
  cellDifferenceWarningOffsetV: 'imbalance.cellDifferenceWarningOffsetV',
  commsTimeoutS: 'commsTimeoutS',
  maxChargeCurrentA: 'limits.maxChargeCurrentA',
  maxDischargeCurrentA: 'limits.maxDischargeCurrentA',
  currentSensorRequired: 'currentSensorRequired',
} as const satisfies Bindings<keyof FaultEngineConfigInput | 'timing.cellOverVoltage.fault.setDelayS'>;

const CONTROL_BINDINGS = {
  moduleCount: 'pack.moduleCount',
  parallelStringCount: 'pack.parallelStringCount',
  cellHighVoltageV: 'cells.cellHighVoltageV',
  cellLowVoltageV: 'cells.cellLowVoltageV',
  voltageAlertOffsetV: 'cells.voltageAlertOffsetV',
  voltageFaultOffsetV: 'cells.voltageFaultOffsetV',
  highTemperatureC: 'temperature.highTemperatureC',
  lowTemperatureC: 'temperature.lowTemperatureC',
  temperatureWarningOffsetC: 'temperature.temperatureWarningOffsetC',
  pollIntervalS: 'pollIntervalS',
  commsTimeoutS: 'commsTimeoutS',
  maxChargeCurrentA: 'limits.maxChargeCurrentA',
  maxDischargeCurrentA: 'limits.maxDischargeCurrentA',
  chargeHysteresisV: 'limits.chargeHysteresisV',
  chargeHysteresisTimeS: 'limits.chargeHysteresisTimeS',
  chargeMaxTemperatureC: 'limits.chargeMaxTemperatureC',
  chargeSocTable: 'limits.chargeSocTable',
  dischargeSocTable: 'limits.dischargeSocTable',
  dischargeLowTemperatureTable: 'limits.dischargeLowTemperatureTable',
  balancingEnabled: 'balancing.enabled',
  balanceVoltageV: 'balancing.balanceVoltageV',
  balanceDifferenceV: 'balancing.balanceDifferenceV',
  balanceMeasureS: 'balancing.balanceMeasureS',
  balanceTimeS: 'balancing.balanceTimeS',
  contactorControl: 'contactorControl',
  contactorNegativeTimeS: 'contactors.contactorNegativeTimeS',
  contactorPrechargeTimeS: 'contactors.contactorPrechargeTimeS',
  contactorOverlapS: 'contactors.contactorOverlapS',
  heatingOnBelowC: 'heating.heatingOnBelowC',
  heatingOffAtC: 'heating.heatingOffAtC',
} as const satisfies Bindings<keyof ControlConfigInput>;

/** The hardware levels follow from these settings (T-18): name them when a level is rejected. */
const HARDWARE_BINDINGS = {
  'hardwareThresholds.covV': 'cells.cellHighVoltageV',
  'hardwareThresholds.cuvV': 'cells.cellLowVoltageV',
  'hardwareThresholds.otC': 'temperature.highTemperatureC',
} as const satisfies Bindings<string>;

/**
 * Builds every library's configuration from the controller's and throws one ControllerConfigError
 * listing what the libraries rejected, each under the config path that caused it.
 */
export function libraryConfigs(config: ControllerConfig): LibraryConfigs {
  const issues: ConfigIssue[] = [];
  // The builders validate every value at run time, so the loosely typed inputs are safe to pass.
  const batteryModel = attempt(issues, 'battery-model', BATTERY_MODEL_BINDINGS, () =>
    buildBatteryModelConfig(libraryInput(config, BATTERY_MODEL_BINDINGS) as BatteryModelConfigInput),
  );
  const faultEngine = attempt(issues, 'fault-engine', FAULT_ENGINE_BINDINGS, () =>
    buildFaultEngineConfig(libraryInput(config, FAULT_ENGINE_BINDINGS) as FaultEngineConfigInput),
  );
  const control = attempt(issues, 'control', CONTROL_BINDINGS, () =>
    buildControlConfig(libraryInput(config, CONTROL_BINDINGS) as ControlConfigInput),
  );
  const hardwareThresholds =
    faultEngine &&
    attempt(issues, 'tesla-protocol', HARDWARE_BINDINGS, () =>
      checkedHardwareThresholds(config, faultEngine),
    );
  if (issues.length > 0 || !batteryModel || !faultEngine || !control || !hardwareThresholds) {
    throw new ControllerConfigError('INVALID_CONFIG', withoutRepeats(issues));
  }
  return Object.freeze({ batteryModel, faultEngine, control, hardwareThresholds });
}

/** T-18 levels from the fault levels, with the §1 hardware voltage offset; rejected as the boards would be. */
function checkedHardwareThresholds(
  config: ControllerConfig,
  faultEngine: FaultEngineConfig,
): HardwareThresholds {
  const levels = faultEngine.thresholds;
  const offsetV = config.cells.voltageHardwareOffsetV;
  const thresholds: HardwareThresholds = Object.freeze({
    ...hardwareThresholdsFromFaultLevels({
      cellOverVoltageFaultV: levels.cellOverVoltageV.fault,
      cellUnderVoltageFaultV: levels.cellUnderVoltageV.fault,
      overTemperatureFaultC: levels.overTemperatureC.fault,
    }),
    // The library applies T-18's fixed 50 mV; §1 makes the offset a setting.
    covV: roundToMicro(levels.cellOverVoltageV.fault + offsetV),
    cuvV: roundToMicro(levels.cellUnderVoltageV.fault - offsetV),
  });
  // Throws for a COV above 4.25 V and for levels the registers cannot hold.
  encodeHardwareThresholds(thresholds, 'hardwareThresholds');
  return thresholds;
}

/** 4.199999999999999 → 4.2 for logs and read-back reports; far below a register step. */
function roundToMicro(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

function libraryInput(config: ControllerConfig, bindings: Bindings<string>): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [libraryKey, configPath] of Object.entries(bindings)) {
    if (configPath !== undefined) setAtPath(input, libraryKey.split('.'), getAtPath(config, configPath));
  }
  return input;
}

/** Libraries sharing a setting report the same problem once. */
function withoutRepeats(issues: readonly ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.configPath}\n${issue.reason}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Runs a builder; a configuration error it throws becomes issues, anything else propagates. */
function attempt<T>(
  issues: ConfigIssue[],
  library: string,
  bindings: Bindings<string>,
  build: () => T,
): T | undefined {
  try {
    return build();
  } catch (error) {
    const rejected = libraryIssues(error, library, bindings);
    if (rejected === undefined) throw error;
    issues.push(...rejected);
    return undefined;
  }
}

function libraryIssues(
  error: unknown,
  library: string,
  bindings: Bindings<string>,
): readonly ConfigIssue[] | undefined {
  const at = (libraryPath: string) => configPathOf(libraryPath, library, bindings);
  if (error instanceof ConfigError) return [{ configPath: at(error.path), reason: error.reason }];
  if (error instanceof ControlConfigError) {
    return error.issues.map((issue) => ({ configPath: at(issue.path), reason: issue.reason }));
  }
  if (isTeslaProtocolError(error, 'INVALID_CONFIG')) {
    const libraryPath = error.configPath ?? '(root)';
    const message = error.message.replace(` (config ${libraryPath})`, '');
    return [{ configPath: at(libraryPath), reason: `hardware threshold (T-18): ${message}` }];
  }
  return undefined;
}

/**
 * `chargeSocTable.1.input` → `limits.chargeSocTable[1].input`. A key the file does not expose
 * (a library default) keeps its library name so the message still says what was wrong.
 */
function configPathOf(libraryPath: string, library: string, bindings: Bindings<string>): string {
  const boundKey = Object.keys(bindings)
    .filter(
      (key) => libraryPath === key || libraryPath.startsWith(`${key}.`) || libraryPath.startsWith(`${key}[`),
    )
    .sort((a, b) => b.length - a.length)[0];
  const configPath = boundKey === undefined ? undefined : bindings[boundKey];
  if (boundKey === undefined || configPath === undefined) return `${library}.${libraryPath}`;
  const rest = libraryPath.slice(boundKey.length).replace(/\.(\d+)(?=[.[]|$)/g, '[$1]');
  return `${configPath}${rest}`;
}
