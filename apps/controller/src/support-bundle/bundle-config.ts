import { getAtPath, isPlainObject, setAtPath } from '@tsbms/bms-core';
import { redactConfig, SECRET_MASK } from '@tsbms/output-http';
import { ENV_OVERRIDABLE_PATHS, envVariableName } from '../config';

/*
 * The configuration as a bundle shows it: redacted as GET /api/config and the backup redact it
 * (redactConfig over the controller's SECRET_CONFIG_PATHS), and further: a setting the
 * environment sets shows the variable's name, never its value, and a password inside a URL
 * (mqtt://user:password@host) reads ***.
 */

/** The overridable settings the environment sets (non-empty), with their variables: `{ 'mqtt.password': 'TSBMS_MQTT_PASSWORD' }`. */
export function environmentOverrides(env: NodeJS.ProcessEnv): Readonly<Record<string, string>> {
  return Object.fromEntries(
    ENV_OVERRIDABLE_PATHS.map((configPath) => [configPath, envVariableName(configPath)] as const).filter(
      ([, variable]) => (env[variable] ?? '') !== '',
    ),
  );
}

/** How a setting the environment sets reads: the variable's name. */
export const fromEnvironment = (variable: string) => `$${variable}`;

/** `mqtt://user:***@host`: a URL's password masked; anything else as it is. */
export function withoutUrlPassword(text: string): string {
  if (!text.includes('@')) return text;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return text;
  }
  if (url.password === '') return text;
  url.password = SECRET_MASK;
  // URL.toString() percent-encodes the mask: show it as the API does.
  return url.toString().replace(`:${encodeURIComponent(SECRET_MASK)}@`, `:${SECRET_MASK}@`);
}

/** Every string in a JSON value passed through `map`. */
function mapStrings(value: unknown, map: (text: string) => string): unknown {
  if (typeof value === 'string') return map(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, map));
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapStrings(item, map)]));
  }
  return value;
}

/**
 * The running configuration for `config.json`: secrets as `***`, the settings the environment
 * sets as `$VARIABLE` (a secret among them stays `***`), URL passwords as `***`.
 */
export function bundleConfig(
  config: unknown,
  secretPaths: readonly string[],
  env: NodeJS.ProcessEnv,
): Record<string, unknown> {
  const redacted = mapStrings(redactConfig(config, secretPaths), withoutUrlPassword);
  const shown = isPlainObject(redacted) ? redacted : {};
  for (const [configPath, variable] of Object.entries(environmentOverrides(env))) {
    if (secretPaths.includes(configPath) || getAtPath(shown, configPath) === undefined) continue;
    setAtPath(shown, configPath.split('.'), fromEnvironment(variable));
  }
  return shown;
}

/**
 * What a replay needs of the configuration (`replay-config.json`, for `--replay … --config`):
 * the settings the BMS core decides by. Left out: the outputs' sections (inverter, MQTT, HTTP,
 * notifications, InfluxDB: they hold the credentials and do not run in a replay), the files the
 * daemon writes (state, recording, history) and every setting the environment may set (device
 * paths and secrets), so each is at its default on the machine that replays.
 */
export function replayConfig(config: unknown): Record<string, unknown> {
  const copy = structuredClone(isPlainObject(config) ? config : {}) as Record<string, unknown>;
  for (const section of [
    'inverter',
    'mqtt',
    'http',
    'notifications',
    'influxdb',
    'history',
    'stateFile',
    'recordFile',
  ]) {
    delete copy[section];
  }
  for (const configPath of ENV_OVERRIDABLE_PATHS) {
    const segments = configPath.split('.');
    const parent = getAtPath(copy, segments.slice(0, -1).join('.'));
    if (segments.length > 1 && isPlainObject(parent)) delete parent[segments[segments.length - 1]];
  }
  return copy;
}
