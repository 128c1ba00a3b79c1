import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { encodeRecordingLine, RECORDING_HEADER } from '@tsbms/bms-core';
import { makePackReading } from '@tsbms/battery-model/testing';
import { hashSecret } from '@tsbms/credentials';
import { ManualClock, silentLogger } from '@tsbms/hal';
import { SqliteHistoryStore } from '@tsbms/history';

/** Cheap scrypt: the same format, milliseconds to make. */
const TEST_SCRYPT = { n: 1024, r: 8, p: 1 };

/** Secrets planted in the configuration file. */
export const FILE_SECRETS = {
  mqttUrlPassword: 'Url-pass-5c1e9a',
  bearerTokenHash: hashSecret('file-api-token-77', TEST_SCRYPT),
  ntfyToken: 'tk_file-ntfy-3a7f0b2c',
  influxToken: 'file-influx-token-8d4e',
} as const;

/** Secrets planted in the environment (TSBMS_*), which win over the file. */
export const ENV_SECRETS = {
  TSBMS_MQTT_PASSWORD: 'env-mqtt-password-91f3',
  TSBMS_HTTP_AUTH_PASSWORD_HASH: hashSecret('env-http-password-4b', TEST_SCRYPT),
  TSBMS_NOTIFICATIONS_WEBHOOK_BEARER_TOKEN: 'env-webhook-bearer-6e2d',
  TSBMS_INFLUXDB_TOKEN: 'env-influx-token-0c5b',
} as const;

/** A setting the environment sets that is no secret: shown by its variable's name only. */
export const ENV_SERIAL_PATH = '/dev/ttyTSBMS-test-0';

export const ALL_SECRETS: readonly string[] = [...Object.values(FILE_SECRETS), ...Object.values(ENV_SECRETS)];

/** The environment of a controller configured with ENV_SECRETS. */
export const secretEnvironment = (): NodeJS.ProcessEnv => ({
  ...ENV_SECRETS,
  TSBMS_SERIAL_PATH: ENV_SERIAL_PATH,
  TSBMS_HTTP_AUTH_USERNAME: 'admin',
});

export const RECORDED_SCANS = 5;

export interface BundleFixture {
  readonly configFile: string;
  readonly recordFile: string;
  readonly stateFile: string;
  readonly historyFile: string;
  /** The recording's exact bytes. */
  readonly recording: Buffer;
}

/**
 * A controller's files in `dir`: bms.yaml with FILE_SECRETS (2 modules, recordFile set), its
 * state file (a latched fault, SoC 61.5 %), its history file with two events of the last hour and
 * a recording of RECORDED_SCANS scans.
 */
export function writeBundleFixture(dir: string, nowMs: number): BundleFixture {
  const configFile = path.join(dir, 'bms.yaml');
  const recordFile = path.join(dir, 'night.jsonl');
  const stateFile = `${configFile}.state.json`;
  const historyFile = `${configFile}.history.sqlite`;
  writeFileSync(
    configFile,
    stringify({
      pack: { moduleCount: 2 },
      recordFile,
      mqtt: { url: `mqtt://bms:${FILE_SECRETS.mqttUrlPassword}@broker.local:1883` },
      http: { auth: { bearerTokenHash: FILE_SECRETS.bearerTokenHash } },
      notifications: {
        ntfy: { topic: 'tsbms-test-topic', token: FILE_SECRETS.ntfyToken },
        webhook: { url: 'https://hooks.example.org/bms' },
      },
      influxdb: {
        enabled: true,
        url: 'http://influxdb.local:8086',
        org: 'home',
        bucket: 'battery',
        token: FILE_SECRETS.influxToken,
      },
    }),
  );
  writeFileSync(
    stateFile,
    `${JSON.stringify({
      version: 1,
      faults: {
        version: 1,
        faults: [
          {
            kind: 'cellOverVoltage',
            level: 'fault',
            location: { moduleAddress: 2, cellIndex: 3 },
            value: 4.26,
            sinceMs: nowMs - 7_200_000,
          },
        ],
      },
      soc: { socPercent: 61.5, sohPercent: 98, timestampMs: nowMs - 30_000 },
      energy: null,
    })}\n`,
  );
  const history = SqliteHistoryStore.open({
    file: historyFile,
    clock: new ManualClock(nowMs),
    logger: silentLogger,
    maxBytes: 64 * 1024 * 1024,
  });
  history.addEvent({
    atMs: nowMs - 3_600_000,
    kind: 'raise',
    detail: { kind: 'cellOverVoltage', moduleAddress: 2 },
  });
  history.addEvent({
    atMs: nowMs - 3_500_000,
    kind: 'contactors',
    detail: { state: 'OPEN', reason: 'fault' },
  });
  history.close();
  const scans = Array.from({ length: RECORDED_SCANS }, (_, i) =>
    encodeRecordingLine({ discoveredModules: 2, reading: makePackReading(nowMs - 10_000 + i * 500, 2) }),
  );
  const recording = Buffer.from(`${[RECORDING_HEADER, ...scans].join('\n')}\n`);
  writeFileSync(recordFile, recording);
  return { configFile, recordFile, stateFile, historyFile, recording };
}

/** The environment a child process gets: the test's own without any TSBMS_* or INIT_CWD, then `extra`. */
export function childEnvironment(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const own = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('TSBMS_') && name !== 'INIT_CWD'),
  );
  return { ...own, NODE_ENV: 'test', ...extra };
}

/** Extracts a .tar.gz with the system's tar into `into` and reads every file back. */
export function extractWithSystemTar(archive: string, into: string): Map<string, Buffer> {
  mkdirSync(into, { recursive: true });
  const result = spawnSync('tar', ['-xzf', archive, '-C', into], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`tar -xzf failed (${result.status}): ${result.stderr}`);
  return new Map(readdirSync(into).map((name) => [name, readFileSync(path.join(into, name))]));
}
