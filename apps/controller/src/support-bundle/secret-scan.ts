import { getAtPath } from '@tsbms/bms-core';
import { ENV_OVERRIDABLE_PATHS, envVariableName } from '../config';
import { SupportBundleError } from './support-bundle-error';
import type { TarEntry } from './tar-writer';

/*
 * The last check before a bundle is written: no entry may hold a secret's value, whatever the
 * code that built it did. A value shorter than MIN_SCANNED_SECRET_LENGTH is not looked for: "on",
 * "1234"-style short values turn up in any status by chance, and a secret that short protects
 * nothing anyway.
 */

/** Secrets shorter than this (in characters) are not looked for. */
export const MIN_SCANNED_SECRET_LENGTH = 4;

/** A secret to look for, and where it came from (a config path or a variable), for the message. */
export interface SecretValue {
  readonly origin: string;
  readonly value: string;
}

/** The password of a URL (`mqtt://user:password@host`), decoded; null when it has none. */
function urlPassword(text: string): string | null {
  if (!text.includes('@')) return null;
  try {
    const password = new URL(text).password;
    return password === '' ? null : decodeURIComponent(password);
  } catch {
    return null;
  }
}

/**
 * The secrets a bundle must not hold: the running configuration's value at every secret path,
 * the environment's value of every overridable secret setting (TSBMS_MQTT_PASSWORD, …), and the
 * password inside any URL the configuration or those variables give (mqtt.url). The environment's
 * other overridable settings (serial.path, gpio.chip, stateFile, recordFile, inverter.interface,
 * the user names) are not secrets: the status names the state file and the CAN interface by
 * design, so they are shown by name in config.json but not looked for.
 */
export function secretValues(
  config: unknown,
  secretPaths: readonly string[],
  env: NodeJS.ProcessEnv,
  extra: readonly SecretValue[] = [],
): SecretValue[] {
  const found: SecretValue[] = [...extra];
  for (const configPath of secretPaths) {
    const value = getAtPath(config, configPath);
    if (typeof value === 'string') found.push({ origin: configPath, value });
  }
  for (const configPath of ENV_OVERRIDABLE_PATHS) {
    const variable = envVariableName(configPath);
    const value = env[variable];
    if (value === undefined || value === '') continue;
    if (secretPaths.includes(configPath)) found.push({ origin: variable, value });
    const password = urlPassword(value);
    if (password !== null) found.push({ origin: `the password in ${variable}`, value: password });
  }
  collectUrlPasswords(config, '', found);
  return found.filter((secret) => [...secret.value].length >= MIN_SCANNED_SECRET_LENGTH);
}

function collectUrlPasswords(value: unknown, at: string, found: SecretValue[]): void {
  if (typeof value === 'string') {
    const password = urlPassword(value);
    if (password !== null) found.push({ origin: `the password in ${at}`, value: password });
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => collectUrlPasswords(item, `${at}[${i}]`, found));
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value))
      collectUrlPasswords(item, at === '' ? key : `${at}.${key}`, found);
  }
}

/** The byte sequences a secret may appear as: as it is, and escaped inside a JSON string. */
function forms(value: string): Buffer[] {
  const escaped = JSON.stringify(value).slice(1, -1);
  return [...new Set([value, escaped])].map((text) => Buffer.from(text, 'utf8'));
}

/**
 * Throws SupportBundleError SECRET_IN_BUNDLE naming the first entry that holds a secret and where
 * that secret came from; never the value.
 */
export function assertNoSecrets(entries: readonly TarEntry[], secrets: readonly SecretValue[]): void {
  const patterns = secrets.flatMap((secret) => forms(secret.value).map((bytes) => ({ secret, bytes })));
  for (const entry of entries) {
    const hit = patterns.find(({ bytes }) => entry.body.includes(bytes));
    if (hit !== undefined) {
      throw new SupportBundleError(
        'SECRET_IN_BUNDLE',
        `${entry.name} holds the value of ${hit.secret.origin}: the support bundle was not written`,
        entry.name,
      );
    }
  }
}
