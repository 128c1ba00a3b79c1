import type { ProposedConfigChange } from './config-store';
import { getAtPath } from '@tsbms/bms-core';
import { DEFAULT_CONTROLLER_CONFIG } from './defaults';
import { ControllerConfigError, type ConfigIssue } from './errors';
import type { ConfigPath } from './schema';

/*
 * What HTTP and MQTT may change. Whoever holds a write credential can tune the battery, but must
 * not be able to take over the daemon or switch its protection off:
 * - security settings (who may connect and how, what the daemon opens and writes) are never
 *   changed remotely: only by editing the file;
 * - safety settings may be tightened remotely; loosening one beyond both the behaviour document's
 *   value and the running value needs `remoteChanges.allowSafetySettings: true` in the file.
 */

/** Sections and settings only the file changes: credentials, listeners, devices, files written. */
export const FILE_ONLY_SETTINGS: readonly string[] = [
  'http',
  'mqtt',
  'serial',
  'gpio',
  'stateFile',
  'recordFile',
  'remoteChanges',
];

/**
 * A setting that protects the battery, and which way it loosens: `higher` (a larger value trips
 * later), `lower`, or `off` (false). How far a remote change may loosen it anyway is its default,
 * which is the behaviour document's value (bms-behaviour.md §1, §2.2; T-18).
 */
interface SafetySetting {
  readonly configPath: ConfigPath;
  readonly looser: 'higher' | 'lower' | 'off';
}

export const SAFETY_SETTINGS: readonly SafetySetting[] = [
  { configPath: 'programHardwareThresholds', looser: 'off' },
  { configPath: 'contactorControl', looser: 'off' },
  { configPath: 'currentSensorRequired', looser: 'off' },
  { configPath: 'cells.cellHighVoltageV', looser: 'higher' },
  { configPath: 'cells.cellLowVoltageV', looser: 'lower' },
  { configPath: 'cells.voltageAlertOffsetV', looser: 'higher' },
  { configPath: 'cells.voltageFaultOffsetV', looser: 'higher' },
  { configPath: 'cells.voltageHardwareOffsetV', looser: 'higher' },
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

function isFileOnly(configPath: string): boolean {
  return FILE_ONLY_SETTINGS.some((setting) => configPath === setting || configPath.startsWith(`${setting}.`));
}

/** The reasons a remote change is refused; empty when it may be saved. */
export function remoteChangeIssues(change: ProposedConfigChange): ConfigIssue[] {
  const { before, after, changedPaths } = change;
  const fileOnly: ConfigIssue[] = changedPaths.filter(isFileOnly).map((configPath) => ({
    configPath,
    reason: 'a security setting: change it in the config file, not over HTTP or MQTT',
  }));
  const loosened: ConfigIssue[] = before.remoteChanges.allowSafetySettings
    ? []
    : SAFETY_SETTINGS.filter(({ configPath }) => changedPaths.includes(configPath)).flatMap((setting) => {
        const value = getAtPath(after, setting.configPath);
        const documented = getAtPath(DEFAULT_CONTROLLER_CONFIG, setting.configPath);
        const loosens =
          looserThan(setting, value, getAtPath(before, setting.configPath)) &&
          looserThan(setting, value, documented);
        if (!loosens) return [];
        const limit = setting.looser === 'off' ? 'on' : `${String(documented)} (bms-behaviour.md)`;
        return [
          {
            configPath: setting.configPath,
            reason:
              `a safety setting: over HTTP or MQTT it may be tightened, or loosened as far as ${limit}; ` +
              'beyond that edit the file (or set remoteChanges.allowSafetySettings: true in it)',
          },
        ];
      });
  return [...fileOnly, ...loosened];
}

/** A ConfigChangeCheck for changes from HTTP and MQTT: throws PROTECTED_SETTING. */
export function checkRemoteChange(change: ProposedConfigChange): void {
  const issues = remoteChangeIssues(change);
  if (issues.length > 0) throw new ControllerConfigError('PROTECTED_SETTING', issues);
}
