import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as https from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ControllerConfigError, loadControllerConfig, parseControllerConfig } from '../config';
import { startHttpOutput } from './http-output';
import { AUTH_CONFIG, fakeHttpContext, startTestHttp, type TestHttp } from './testing/http-harness';
import { statusFixture } from './testing/status-fixture';
import { selfSignedCertificate } from '@tsbms/test-support';

/** A well-formed salt and key, for hashes whose cost parameters are under test. */
const SALT = Buffer.from('saltsaltsalt').toString('base64');
const KEY = Buffer.alloc(32, 7).toString('base64');

describe('http config section', () => {
  const parseHttp = (http: Record<string, unknown>) => parseControllerConfig({ http }, 'test.yaml').http;
  const issuesOf = (http: Record<string, unknown>) => {
    try {
      parseHttp(http);
    } catch (error) {
      return (error as ControllerConfigError).issues;
    }
    throw new Error('accepted');
  };

  it('defaults: loopback, writes on, no credentials, no TLS', () => {
    expect(parseHttp({})).toEqual({
      enabled: true,
      host: '127.0.0.1',
      port: 8080,
      writesEnabled: true,
      auth: { username: null, passwordHash: null, bearerTokenHash: null },
      tls: { certFile: null, keyFile: null },
      maxBodyBytes: 65536,
      historyHours: 24,
      historyIntervalS: 30,
    });
  });

  it.each(['0.0.0.0', '192.168.1.20', '::', 'bms.local'])(
    'refuses host %s with writes enabled and no credentials, at http.host',
    (host) => {
      expect(issuesOf({ host })).toEqual([
        {
          configPath: 'http.host',
          reason:
            'a non-loopback host with writesEnabled needs credentials (http.auth) or writesEnabled: false',
        },
      ]);
    },
  );

  it.each([
    ['loopback', { host: '127.0.0.2' }],
    ['IPv6 loopback', { host: '::1' }],
    ['localhost', { host: 'localhost' }],
    ['read-only', { host: '0.0.0.0', writesEnabled: false }],
    ['with credentials', { host: '0.0.0.0', auth: AUTH_CONFIG }],
    ['disabled', { host: '0.0.0.0', enabled: false }],
  ])('accepts a public host when %s', (_name, http) => {
    expect(() => parseHttp(http)).not.toThrow();
  });

  it.each([
    [
      'a clear-text password',
      { auth: { username: 'admin', passwordHash: 'hunter2' } },
      'http.auth.passwordHash',
    ],
    ['a user without a hash', { auth: { username: 'admin' } }, 'http.auth.passwordHash'],
    ['a cert without a key', { tls: { certFile: '/etc/ssl/bms.pem' } }, 'http.tls.keyFile'],
    ['a tiny body limit', { maxBodyBytes: 10 }, 'http.maxBodyBytes'],
    ['an unknown key', { password: 'x' }, 'http.password'],
  ])('refuses %s', (_name, http, configPath) => {
    expect(issuesOf(http).map((issue) => issue.configPath)).toContain(configPath);
  });

  it.each([
    ['N = 2^32', `scrypt$${2 ** 32}$8$1$${SALT}$${KEY}`, /N must be a power of two up to 1048576/],
    ['N = 2^21 (seconds per check)', `scrypt$${2 ** 21}$8$1$${SALT}$${KEY}`, /N must be a power of two/],
    ['N in hexadecimal', `scrypt$0x400$8$1$${SALT}$${KEY}`, /not an scrypt\$N\$r\$p\$salt\$hash string/],
    ['p = 17', `scrypt$1024$8$17$${SALT}$${KEY}`, /r and p must be integers from 1 to 16/],
    ['a 65-byte hash', `scrypt$1024$8$1$${SALT}$${Buffer.alloc(65).toString('base64')}`, /the hash 16 to 64/],
  ])('refuses a stored hash the credential check would refuse: %s', (_name, hash, reason) => {
    for (const auth of [{ username: 'admin', passwordHash: hash }, { bearerTokenHash: hash }]) {
      const [issue] = issuesOf({ auth });
      expect(issue.configPath).toBe(`http.auth.${Object.keys(auth).at(-1)}`);
      expect(issue.reason).toMatch(reason);
    }
  });
});

