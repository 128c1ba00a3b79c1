import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as https from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startHttpOutput } from './http-output';
import { FakeHttpContext } from './testing/fake-http-context';
import { startTestHttp, type TestHttp } from './testing/http-harness';
import { statusFixture } from './testing/status-fixture';
import { selfSignedCertificate } from '@tsbms/test-support';

describe('the HTTP output service', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'tsbms-http-out-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is off (null) when http.enabled is false', async () => {
    const context = new FakeHttpContext(dir, { http: { enabled: false } });
    await expect(startHttpOutput(context)).resolves.toBeNull();
  });

  it('throws, naming the port, when the port is taken (the BMS runs on without HTTP)', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const context = new FakeHttpContext(dir, { http: { port } });
      await expect(startHttpOutput(context)).rejects.toThrow(
        `HTTP cannot listen on 127.0.0.1:${port}: listen EADDRINUSE`,
      );
    } finally {
      blocker.close();
    }
  });

  it('names the config path of an unreadable TLS file', async () => {
    const context = new FakeHttpContext(dir, {
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
    context.publishStatus(statusFixture({ timestampMs: t0 + 60_000, packVoltageV: 47 }));
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
    expect(JSON.parse(body).packVoltageV).toBe(46.98);
  });

  it('refuses plain HTTP on the HTTPS port', async () => {
    server = await startTestHttp({ http: { tls: selfSignedCertificate(certDir) } });
    await expect(fetch(server.url.replace('https:', 'http:'))).rejects.toThrow();
  });
});
