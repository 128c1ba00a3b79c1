import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ManualClock } from '@tsbms/hal';
import { createHttpApi } from '@tsbms/output-http';
import { apiRequests, AUTH_CONFIG, USERNAME, nestedObjects, statusFixture } from '@tsbms/output-http/testing';
import { ConfigStore } from '../config';
import { SECRET_CONFIG_PATHS } from './output-services';
import { FakeControllerContext } from './testing/fake-context';

/*
 * The HTTP API over the controller's own configuration: GET /api/config with the controller's
 * secrets hidden, PUT /api/config checked and saved by its ConfigStore, with the remote-change
 * checks, its config paths and messages in the answers. The HTTP layer itself (credentials,
 * bodies, the other routes) is tested in @tsbms/output-http, over a fake configuration.
 */

interface TestHttp {
  readonly context: FakeControllerContext;
  /** `http://127.0.0.1:PORT/`. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The API as the controller serves it (its secret paths), on a free loopback port, with a fake
 * controller context whose config file (`http` merged over `{ port: 0 }`) lives in a temp dir.
 */
async function startTestHttp(
  options: { http?: Record<string, unknown>; config?: Record<string, unknown> } = {},
): Promise<TestHttp> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tsbms-http-config-'));
  const file = path.join(dir, 'bms.json');
  writeFileSync(file, JSON.stringify({ ...options.config, http: { port: 0, ...options.http } }, null, 2));
  const context = new FakeControllerContext({
    config: ConfigStore.open(file, {}),
    status: statusFixture(),
    clock: new ManualClock(1_700_000_000_000),
  });
  const api = createHttpApi(context, {
    settings: context.settings().http,
    tls: false,
    secretConfigPaths: SECRET_CONFIG_PATHS,
  });
  const server = http.createServer(api.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    context,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    async close() {
      api.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let server: TestHttp;
afterEach(async () => server?.close());

const fileText = () => readFileSync(server.context.configFile as string, 'utf8');

const { get, put } = apiRequests(() => server.url);

describe('HTTP API: reads', () => {
  beforeEach(async () => {
    server = await startTestHttp({
      http: { auth: AUTH_CONFIG },
      config: { mqtt: { password: 'broker-secret' } },
    });
  });

  it('GET /api/config shows the running config with every configured secret as ***', async () => {
    const config = (await (await get('/api/config')).json()) as {
      mqtt: { password: string | null; username: string | null };
      http: { auth: Record<string, string | null>; port: number };
    };
    expect(config.mqtt.password).toBe('***');
    expect(config.mqtt.username).toBeNull();
    expect(config.http.auth).toEqual({ username: USERNAME, passwordHash: '***', bearerTokenHash: '***' });
    expect(config.http.port).toBe(0);
    expect(JSON.stringify(config)).not.toContain('scrypt$');
    expect(JSON.stringify(config)).not.toContain('broker-secret');
  });
});

describe('HTTP API: PUT /api/config', () => {
  beforeEach(async () => {
    server = await startTestHttp({
      http: { auth: AUTH_CONFIG },
      config: { mqtt: { password: 'broker-secret' } },
    });
  });

  it('a valid patch is saved and answered with the redacted config and its effect: a live setting, no restart', async () => {
    const response = await put('/api/config', JSON.stringify({ cells: { cellHighVoltageV: 4.05 } }));
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      config: { cells: { cellHighVoltageV: number }; mqtt: { password: string } };
      changed: string[];
      effect: unknown;
      restart: unknown;
    };
    expect(body.config.cells.cellHighVoltageV).toBe(4.05);
    expect(body.config.mqtt.password).toBe('***');
    expect(body.changed).toEqual(['cells.cellHighVoltageV']);
    expect(body).toMatchObject({ effect: 'live', restart: null });
    expect(JSON.parse(fileText()).cells.cellHighVoltageV).toBe(4.05);
    expect(server.context.restarts).toEqual([]);
  });

  it('a structural setting is saved and answered with the restart that applies it', async () => {
    const response = await put('/api/config', JSON.stringify({ pollIntervalS: 1 }));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      changed: ['pollIntervalS'],
      effect: 'restart',
      restart: { accepted: true, inS: 0 },
    });
    expect(server.context.restarts).toEqual([{ reason: 'configuration changed', source: 'http' }]);
  });

  it.each([
    ['{}', {}],
    ['the values already running', { cells: { cellHighVoltageV: 4.1 }, pollIntervalS: 0.5 }],
  ])('%s is a no-op: 200 with nothing changed, the file untouched, no restart', async (_what, body) => {
    const before = fileText();
    const response = await put('/api/config', JSON.stringify(body));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ changed: [], restart: null });
    expect(fileText()).toBe(before);
    expect(server.context.restarts).toEqual([]);
  });

  it.each([
    ['the HTTP listener', { http: { port: 9999 } }, 'http.port'],
    ['the state file', { stateFile: '/etc/passwd' }, 'stateFile'],
    ['hardware threshold programming', { programHardwareThresholds: false }, 'programHardwareThresholds'],
    [
      'a fault delay beyond the behaviour document',
      { cells: { overVoltageDelayS: 60 } },
      'cells.overVoltageDelayS',
    ],
  ])(
    '%s → 403 PROTECTED_SETTING with the path, even with credentials; file unchanged',
    async (_what, body, configPath) => {
      const before = fileText();
      const response = await put('/api/config', JSON.stringify(body));
      expect(response.status).toBe(403);
      const { error } = (await response.json()) as { error: { code: string; issues: { path: string }[] } };
      expect(error.code).toBe('PROTECTED_SETTING');
      expect(error.issues.map((issue) => issue.path)).toEqual([configPath]);
      expect(fileText()).toBe(before);
      expect(server.context.restarts).toEqual([]);
    },
  );

  it('switching the inverter profile is a change like any other: saved, then the outputs restart', async () => {
    const response = await put('/api/config', JSON.stringify({ inverter: { profile: 'sma-sunny-island' } }));
    expect(response.status).toBe(200);
    // The Victron-only options (null in the file) are no options of the new profile: gone too.
    expect(((await response.json()) as { changed: string[] }).changed).toEqual([
      'inverter.profile',
      'inverter.batteryName',
      'inverter.serialNumber',
      'inverter.productFamily',
    ]);
    expect(JSON.parse(fileText()).inverter.profile).toBe('sma-sunny-island');
    // The core runs on: only the outputs restart (the supervisor's part, not this context's).
    expect(server.context.restarts).toEqual([]);
  });

  it('a secret sent back as *** keeps its value', async () => {
    const response = await put(
      '/api/config',
      JSON.stringify({ mqtt: { password: '***' }, pollIntervalS: 2 }),
    );
    expect(response.status).toBe(200);
    expect(server.context.config().mqtt.password).toBe('broker-secret');
    expect(JSON.parse(fileText()).mqtt.password).toBe('broker-secret');
  });

  it.each([
    ['an out-of-range value', { cells: { cellHighVoltageV: 'high' } }, 'cells.cellHighVoltageV'],
    ['an unknown key', { cells: { cellHighVoltsV: 4.1 } }, 'cells.cellHighVoltsV'],
    ['an unknown section', { modbus: {} }, 'modbus'],
    ['an unknown inverter profile', { inverter: { profile: 'deye' } }, 'inverter.profile'],
    [
      'an option of another profile than the chosen one',
      { inverter: { profile: 'pylontech', serialNumber: 'TS-1' } },
      'inverter.serialNumber',
    ],
    ['a non-object body', [1, 2], '(root)'],
    [
      'HTTP made public without credentials',
      { http: { host: '0.0.0.0', auth: { username: null, passwordHash: null, bearerTokenHash: null } } },
      'http.host',
    ],
  ])('%s → 400 INVALID_CONFIG with the path, file unchanged, no restart', async (_name, body, configPath) => {
    const before = fileText();
    const response = await put('/api/config', JSON.stringify(body));
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as {
      error: { code: string; issues: { path: string; reason: string }[] };
    };
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.issues.map((issue) => issue.path)).toContain(configPath);
    expect(error.issues.every((issue) => issue.reason.length > 0)).toBe(true);
    expect(fileText()).toBe(before);
    expect(server.context.restarts).toEqual([]);
  });

  it('32 levels are read (and refused as a setting: the key is unknown)', async () => {
    const response = await put('/api/config', nestedObjects(32));
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('INVALID_CONFIG');
  });
});
