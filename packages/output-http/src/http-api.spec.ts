import type { HistoryArchive } from './history-archive';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { DASHBOARD_DIR } from '@tsbms/dashboard';
import { apiRequests } from './testing/api-requests';
import { parsePrometheusText, sampleValue } from './testing/prometheus-text';
import { linkStatsFixture } from './testing/status-fixture';
import {
  AUTH_CONFIG,
  BEARER_TOKEN,
  GOOD_BASIC,
  PASSWORD,
  PASSWORD_HASH,
  USERNAME,
  basicAuth,
  nestedObjects,
  startTestHttp,
  type TestHttp,
} from './testing/http-harness';
import { HTTP_SECRET_CONFIG_PATHS } from './redact-config';
import { faultEventFixture, OVER_VOLTAGE_FAULT, statusFixture } from './testing/status-fixture';

let server: TestHttp;
afterEach(async () => server?.close());

const fileText = () => readFileSync(server.context.configFile as string, 'utf8');

const { get, put, post } = apiRequests(() => server.url);

/**
 * A GET with the path sent exactly as written (fetch's URL parsing would resolve `%2e%2e`), on a
 * connection of its own.
 */
function rawGet(rawPath: string): Promise<{ status: number; contentType: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(new URL(server.url), { path: rawPath, agent: false }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, contentType: response.headers['content-type'], body }),
        );
      })
      .on('error', reject);
  });
}

const NOT_FOUND = { error: { code: 'NOT_FOUND', message: 'not found' } };

/** The fixture's pack at −12.5 A × 46.98 V, 5 h from empty, with its lifetime counters. */
const DISCHARGING = {
  powerW: -587.25,
  energy: {
    chargedAh: 1500.25,
    dischargedAh: 1400.5,
    chargedWh: 70_000.5,
    dischargedWh: 65_000.25,
    equivalentCycles: 5.45,
  },
  timeToGo: { toEmptyS: 18_000, toFullS: null },
} as const;

