import type { ProposedConfigChange } from './config-store';
import { BMS_SAFETY_SETTINGS, loosenedSafetySettings, type SafetySetting } from '@tsbms/bms-core';
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
  'currentSensor',
  'currentSensorCheck',
  'gpio',
  'stateFile',
  'recordFile',
  'history',
  'remoteChanges',
  // Where alarms go: a remote change could silence them or send them (and the tokens) elsewhere.
  'notifications',
  // Where the readings go, with the token that may write there.
  'influxdb',
];

/**
 * The settings that protect the battery: the core's, and the Tesla loop's own (T-18). How far a
 * remote change may loosen one anyway is its default, the behaviour document's value.
 */
export const SAFETY_SETTINGS: readonly SafetySetting<ConfigPath>[] = [
  { configPath: 'programHardwareThresholds', looser: 'off' },
  ...BMS_SAFETY_SETTINGS,
  { configPath: 'cells.voltageHardwareOffsetV', looser: 'higher' },
];

function isFileOnly(configPath: string): boolean {
  return FILE_ONLY_SETTINGS.some((setting) => configPath === setting || configPath.startsWith(`${setting}.`));
}

/** The reasons a remote change is refused; empty when it may be saved. */
export function remoteChangeIssues(change: ProposedConfigChange): ConfigIssue[] {
  const { before, changedPaths } = change;
  const fileOnly: ConfigIssue[] = changedPaths.filter(isFileOnly).map((configPath) => ({
    configPath,
    reason: 'a security setting: change it in the config file, not over HTTP or MQTT',
  }));
  const loosened = before.remoteChanges.allowSafetySettings
    ? []
    : loosenedSafetySettings(SAFETY_SETTINGS, change, DEFAULT_CONTROLLER_CONFIG);
  return [...fileOnly, ...loosened];
}

/** A ConfigChangeCheck for changes from HTTP and MQTT: throws PROTECTED_SETTING. */
export function checkRemoteChange(change: ProposedConfigChange): void {
  const issues = remoteChangeIssues(change);
  if (issues.length > 0) throw new ControllerConfigError('PROTECTED_SETTING', issues);
}
