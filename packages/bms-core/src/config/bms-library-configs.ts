import { buildBatteryModelConfig, ConfigError, type BatteryModelConfigInput } from '@tsbms/battery-model';
import { buildControlConfig, ControlConfigError, type ControlConfigInput } from '@tsbms/control';
import { buildFaultEngineConfig, type FaultEngineConfigInput } from '@tsbms/fault-engine';
import { ConfigChangeError, type ConfigIssue } from '../output-service';
import type { BmsConfig } from '../create-bms';
import type { BmsSettings } from './bms-config-schema';
import { getAtPath, setAtPath } from './config-path';

/**
 * Dotted path of every leaf setting of `T`, e.g. `cells.cellHighVoltageV`; tables count as one. A
 * section that may be null (an optional channel, `notifications.ntfy`) has the paths of its object.
 */
export type LeafPath<T> = {
  [K in keyof T & string]: NonNullable<T[K]> extends string | number | boolean | readonly unknown[]
    ? K
    : `${K}.${LeafPath<NonNullable<T[K]>>}`;
}[keyof T & string];

/**
 * Which setting feeds which library key. The same table turns a library's error path back into
 * the setting the user wrote, so a library's check is reported like a schema error.
 */
export type ConfigBindings<LibraryKey extends string = string, Path extends string = string> = Readonly<
  Partial<Record<LibraryKey, Path>>
>;

const BATTERY_MODEL_BINDINGS = {
  moduleCount: 'pack.moduleCount',
  parallelStringCount: 'pack.parallelStringCount',
  moduleCapacityAh: 'pack.moduleCapacityAh',
  cellHighVoltageV: 'cells.cellHighVoltageV',
  cellLowVoltageV: 'cells.cellLowVoltageV',
  commsTimeoutS: 'commsTimeoutS',
  ocvTable: 'soc.ocvTable',
} as const satisfies ConfigBindings<keyof BatteryModelConfigInput, LeafPath<BmsSettings>>;

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
} as const satisfies ConfigBindings<
  keyof FaultEngineConfigInput | 'timing.cellOverVoltage.fault.setDelayS',
  LeafPath<BmsSettings>
>;

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
  chargeAllowed: 'limits.chargeAllowed',
  dischargeAllowed: 'limits.dischargeAllowed',
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
} as const satisfies ConfigBindings<keyof ControlConfigInput, LeafPath<BmsSettings>>;

/**
 * Builds each library's configuration from `settings`, adding what a builder rejects to `issues`
 * (under the setting that caused it) and leaving that library out. An application with checks of
 * its own (its source's hardware levels) adds theirs to the same list and throws once.
 */
export function collectBmsConfig(settings: BmsSettings, issues: ConfigIssue[]): Partial<BmsConfig> {
  // The builders validate every value at run time, so the loosely typed inputs are safe to pass.
  const batteryModel = attemptBuild(issues, 'battery-model', BATTERY_MODEL_BINDINGS, () =>
    buildBatteryModelConfig(libraryInput(settings, BATTERY_MODEL_BINDINGS) as BatteryModelConfigInput),
  );
  const faultEngine = attemptBuild(issues, 'fault-engine', FAULT_ENGINE_BINDINGS, () =>
    buildFaultEngineConfig(libraryInput(settings, FAULT_ENGINE_BINDINGS) as FaultEngineConfigInput),
  );
  const control = attemptBuild(issues, 'control', CONTROL_BINDINGS, () =>
    buildControlConfig(libraryInput(settings, CONTROL_BINDINGS) as ControlConfigInput),
  );
  return { batteryModel, faultEngine, control };
}

/**
 * createBms's configuration from the settings, built by each library's own builder; or one
 * ConfigChangeError (INVALID_CONFIG) listing every rejection under its setting.
 */
export function buildBmsConfig(settings: BmsSettings): BmsConfig {
  const issues: ConfigIssue[] = [];
  const { batteryModel, faultEngine, control } = collectBmsConfig(settings, issues);
  if (issues.length > 0 || !batteryModel || !faultEngine || !control) {
    throw new ConfigChangeError('INVALID_CONFIG', withoutRepeats(issues));
  }
  return Object.freeze({ batteryModel, faultEngine, control });
}

/** The library's input: each bound library key set from its setting. */
export function libraryInput(config: unknown, bindings: ConfigBindings): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [libraryKey, configPath] of Object.entries(bindings)) {
    if (configPath !== undefined) setAtPath(input, libraryKey.split('.'), getAtPath(config, configPath));
  }
  return input;
}

/** Libraries sharing a setting report the same problem once. */
export function withoutRepeats(issues: readonly ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.configPath}\n${issue.reason}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A library's rejection: the library's own path of the value, and why. */
export interface LibraryRejection {
  readonly libraryPath: string;
  readonly reason: string;
}

/** The core libraries' configuration errors; anything else is not a rejection. */
function coreRejections(error: unknown): readonly LibraryRejection[] | undefined {
  if (error instanceof ConfigError) return [{ libraryPath: error.path, reason: error.reason }];
  if (error instanceof ControlConfigError) {
    return error.issues.map((issue) => ({ libraryPath: issue.path, reason: issue.reason }));
  }
  return undefined;
}

/**
 * Runs a builder. What `rejectionsOf` recognises as a configuration error becomes issues under the
 * settings bound to it; anything else propagates.
 */
export function attemptBuild<T>(
  issues: ConfigIssue[],
  library: string,
  bindings: ConfigBindings,
  build: () => T,
  rejectionsOf: (error: unknown) => readonly LibraryRejection[] | undefined = coreRejections,
): T | undefined {
  try {
    return build();
  } catch (error) {
    const rejected = rejectionsOf(error);
    if (rejected === undefined) throw error;
    issues.push(
      ...rejected.map((r) => ({
        configPath: configPathOf(r.libraryPath, library, bindings),
        reason: r.reason,
      })),
    );
    return undefined;
  }
}

/**
 * `chargeSocTable.1.input` → `limits.chargeSocTable[1].input`. A key the settings do not expose
 * (a library default) keeps its library name so the message still says what was wrong.
 */
function configPathOf(libraryPath: string, library: string, bindings: ConfigBindings): string {
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