describe('HTTP API: reads', () => {
  beforeEach(async () => {
    server = await startTestHttp({
      http: { auth: AUTH_CONFIG },
      config: { mqtt: { password: 'broker-secret' } },
    });
  });

  it('logs the bound URL once, on a free loopback port', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(server.url).not.toBe('http://127.0.0.1:0/');
    const line = server.context.logger.lines.find((l) => l.fields.event === 'http');
    expect(line?.message).toBe(`dashboard and API at ${server.url}`);
  });

  it('GET /api/status answers the current snapshot, with the security headers', async () => {
    const response = await get('/api/status');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(JSON.parse(JSON.stringify(server.context.status())));
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-powered-by')).toBeNull();
    expect(response.headers.get('strict-transport-security')).toBeNull();
  });

  it('GET /api/status carries power, the lifetime energy counters and the times to go as the core made them', async () => {
    server.context.publishStatus(statusFixture(DISCHARGING));
    expect(await (await get('/api/status')).json()).toMatchObject(DISCHARGING);
  });

  it('GET /api/config shows the configuration with the `http` section’s secrets as ***', async () => {
    const config = (await (await get('/api/config')).json()) as {
      mqtt: { password: string };
      http: { auth: Record<string, string | null>; port: number };
    };
    expect(config.http.auth).toEqual({ username: USERNAME, passwordHash: '***', bearerTokenHash: '***' });
    expect(config.http.port).toBe(0);
    expect(JSON.stringify(config)).not.toContain('scrypt$');
    // Other sections are the application's: it names their secrets (secretConfigPaths).
    expect(config.mqtt.password).toBe('broker-secret');
  });

  it('GET /api/config also hides the secrets the application names', async () => {
    await server.close();
    server = await startTestHttp({
      http: { auth: AUTH_CONFIG },
      config: { mqtt: { password: 'broker-secret' } },
      secretConfigPaths: ['mqtt.password', ...HTTP_SECRET_CONFIG_PATHS],
    });
    const config = (await (await get('/api/config')).json()) as {
      mqtt: { password: string };
      http: { auth: Record<string, string | null> };
    };
    expect(config.mqtt.password).toBe('***');
    expect(config.http.auth.passwordHash).toBe('***');
  });

  it('GET /api/events answers the fault log, oldest first', async () => {
    const first = faultEventFixture({ timestampMs: 1 });
    const second = faultEventFixture({ timestampMs: 2, type: 'clear' });
    server.context.publishFault(first);
    server.context.publishFault(second);
    expect(await (await get('/api/events')).json()).toEqual({ events: [first, second] });
  });

  it('GET /api/history answers the recorded points, the latest last', async () => {
    const t0 = server.context.status().timestampMs as number;
    server.context.publishStatus(
      statusFixture({ timestampMs: t0 + 30_000, packVoltageV: 47.1, socPercent: 64 }),
    );
    server.context.publishStatus(
      statusFixture({ timestampMs: t0 + 31_000, packVoltageV: 47.2, socPercent: 64.1 }),
    );
    const { points } = (await (await get('/api/history')).json()) as { points: unknown[] };
    expect(points).toEqual([
      { timestampMs: t0, packVoltageV: 46.98, socPercent: 63.2 },
      { timestampMs: t0 + 30_000, packVoltageV: 47.1, socPercent: 64 },
      { timestampMs: t0 + 31_000, packVoltageV: 47.2, socPercent: 64.1 },
    ]);
  });

  it('GET /healthz is 200 while scans are recent, 503 when they stop or before the first', async () => {
    const { context } = server;
    const fresh = await get('/healthz');
    expect(fresh.status).toBe(200);
    expect(await fresh.json()).toMatchObject({ ok: true, lastScanAgeS: 0 });
    await context.clock.advanceByMs(60_000);
    const stale = await get('/healthz');
    expect(stale.status).toBe(503);
    expect(await stale.json()).toMatchObject({ ok: false, reason: 'no scan for 60 s' });
    context.publishStatus(statusFixture({ timestampMs: null }));
    expect((await get('/healthz')).status).toBe(503);
  });

  it('GET /healthz is 503 while the state file cannot be saved (latched faults would not survive a crash)', async () => {
    const { context } = server;
    const stateFile = { file: '/var/lib/tsbms/state.json', lastSavedMs: 0 };
    context.publishStatus(statusFixture({ stateFile: { ...stateFile, ok: true, error: null } }));
    expect((await get('/healthz')).status).toBe(200);
    context.publishStatus(
      statusFixture({ stateFile: { ...stateFile, ok: false, error: 'EROFS: read-only file system' } }),
    );
    const unsaved = await get('/healthz');
    expect(unsaved.status).toBe(503);
    expect(await unsaved.json()).toMatchObject({
      ok: false,
      reason: 'state file /var/lib/tsbms/state.json cannot be saved: EROFS: read-only file system',
    });
  });

  it('GET /api/backup: 404 NOT_AVAILABLE when the application keeps none', async () => {
    const response = await get('/api/backup');
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('NOT_AVAILABLE');
  });

  it('unknown API routes answer 404 JSON', async () => {
    const response = await get('/api/nothing');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'no such API route' } });
  });
});

