import type { ConfigIssue } from '../output-service';
import type { BmsSettings } from './bms-config-schema';
import type { LeafPath } from './bms-library-configs';
import { getAtPath } from './config-path';

/**
 * A setting that protects the battery, and which way it loosens: `higher` (a larger value trips
 * later), `lower`, or `off` (false).
 */
export interface SafetySetting<Path extends string = string> {
  readonly configPath: Path;
  readonly looser: 'higher' | 'lower' | 'off';
}

/** The core's safety settings (bms-behaviour.md §1, §2.2). */
export const BMS_SAFETY_SETTINGS: readonly SafetySetting<LeafPath<BmsSettings>>[] = [
  { configPath: 'contactorControl', looser: 'off' },
  { configPath: 'currentSensorRequired', looser: 'off' },
  { configPath: 'cells.cellHighVoltageV', looser: 'higher' },
  { configPath: 'cells.cellLowVoltageV', looser: 'lower' },
  { configPath: 'cells.voltageAlertOffsetV', looser: 'higher' },
  { configPath: 'cells.voltageFaultOffsetV', looser: 'higher' },
  { configPath: 'cells.overVoltageDelayS', looser: 'higher' },
  { configPath: 'cells.deepDischargeV', looser: 'lower' },
  { configPath: 'commsTimeoutS', looser: 'higher' },
  { configPath: 'temperature.highTemperatureC', looser: 'higher' },
  { configPath: 'temperature.lowTemperatureC', looser: 'lower' },
  { configPath: 'temperature.temperatureWarningOffsetC', looser: 'higher' },
  { configPath: 'imbalance.maxCellDifferenceV', looser: 'higher' },
  { configPath: 'limits.maxChargeCurrentA', looser: 'higher' },
  { configPath: 'limits.maxDischargeCurrentA', looser: 'higher' },
  { configPath: 'limits.chargeMaxTemperatureC', looser: 'higher' },
];

/** `a` protects less than `b` for this setting. */
function looserThan(setting: SafetySetting, a: unknown, b: unknown): boolean {
  switch (setting.looser) {
    case 'off':
      return a === false && b === true;
    case 'higher':
      return (a as number) > (b as number);
    case 'lower':
      return (a as number) < (b as number);
  }
}

/** A change of the settings: the values before and after, and the paths that changed. */
export interface SettingsChange {
  readonly before: unknown;
  readonly after: unknown;
  readonly changedPaths: readonly string[];
}

/**
 * The safety settings `change` loosens beyond both the running value and the documented one
 * (`documented`: the defaults, which are the behaviour document's values), one issue each.
 * Tightening, or loosening back towards the documented value, is not among them.
 */
export function loosenedSafetySettings(
  settings: readonly SafetySetting[],
  change: SettingsChange,
  documented: unknown,
): ConfigIssue[] {
  return settings
    .filter(({ configPath }) => change.changedPaths.includes(configPath))
    .flatMap((setting) => {
      const value = getAtPath(change.after, setting.configPath);
      const documentedValue = getAtPath(documented, setting.configPath);
      const loosens =
        looserThan(setting, value, getAtPath(change.before, setting.configPath)) &&
        looserThan(setting, value, documentedValue);
      if (!loosens) return [];
      const limit = setting.looser === 'off' ? 'on' : `${String(documentedValue)} (bms-behaviour.md)`;
      return [
        {
          configPath: setting.configPath,
          reason:
            `a safety setting: over HTTP or MQTT it may be tightened, or loosened as far as ${limit}; ` +
            'beyond that edit the file (or set remoteChanges.allowSafetySettings: true in it)',
        },
      ];
    });
}
