import { readFileSync } from 'node:fs';
import type { IClientOptions } from 'mqtt';
import { errorMessage } from '@tsbms/hal';
import { ConfigChangeError } from '@tsbms/bms-core';
import type { MqttConfig, MqttOutputSettings } from './mqtt-config';
import { AVAILABILITY_OFFLINE, mqttTopics, type MqttTopics } from './topics';

const CONNECT_TIMEOUT_MS = 10_000;

/** A setting of the `mqtt` section the output cannot run with; `configPath` names it. */
export function mqttConfigError(configPath: string, reason: string): ConfigChangeError {
  return new ConfigChangeError('INVALID_CONFIG', [{ configPath, reason }]);
}

/** The broker URL for messages and logs: scheme, host and port, never credentials. */
export function brokerAddress(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw mqttConfigError('mqtt.url', `not a URL: ${url.replace(/\/\/[^@/]*@/, '//')}`);
  }
  if (parsed.protocol !== 'mqtt:' && parsed.protocol !== 'mqtts:') {
    throw mqttConfigError('mqtt.url', `must start with mqtt:// or mqtts://, not ${parsed.protocol}//`);
  }
  return `${parsed.protocol}//${parsed.host}`;
}

function readPem(configPath: string, file: string | null): Buffer | undefined {
  if (file === null) return undefined;
  try {
    return readFileSync(file);
  } catch (error) {
    throw mqttConfigError(configPath, `cannot read ${file}: ${errorMessage(error)}`);
  }
}

/** mqtt.js's options for the section: login, TLS files read now, the last will, no reconnecting of its own. */
export function clientOptions(settings: MqttConfig, topics: MqttTopics): IClientOptions {
  const { tls } = settings;
  const pem = {
    ca: readPem('mqtt.tls.caFile', tls.caFile),
    cert: readPem('mqtt.tls.certFile', tls.certFile),
    key: readPem('mqtt.tls.keyFile', tls.keyFile),
  };
  return {
    clientId: settings.clientId ?? `tsbms-${settings.topicPrefix.replace(/\//g, '-')}`,
    ...(settings.username === null ? {} : { username: settings.username }),
    ...(settings.password === null ? {} : { password: settings.password }),
    ...Object.fromEntries(Object.entries(pem).filter(([, value]) => value !== undefined)),
    rejectUnauthorized: tls.rejectUnauthorized,
    will: { topic: topics.availability, payload: Buffer.from(AVAILABILITY_OFFLINE), qos: 1, retain: true },
    clean: true,
    // The backoff is ours (doubling, capped, on the injected clock); mqtt.js only connects.
    reconnectPeriod: 0,
    connectTimeout: CONNECT_TIMEOUT_MS,
    queueQoSZero: false,
    resubscribe: false,
    // mqtt.js otherwise keeps a ready-made Buffer for each of the 65,536 two-byte numbers: 6 MiB
    // of heap that every full GC marks, to save allocating two bytes per packet (issue 12).
    writeCache: false,
  };
}

/**
 * The MQTT output's start-up checks short of the network (broker URL, TLS files), for a config
 * about to be saved or started; throws ConfigChangeError naming the setting.
 */
export function checkMqttSettings({ mqtt: settings }: MqttOutputSettings): void {
  if (settings.url === null) return;
  brokerAddress(settings.url);
  clientOptions(settings, mqttTopics(settings.topicPrefix));
}