describe('loading a config with a stored hash the credential check cannot use', () => {
  const HUGE_N = `scrypt$${2 ** 32}$8$1$${SALT}$${KEY}`;
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'tsbms-http-hash-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('from the file: INVALID_CONFIG naming http.auth.passwordHash', () => {
    const file = path.join(dir, 'bms.yaml');
    writeFileSync(file, `http:\n  auth:\n    username: admin\n    passwordHash: "${HUGE_N}"\n`);
    expect(() => loadControllerConfig(file, {})).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG', configPath: 'http.auth.passwordHash' }),
    );
  });

  it('from the environment (TSBMS_HTTP_AUTH_PASSWORD_HASH): the same', () => {
    const file = path.join(dir, 'bms.yaml');
    writeFileSync(file, 'http:\n  auth:\n    username: admin\n');
    expect(() => loadControllerConfig(file, { TSBMS_HTTP_AUTH_PASSWORD_HASH: HUGE_N })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG', configPath: 'http.auth.passwordHash' }),
    );
  });
});

describe('the HTTP output service', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'tsbms-http-out-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is off (null) when http.enabled is false', async () => {
    const context = fakeHttpContext(dir, { http: { enabled: false } });
    await expect(startHttpOutput(context)).resolves.toBeNull();
  });

  it('throws, naming the port, when the port is taken (the BMS runs on without HTTP)', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const context = fakeHttpContext(dir, { http: { port } });
      await expect(startHttpOutput(context)).rejects.toThrow(
        `HTTP cannot listen on 127.0.0.1:${port}: listen EADDRINUSE`,
      );
    } finally {
      blocker.close();
    }
  });

  it('names the config path of an unreadable TLS file', async () => {
    const context = fakeHttpContext(dir, {
      http: { port: 0, tls: { certFile: path.join(dir, 'none.pem'), keyFile: path.join(dir, 'none.key') } },
    });
    await expect(startHttpOutput(context)).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      configPath: 'http.tls.certFile',
    });
  });

  it('reports ok with its URL in the status', async () => {
    const server = await startTestHttp();
    try {
      expect(server.service.name).toBe('http');
      expect(server.service.status()).toMatchObject({
        state: 'ok',
        details: { url: server.url, streamClients: 0 },
      });
    } finally {
      await server.close();
    }
  });
});

describe('history across restarts', () => {
  it('a restarted HTTP output keeps the chart history of the same controller', async () => {
    const first = await startTestHttp();
    const { context } = first;
    const t0 = context.status().timestampMs as number;
    context.publishStatus(statusFixture({ timestampMs: t0 + 60_000, packVoltage: 47 }));
    const historyUrl = new URL('/api/history', first.url);
    const before = (await (await fetch(historyUrl)).json()) as { points: unknown[] };
    expect(before.points).toHaveLength(2);
    const stopping = first.service.stop();
    await context.clock.advanceByMs(5000);
    await stopping;
    const again = await startHttpOutput(context);
    try {
      const url = context.logger.lines.filter((line) => line.fields.event === 'http').at(-1)?.fields
        .url as string;
      const after = (await (await fetch(new URL('/api/history', url))).json()) as { points: unknown[] };
      expect(after.points).toEqual(before.points);
    } finally {
      const stoppingAgain = again?.stop();
      await context.clock.advanceByMs(5000);
      await stoppingAgain;
    }
  });
});

describe('HTTPS', () => {
  let server: TestHttp | undefined;
  let certDir: string;
  beforeAll(() => (certDir = mkdtempSync(path.join(tmpdir(), 'tsbms-tls-'))));
  afterEach(async () => server?.close());
  afterAll(() => rmSync(certDir, { recursive: true, force: true }));

  it('serves over TLS from the configured PEM files, with HSTS', async () => {
    const { certFile, keyFile } = selfSignedCertificate(certDir);
    server = await startTestHttp({ http: { tls: { certFile, keyFile } } });
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
    const ca = readFileSync(certFile);
    const { statusCode, headers, body } = await new Promise<{
      statusCode?: number;
      headers: Record<string, unknown>;
      body: string;
    }>((resolve, reject) => {
      https
        .get(new URL('/api/status', server?.url), { ca }, (response) => {
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (body += chunk));
          response.on('end', () =>
            resolve({ statusCode: response.statusCode, headers: response.headers, body }),
          );
        })
        .on('error', reject);
    });
    expect(statusCode).toBe(200);
    expect(headers['strict-transport-security']).toBe('max-age=31536000');
    expect(JSON.parse(body).packVoltage).toBe(46.98);
  });

  it('refuses plain HTTP on the HTTPS port', async () => {
    server = await startTestHttp({ http: { tls: selfSignedCertificate(certDir) } });
    await expect(fetch(server.url.replace('https:', 'http:'))).rejects.toThrow();
  });
});
