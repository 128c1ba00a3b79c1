import type { ConfigOverride } from './config-overrides';
import { ControllerConfigError } from './errors';
import type { ConfigPath } from './schema';

/**
 * Settings the environment may override: secrets and deployment paths, which do not belong in a
 * file that is copied around or edited at run time. The variable for a setting is derived from
 * its path (see envVariableName); add a path here to make it overridable, e.g. `mqtt.password`
 * (TSBMS_MQTT_PASSWORD) once that setting exists. Values are strings; an empty value is ignored.
 * Overrides apply to the running config only: ConfigStore never writes them to the file.
 */
export const ENV_OVERRIDABLE_PATHS = [
  'serial.path',
  'gpio.chip',
  'stateFile',
  'recordFile',
  'inverter.interface',
  'mqtt.url',
  'mqtt.username',
  'mqtt.password',
  'mqtt.commands.tokenHash',
  'http.auth.username',
  'http.auth.passwordHash',
  'http.auth.bearerTokenHash',
  'notifications.ntfy.token',
  'notifications.gotify.token',
  'notifications.webhook.bearerToken',
  'notifications.email.password',
  'notifications.heartbeat.url',
  'influxdb.token',
] as const satisfies readonly ConfigPath[];

export const ENV_PREFIX = 'TSBMS_';

/** `serial.path` → `TSBMS_SERIAL_PATH`, `gpio.chip` → `TSBMS_GPIO_CHIP`, `mqtt.password` → `TSBMS_MQTT_PASSWORD`. */
export function envVariableName(configPath: string): string {
  const words = configPath
    .split('.')
    .map((segment) => segment.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase());
  return `${ENV_PREFIX}${words.join('_')}`;
}

/**
 * Variables of settings that moved: one still set is refused rather than ignored, since ignoring
 * it would quietly turn its output off.
 */
const RENAMED_VARIABLES: Readonly<Record<string, ConfigPath>> = {
  TSBMS_CAN_INTERFACE: 'inverter.interface',
};

/** The overrides set in `env`, each naming its variable. Throws on a renamed variable still set. */
export function envOverrides(env: NodeJS.ProcessEnv): ConfigOverride[] {
  const renamed = Object.entries(RENAMED_VARIABLES).filter(([variable]) => (env[variable] ?? '') !== '');
  if (renamed.length > 0) {
    throw new ControllerConfigError(
      'INVALID_CONFIG',
      renamed.map(([variable, configPath]) => ({
        configPath,
        reason: `${variable} was renamed ${envVariableName(configPath)}: set that instead`,
      })),
      'environment',
    );
  }
  return ENV_OVERRIDABLE_PATHS.flatMap((configPath) => {
    const variable = envVariableName(configPath);
    const value = env[variable];
    return value === undefined || value === '' ? [] : [{ configPath, value, origin: variable }];
  });
}