describe('the dashboard site: files listed at start, by exact name', () => {
  it('serves / and /config as pages and each listed file with its type', async () => {
    server = await startTestHttp();
    const index = await get('/');
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await index.text()).toContain('<title>dashboard</title>');
    expect(await (await get('/config')).text()).toContain('<title>settings</title>');
    const script = await get('/dashboard.js');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toContain('export const ok');
    expect((await get('/style.css')).headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it.each([
    ['a folder', '/sub'],
    ['a folder, with a slash', '/sub/'],
    ['a file in a folder', '/sub/inner.txt'],
    ['a file in a folder, its slash encoded', '/sub%2finner.txt'],
    ['a traversal', '/%2e%2e/outside.txt'],
    ['a traversal, its slash encoded', '/..%2foutside.txt'],
    ['a dotfile', '/.env'],
    ['a file of another kind', '/notes.md'],
    ['a listed name, encoded', '/dashboard%2ejs'],
    ['a listed name in capitals', '/DASHBOARD.JS'],
    ['a missing file', '/missing.css'],
  ])('answers 404 for %s (%s)', async (_name, rawPath) => {
    server = await startTestHttp();
    const response = await rawGet(rawPath);
    expect(response.status).toBe(404);
    expect(JSON.parse(response.body)).toEqual(NOT_FOUND);
  });

  it('keeps a keep-alive connection open after a page or file (the next request on it is answered)', async () => {
    server = await startTestHttp();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const statuses: (number | string)[] = [];
      for (const rawPath of ['/', '/dashboard.js', '/config', '/style.css', '/missing.css']) {
        statuses.push(
          await new Promise<number | string>((resolve) => {
            http
              .get(new URL(rawPath, server.url), { agent }, (response) => {
                response.resume();
                response.on('end', () => resolve(response.statusCode ?? 0));
              })
              .on('error', (error) => resolve(error.message));
          }),
        );
      }
      expect(statuses).toEqual([200, 200, 200, 200, 404]);
    } finally {
      agent.destroy();
    }
  });

  it('answers 404 for a file added after the start', async () => {
    server = await startTestHttp();
    writeFileSync(path.join(server.dashboardDir, 'late.js'), 'export const late = 1;\n');
    expect((await rawGet('/late.js')).status).toBe(404);
  });

  it('the real dashboard: no unit spec is served, however its name is spelt', async () => {
    server = await startTestHttp({ dashboardDir: DASHBOARD_DIR });
    for (const rawPath of ['/live.spec%2ejs', '/live%2espec%2ejs', '/live.spec.js', '/format.spec.js']) {
      expect({ rawPath, status: (await rawGet(rawPath)).status }).toEqual({ rawPath, status: 404 });
    }
  });

  it('the real dashboard: every file of its folder is served with its type', async () => {
    server = await startTestHttp({ dashboardDir: DASHBOARD_DIR });
    const types: Record<string, string> = {
      '.html': 'text/html; charset=utf-8',
      '.js': 'text/javascript; charset=utf-8',
      '.css': 'text/css; charset=utf-8',
    };
    const files = readdirSync(DASHBOARD_DIR);
    expect(files).toEqual(expect.arrayContaining(['index.html', 'config.html', 'dashboard.js', 'style.css']));
    for (const name of files) {
      const response = await rawGet(`/${name}`);
      expect({ name, status: response.status, contentType: response.contentType }).toEqual({
        name,
        status: 200,
        contentType: types[path.extname(name)],
      });
    }
  });
});

describe('HTTP API: credentials for writes', () => {
  beforeEach(async () => {
    server = await startTestHttp({ http: { auth: AUTH_CONFIG } });
  });

  const patch = JSON.stringify({ cells: { cellHighVoltageV: 4.05 } });

  it.each([
    ['no Authorization header', undefined, 'credentials required'],
    ['a wrong password', basicAuth(USERNAME, 'wrong'), 'wrong user name, password or token'],
    ['a wrong user name', basicAuth('root', PASSWORD), 'wrong user name, password or token'],
    ['a wrong bearer token', 'Bearer not-the-token', 'wrong user name, password or token'],
    ['Basic that is not base64', 'Basic !!!', 'malformed Basic credentials: not base64'],
    [
      'Basic without a colon',
      `Basic ${Buffer.from('admin').toString('base64')}`,
      'malformed Basic credentials: no "user:password"',
    ],
    ['an unknown scheme', 'Digest abc', 'unsupported authorization scheme Digest'],
    [
      'a scheme without credentials',
      'Basic',
      'malformed Authorization header: expected "Basic <base64>" or "Bearer <token>"',
    ],
    [
      'the password and a NUL (scrypt alone takes it for the password)',
      basicAuth(USERNAME, `${PASSWORD}\0`),
      'malformed Basic credentials: the password contains the control character U+0000 at position 22',
    ],
    [
      'the password and a NUL from a stray "AA" after the base64',
      `${GOOD_BASIC.replace(/=+$/, '')}AA`,
      'malformed Basic credentials: the password contains the control character U+0000 at position 22',
    ],
  ])(
    'PUT /api/config with %s → 401, WWW-Authenticate, nothing saved',
    async (_name, authorization, message) => {
      const before = fileText();
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (authorization !== undefined) headers.authorization = authorization;
      const response = await fetch(new URL('/api/config', server.url), {
        method: 'PUT',
        headers,
        body: patch,
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Basic realm="tsBMS", charset="UTF-8"');
      expect(await response.json()).toEqual({ error: { code: 'UNAUTHORIZED', message } });
      expect(fileText()).toBe(before);
      expect(server.context.restarts).toEqual([]);
    },
  );

  it.each([
    ['POST /api/faults/ack', '/api/faults/ack'],
    ['POST /api/restart', '/api/restart'],
    ['POST /api/balance', '/api/balance'],
  ])('%s without credentials → 401 and nothing done', async (_name, pathName) => {
    const response = await fetch(new URL(pathName, server.url), { method: 'POST' });
    expect(response.status).toBe(401);
    expect(server.context.acknowledges).toEqual([]);
    expect(server.context.restarts).toEqual([]);
    expect(server.context.balanceRequests).toEqual([]);
  });

  it('a wrong password makes the address wait: 429 with Retry-After and nothing done, then 200', async () => {
    const before = fileText();
    expect((await put('/api/config', patch, { authorization: basicAuth(USERNAME, 'guess') })).status).toBe(
      401,
    );
    const early = await put('/api/config', patch);
    expect(early.status).toBe(429);
    expect(early.headers.get('retry-after')).toBe('1');
    expect(await early.json()).toEqual({
      error: { code: 'TOO_MANY_ATTEMPTS', message: 'too many failed attempts: try again in 1 s' },
    });
    expect(fileText()).toBe(before);
    await server.context.clock.advanceByMs(1000);
    expect((await put('/api/config', patch)).status).toBe(200);
  });

  it('accepts HTTP Basic and a bearer token', async () => {
    expect((await put('/api/config', patch)).status).toBe(200);
    const another = JSON.stringify({ cells: { cellHighVoltageV: 4.0 } });
    expect((await put('/api/config', another, { authorization: `Bearer ${BEARER_TOKEN}` })).status).toBe(200);
    expect(server.context.restarts.map((r) => r.source)).toEqual(['http', 'http']);
  });
});

describe('HTTP API: PUT /api/config', () => {
  beforeEach(async () => {
    server = await startTestHttp({
      http: { auth: AUTH_CONFIG },
      config: { mqtt: { password: 'broker-secret' } },
    });
  });

  it('malformed JSON → 400 BAD_JSON', async () => {
    const before = fileText();
    const response = await put('/api/config', '{"cells": {');
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: { code: 'BAD_JSON', message: 'the body is not valid JSON' },
    });
    expect(fileText()).toBe(before);
  });

  it('a body over maxBodyBytes → 413', async () => {
    const before = fileText();
    const response = await put('/api/config', JSON.stringify({ pad: 'x'.repeat(70_000) }));
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(fileText()).toBe(before);
  });

  it('a secret sent back as *** is left out of the change: the saved one stays', async () => {
    const response = await put(
      '/api/config',
      JSON.stringify({ http: { auth: { passwordHash: '***' } }, pollIntervalS: 2 }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      config: { http: { auth: { passwordHash: '***' } }, pollIntervalS: 2 },
      changed: ['pollIntervalS'],
    });
    expect(JSON.parse(fileText()).http.auth.passwordHash).toBe(PASSWORD_HASH);
  });

  it('a change the configuration refuses → 400 with its code and issues, nothing saved', async () => {
    const before = fileText();
    const response = await put('/api/config', JSON.stringify([1, 2]));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: {
        code: 'INVALID_CONFIG',
        message: 'the configuration was not changed: (root): expected an object',
        issues: [{ path: '(root)', reason: 'expected an object' }],
      },
    });
    expect(fileText()).toBe(before);
    expect(server.context.restarts).toEqual([]);
  });

  const VALID_PATCH = JSON.stringify({ pollIntervalS: 2 });
  it.each([
    ['deflate', deflateSync(VALID_PATCH)],
    ['deflate', Buffer.from('not deflate data')],
    ['br', brotliCompressSync(VALID_PATCH)],
    ['br', Buffer.from('not brotli data')],
    ['gzip', gzipSync(VALID_PATCH)],
    ['gzip', Buffer.from('not gzip data')],
    ['x-unknown', Buffer.from(VALID_PATCH)],
  ])(
    'a body with Content-Encoding %s (%#) → 415 asking for it uncompressed, nothing saved',
    async (encoding, body) => {
      const before = fileText();
      const response = await put('/api/config', body, { 'content-encoding': encoding });
      expect(response.status).toBe(415);
      expect(response.headers.get('accept-encoding')).toBe('identity');
      expect(await response.json()).toEqual({
        error: {
          code: 'UNSUPPORTED_MEDIA_TYPE',
          message: 'send the body uncompressed (no Content-Encoding)',
        },
      });
      expect(fileText()).toBe(before);
      expect(server.context.logger.lines.filter((line) => line.level === 'error')).toEqual([]);
    },
  );

  const TOO_DEEP = { error: { code: 'TOO_DEEP', message: 'the body nests deeper than 32 levels' } };

  it.each([
    ['objects 10 000 levels deep', nestedObjects(10_000)],
    ['arrays 10 000 levels deep', `${'['.repeat(10_000)}${']'.repeat(10_000)}`],
    ['objects 33 levels deep', nestedObjects(33)],
  ])('%s → 400 TOO_DEEP, nothing saved, nothing logged', async (_name, body) => {
    const before = fileText();
    const response = await put('/api/config', body);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual(TOO_DEEP);
    expect(fileText()).toBe(before);
    expect(server.context.logger.lines.filter((line) => line.level === 'error')).toEqual([]);
  });

  it.each(['/api/faults/ack', '/api/restart'])(
    'POST %s with a body 10 000 levels deep → 400 TOO_DEEP',
    async (route) => {
      const response = await post(route, nestedObjects(10_000));
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual(TOO_DEEP);
      expect(server.context.acknowledges).toEqual([]);
      expect(server.context.restarts).toEqual([]);
    },
  );

  it('a non-JSON content type → 415', async () => {
    const response = await put('/api/config', 'pollIntervalS=2', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(response.status).toBe(415);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      'UNSUPPORTED_MEDIA_TYPE',
    );
  });

  it('scans carry on while bad requests are refused', async () => {
    await put('/api/config', '{');
    server.context.publishStatus(statusFixture({ timestampMs: 1_700_000_000_500 }));
    expect(((await (await get('/api/status')).json()) as { timestampMs: number }).timestampMs).toBe(
      1_700_000_000_500,
    );
  });
});

