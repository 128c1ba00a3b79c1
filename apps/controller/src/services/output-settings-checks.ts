import { isConfigChangeError } from '@tsbms/bms-core';
import {
  checkRemoteChange,
  ControllerConfigError,
  type ConfigChangeCheck,
  type ConfigIssue,
  type ControllerConfig,
} from '../config';
import { checkMqttSettings } from '@tsbms/output-mqtt';
import { checkInverterSettings } from '@tsbms/output-inverter-can';
import { canOutputSettings, mqttOutputSettings } from './output-services';

/**
 * What each output checks when it starts, short of the network: URLs it parses, files it reads,
 * hashes it uses, on its own settings. Each throws a ConfigChangeError naming the setting.
 */
const OUTPUT_SETTINGS_CHECKS: readonly ((config: ControllerConfig) => void)[] = [
  (config) => checkMqttSettings(mqttOutputSettings(config)),
  (config) => checkInverterSettings(canOutputSettings(config)),
];

/**
 * Runs every output's start-up checks on `config`: at start (a failure is a bad configuration,
 * exit 2) and on every run-time change before it is saved. Throws one error with every issue,
 * attributed to `file` when given.
 */
export function checkOutputSettings(config: ControllerConfig, file?: string): void {
  const issues: ConfigIssue[] = [];
  for (const check of OUTPUT_SETTINGS_CHECKS) {
    try {
      check(config);
    } catch (error) {
      if (!isConfigChangeError(error)) throw error;
      issues.push(...error.issues);
    }
  }
  if (issues.length > 0) throw new ControllerConfigError('INVALID_CONFIG', issues, file);
}

/** The checks every change from HTTP or MQTT passes before it is saved. */
export const REMOTE_CHANGE_CHECKS: readonly ConfigChangeCheck[] = [
  checkRemoteChange,
  ({ after }) => checkOutputSettings(after),
];