describe('HTTP API: acknowledge and restart', () => {
  beforeEach(async () => {
    server = await startTestHttp({ http: { auth: AUTH_CONFIG } });
  });

  it('POST /api/faults/ack passes kind and location on and answers accepted and rejected', async () => {
    const location = { moduleAddress: 1, cellIndex: 0 };
    const response = await post('/api/faults/ack', JSON.stringify({ kind: 'cellOverVoltage', location }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ accepted: [OVER_VOLTAGE_FAULT], rejected: [] });
    expect(server.context.acknowledges).toEqual([{ source: 'http', kind: 'cellOverVoltage', location }]);
  });

  it('POST /api/faults/ack without a body acknowledges every kind', async () => {
    expect((await post('/api/faults/ack', undefined)).status).toBe(200);
    expect(server.context.acknowledges).toEqual([{ source: 'http' }]);
  });

  it.each([
    ['an unknown kind', { kind: 'cellOverVolts' }, 'kind'],
    ['an unknown key', { kind: 'cellOverVoltage', everything: true }, 'everything'],
    ['a wrong type', { location: { moduleAddress: 'one' } }, 'location.moduleAddress'],
  ])('POST /api/faults/ack with %s → 400 with the path', async (_name, body, issuePath) => {
    const response = await post('/api/faults/ack', JSON.stringify(body));
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { code: string; issues: { path: string }[] } };
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.issues.map((issue) => issue.path)).toContain(issuePath);
    expect(server.context.acknowledges).toEqual([]);
  });

  it('POST /api/restart → 202, then the restart is requested', async () => {
    const response = await post('/api/restart', JSON.stringify({ reason: 'new modules fitted' }));
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ restarting: true, inS: 0 });
    expect(server.context.restarts).toEqual([{ reason: 'new modules fitted', source: 'http' }]);
  });

  it('POST /api/balance → 202, the next scan balances; refused → 409 BALANCE_REFUSED with the reason', async () => {
    const response = await post('/api/balance', undefined);
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ balancing: 'next scan' });
    expect(server.context.balanceRequests).toEqual(['http']);
    server.context.balanceNowResult = {
      accepted: false,
      reason: 'balancing is switched off (balancing.enabled)',
    };
    const refused = await post('/api/balance', '{}');
    expect(refused.status).toBe(409);
    expect(await refused.json()).toEqual({
      error: { code: 'BALANCE_REFUSED', message: 'balancing is switched off (balancing.enabled)' },
    });
    const malformed = await post('/api/balance', JSON.stringify({ cells: [1] }));
    expect(malformed.status).toBe(400);
    expect(server.context.balanceRequests).toEqual(['http', 'http']);
  });

  it('POST /api/restart too soon after the last → 429 with the reason and Retry-After', async () => {
    server.context.restartDecision = {
      accepted: false,
      reason: 'the last restart began 5 s ago',
      retryAfterS: 55,
    };
    const response = await post('/api/restart', undefined);
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('55');
    expect(await response.json()).toEqual({
      error: { code: 'RESTART_REFUSED', message: 'the last restart began 5 s ago' },
    });
  });
});

describe('HTTP API: write policy', () => {
  it('on loopback without credentials, writes answer 401 saying credentials are not configured', async () => {
    server = await startTestHttp();
    const response = await put('/api/config', JSON.stringify({ pollIntervalS: 2 }), {
      authorization: basicAuth('a', 'b'),
    });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(
      /credentials are not configured/,
    );
  });

  it('writesEnabled: false answers 403 even with good credentials', async () => {
    server = await startTestHttp({ http: { auth: AUTH_CONFIG, writesEnabled: false } });
    const response = await put('/api/config', JSON.stringify({ pollIntervalS: 2 }));
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('WRITES_DISABLED');
  });

  it('without a config file, PUT /api/config answers 409 CONFIG_FILE', async () => {
    server = await startTestHttp({ http: { auth: AUTH_CONFIG }, withConfigFile: false });
    const response = await put('/api/config', JSON.stringify({ pollIntervalS: 2 }));
    expect(response.status).toBe(409);
    expect(((await response.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'CONFIG_FILE',
      message: expect.stringMatching(/no config file/),
    });
  });
});

describe('GET /metrics', () => {
  beforeEach(async () => {
    server = await startTestHttp();
  });

  it('is Prometheus text with the cells, temperatures, SoC, limits, faults and comms', async () => {
    const response = await get('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const families = parsePrometheusText(await response.text());
    expect(sampleValue(families, 'tsbms_cell_voltage_volts', { module: '1', cell: '3' })).toBe(3.92);
    expect(families.get('tsbms_cell_voltage_volts')?.samples).toHaveLength(12);
    expect(sampleValue(families, 'tsbms_module_temperature_celsius', { module: '2', sensor: '1' })).toBe(
      21.5,
    );
    // The second thermistor reads null: left out, not reported as 0.
    expect(
      sampleValue(families, 'tsbms_module_temperature_celsius', { module: '2', sensor: '2' }),
    ).toBeUndefined();
    expect(sampleValue(families, 'tsbms_soc_percent')).toBe(63.2);
    expect(sampleValue(families, 'tsbms_charge_voltage_limit_volts')).toBe(49.2);
    expect(sampleValue(families, 'tsbms_discharge_current_limit_amperes')).toBe(100);
    expect(sampleValue(families, 'tsbms_active_faults', { level: 'fault' })).toBe(1);
    expect(sampleValue(families, 'tsbms_active_faults', { level: 'warning' })).toBe(0);
    expect(families.get('tsbms_comms_crc_errors_total')?.type).toBe('counter');
    expect(sampleValue(families, 'tsbms_comms_crc_errors_total', { address: '1' })).toBe(2);
    expect(sampleValue(families, 'tsbms_comms_frames_ok_total', { address: '2' })).toBe(60);
    expect(sampleValue(families, 'tsbms_comms_dropped_bytes_total')).toBe(3);
    // The fixture's port counts no UART errors (a pty): left out, not 0; a port that counts them, counted.
    expect(families.get('tsbms_comms_framing_errors_total')?.samples).toEqual([]);
    const fixture = linkStatsFixture();
    server.context.setLinkStats({ ...fixture, totals: { ...fixture.totals, framingErrors: 4, overruns: 0 } });
    const counted = parsePrometheusText(await (await get('/metrics')).text());
    expect(sampleValue(counted, 'tsbms_comms_framing_errors_total')).toBe(4);
    expect(sampleValue(counted, 'tsbms_comms_overruns_total')).toBe(0);
  });

  it('has power, times to go and the lifetime energy in base units (W, s, J, C), the totals as counters, the cycles as a gauge', async () => {
    server.context.publishStatus(statusFixture(DISCHARGING));
    const families = parsePrometheusText(await (await get('/metrics')).text());
    expect(sampleValue(families, 'tsbms_pack_power_watts')).toBe(-587.25);
    expect(sampleValue(families, 'tsbms_pack_time_to_empty_seconds')).toBe(18_000);
    expect(families.get('tsbms_pack_time_to_full_seconds')?.samples).toEqual([]);
    const totals = {
      tsbms_energy_charged_joules_total: 70_000.5 * 3600,
      tsbms_energy_discharged_joules_total: 65_000.25 * 3600,
      tsbms_charge_charged_coulombs_total: 1500.25 * 3600,
      tsbms_charge_discharged_coulombs_total: 1400.5 * 3600,
    };
    for (const [name, value] of Object.entries(totals)) {
      expect(families.get(name)).toMatchObject({
        type: 'counter',
        help: expect.stringMatching(/lifetime/),
      });
      expect(sampleValue(families, name)).toBe(value);
    }
    expect(families.get('tsbms_pack_power_watts')?.type).toBe('gauge');
    // a capacity change rescales the cycles: a gauge, so that it is never taken for a counter reset
    expect(families.get('tsbms_equivalent_cycles')?.type).toBe('gauge');
    expect(sampleValue(families, 'tsbms_equivalent_cycles')).toBe(5.45);
  });

  it('leaves unknown pack values out', async () => {
    server.context.publishStatus(statusFixture({ socPercent: null, limits: null, packVoltageV: null }));
    const families = parsePrometheusText(await (await get('/metrics')).text());
    expect(families.get('tsbms_soc_percent')?.samples).toEqual([]);
    expect(families.get('tsbms_pack_voltage_volts')?.samples).toEqual([]);
    expect(families.get('tsbms_charge_voltage_limit_volts')?.samples).toEqual([]);
    expect(sampleValue(families, 'tsbms_pack_current_amperes')).toBe(-12.5);
    // Before the first scan: no power, no times to go, no counters (never a 0 that a restart resets).
    for (const name of [
      'tsbms_pack_power_watts',
      'tsbms_pack_time_to_empty_seconds',
      'tsbms_pack_time_to_full_seconds',
      'tsbms_energy_charged_joules_total',
      'tsbms_charge_discharged_coulombs_total',
      'tsbms_equivalent_cycles',
    ]) {
      expect(families.get(name)?.samples).toEqual([]);
    }
  });
});

describe('GET /api/backup', () => {
  it("answers the application's backup as a download", async () => {
    let made = 0;
    server = await startTestHttp({
      backup: () => {
        made++;
        return { fileName: 'tsbms-backup-2026-12-05.json', text: '{"format":"tsbms-backup"}\n' };
      },
    });
    const response = await get('/api/backup');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe(
      'attachment; filename=tsbms-backup-2026-12-05.json',
    );
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.text()).toBe('{"format":"tsbms-backup"}\n');
    // Made when asked for, so it holds the state of that moment.
    expect(made).toBe(1);
  });
});

describe('GET /api/history/rows and /api/history/events', () => {
  const T0 = Date.UTC(2026, 11, 5);
  const queries: unknown[][] = [];
  const archive: HistoryArchive = {
    tiers: () => [
      { name: '10s', bucketMs: 10_000 },
      { name: '1min', bucketMs: 60_000 },
    ],
    rows: (tier, fromMs, toMs) => {
      queries.push([tier, fromMs, toMs]);
      return [
        {
          tier,
          startMs: T0,
          samples: 3,
          series: { packVoltageV: { min: 48, max: 48.2, mean: 48.1 } },
          cellsV: { M1C1: { min: 4, max: 4.01, mean: 4.005 } },
          contactorState: 'CLOSED',
        },
      ];
    },
    events: () => [
      { atMs: T0 + 5000, kind: 'raise', detail: { kind: 'cellOverVoltage', detail: 'cell 3, "high"' } },
    ],
  };
  beforeEach(() => (queries.length = 0));

  it('rows of a tier in a range (ms or ISO 8601), as JSON', async () => {
    server = await startTestHttp({ archive });
    const response = await get(`/api/history/rows?tier=1min&from=${T0}&to=2026-12-06T00:00:00Z`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      tier: '1min',
      fromMs: T0,
      toMs: T0 + 86_400_000,
      rows: [{ startMs: T0 }],
    });
    expect(queries).toEqual([['1min', T0, T0 + 86_400_000]]);
  });

  it('as CSV: a column per leaf, the time first as ISO 8601, RFC 4180 quoting', async () => {
    server = await startTestHttp({ archive });
    const rows = await get(`/api/history/rows?from=${T0}&to=${T0 + 1000}&format=csv`);
    expect(rows.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(rows.headers.get('content-disposition')).toBe('attachment; filename=tsbms-history-10s.csv');
    expect(await rows.text()).toBe(
      'time,tier,startMs,samples,series.packVoltageV.min,series.packVoltageV.max,series.packVoltageV.mean,cellsV.M1C1.min,cellsV.M1C1.max,cellsV.M1C1.mean,contactorState\r\n' +
        `2026-12-05T00:00:00.000Z,10s,${T0},3,48,48.2,48.1,4,4.01,4.005,CLOSED\r\n`,
    );
    const events = await get(`/api/history/events?from=${T0}&to=${T0 + 10_000}&format=csv`);
    expect(await events.text()).toBe(
      'time,atMs,kind,detail.kind,detail.detail\r\n' +
        `2026-12-05T00:00:05.000Z,${T0 + 5000},raise,cellOverVoltage,"cell 3, ""high"""\r\n`,
    );
  });

  it.each([
    ['no range', ''],
    ['to before from', `?from=${T0}&to=${T0 - 1}`],
    ['an unknown tier', `?tier=5s&from=${T0}&to=${T0 + 1}`],
    ['a bad time', `?from=yesterday&to=${T0}`],
    ['an unknown format', `?from=${T0}&to=${T0 + 1}&format=xml`],
  ])('%s → 400 INVALID_REQUEST, nothing read', async (_what, query) => {
    server = await startTestHttp({ archive });
    const response = await get(`/api/history/rows${query}`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('INVALID_REQUEST');
    expect(queries).toEqual([]);
  });

  it('404 NOT_AVAILABLE without an archive', async () => {
    server = await startTestHttp();
    expect((await get(`/api/history/rows?from=${T0}&to=${T0 + 1}`)).status).toBe(404);
    expect((await get(`/api/history/events?from=${T0}&to=${T0 + 1}`)).status).toBe(404);
  });
});
