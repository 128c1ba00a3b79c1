import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { hashSecret } from '@tsbms/credentials';
import { ControllerDaemon } from './process-harness';
import { type Scope, scoped } from '@tsbms/test-support';

/**
 * Issue "safety first", end to end: the controller process on its in-process demo pack (4 modules,
 * cells 3.92–3.98 V) with a temp --config file, its state file beside it, and the HTTP API on a
 * free loopback port with a bearer token. Observed from outside: log lines, HTTP, the files.
 */
const TOKEN = 'e2e-safety-token';
const AUTHORIZATION = `Bearer ${TOKEN}`;
const FAST = {
  pollIntervalS: 0.25,
  balancing: { enabled: false },
  contactors: { contactorNegativeTimeS: 0.2, contactorPrechargeTimeS: 0.5, contactorOverlapS: 0.2 },
  http: { port: 0, auth: { bearerTokenHash: hashSecret(TOKEN, { n: 1024, r: 8, p: 1 }) } },
};
/** The demo's cells sit above a 3.90 V over-voltage fault level: it latches 1 s after the first scans. */
const LOW_SETPOINT = {
  // The chip's own COV (fault level + offset) stays above the cells: only the software fault latches.
  cells: { cellHighVoltageV: 3.85, overVoltageDelayS: 1, voltageHardwareOffsetV: 0.1 },
};

let workDir: string;
beforeAll(() => (workDir = mkdtempSync(path.join(tmpdir(), 'tsbms-e2e-safety-'))));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

function configFile(settings: object): string {
  const file = path.join(mkdtempSync(path.join(workDir, 'cfg-')), 'bms.json');
  writeFileSync(file, JSON.stringify({ ...FAST, ...settings }, null, 2));
  return file;
}

interface Status {
  readonly timestampMs: number | null;
  readonly contactors: { readonly state: string };
  readonly faults: readonly {
    readonly kind: string;
    readonly latched: boolean;
    readonly clearable: boolean;
  }[];
}

async function api(url: string, route: string, init: RequestInit = {}) {
  const response = await fetch(new URL(route, url), {
    ...init,
    headers: { 'content-type': 'application/json', authorization: AUTHORIZATION, ...init.headers },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function startDaemon(scope: Scope, args: readonly string[]) {
  const daemon = new ControllerDaemon(scope, args);
  const url = String((await daemon.waitFor((line) => line.event === 'http')).url);
  return { daemon, url };
}

/** Polls the status until `done` holds (bounded by the harness: a broken daemon fails, not hangs). */
async function statusWhen(url: string, done: (status: Status) => boolean, capMs = 20_000): Promise<Status> {
  const give = Date.now() + capMs;
  for (;;) {
    const status = (await api(url, '/api/status')).body as unknown as Status;
    if (done(status)) return status;
    if (Date.now() > give) throw new Error(`status never matched: ${JSON.stringify(status)}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** The status once the daemon has scanned for `seconds` (its own clock): long enough for the contactors to have closed. */
async function statusAfterScanning(url: string, seconds: number): Promise<Status> {
  const first = await statusWhen(url, (s) => s.timestampMs !== null);
  return statusWhen(url, (s) => (s.timestampMs ?? 0) - (first.timestampMs ?? 0) >= seconds * 1000);
}

describe('controller process: safety', () => {
  jest.setTimeout(90_000);

  it(
    'SIGKILL right after an over-voltage latches: the restart keeps the contactors open with the fault until acknowledged',
    scoped(async (scope) => {
      const file = configFile(LOW_SETPOINT);
      const first = new ControllerDaemon(scope, ['--config', file]);
      await first.waitFor(
        (line) =>
          line.event === 'fault' &&
          line.type === 'raise' &&
          line.kind === 'cellOverVoltage' &&
          line.level === 'fault' &&
          line.latched === true,
      );
      expect(await first.stop('SIGKILL')).toBeNull();

      // The cell "recovers": back to the default setpoint, the demo's cells are well inside it.
      writeFileSync(file, JSON.stringify(FAST, null, 2));
      const { daemon, url } = await startDaemon(scope, ['--config', file]);
      // Long enough for the sequence to have closed (it takes about 1 s) had nothing been latched.
      const later = await statusAfterScanning(url, 3);
      expect(later.contactors.state).toBe('OPEN');
      expect(later.faults).toContainEqual(
        expect.objectContaining({ kind: 'cellOverVoltage', latched: true }),
      );
      expect(daemon.messages()).not.toContain('contactors CLOSED');

      await statusWhen(url, (s) => s.faults.every((f) => f.clearable));
      const ack = await api(url, '/api/faults/ack', { method: 'POST', body: '{}' });
      expect(ack.status).toBe(200);
      await daemon.waitForMessage('contactors CLOSED');
      expect(await daemon.stop()).toBe(0);
    }),
  );

  it(
    'a state file that cannot be read starts with stateLost: contactors open until acknowledged',
    scoped(async (scope) => {
      const file = configFile({});
      writeFileSync(`${file}.state.json`, '{"version":1,"faults":{"version":1,"fau');
      const { daemon, url } = await startDaemon(scope, ['--config', file]);
      const lost = await daemon.waitFor((line) => line.event === 'state');
      expect(lost.msg).toMatch(
        /^state file .* unreadable: .*contactors stay open until the stateLost fault is acknowledged$/,
      );
      const later = await statusAfterScanning(url, 3);
      expect(later.contactors.state).toBe('OPEN');
      expect(later.faults).toEqual([expect.objectContaining({ kind: 'stateLost', latched: true })]);
      expect(
        (await api(url, '/api/faults/ack', { method: 'POST', body: '{"kind":"stateLost"}' })).status,
      ).toBe(200);
      await daemon.waitForMessage('contactors CLOSED');
      expect(await daemon.stop()).toBe(0);
    }),
  );

  it(
    'the two bricking sequences are refused with 400, the file unchanged, and the daemon runs on',
    scoped(async (scope) => {
      const file = configFile({});
      const original = readFileSync(file, 'utf8');
      const { daemon, url } = await startDaemon(scope, ['--modules', '4', '--config', file]);
      await statusWhen(url, (s) => s.timestampMs !== null);

      const modules = await api(url, '/api/config', { method: 'PUT', body: '{"pack":{"moduleCount":63}}' });
      expect(modules.status).toBe(400);
      expect(modules.body).toMatchObject({
        error: {
          code: 'INVALID_CONFIG',
          issues: [{ path: 'pack.moduleCount', reason: expect.stringMatching(/--modules 4/) }],
        },
      });
      const strings = await api(url, '/api/config', {
        method: 'PUT',
        body: '{"pack":{"parallelStringCount":3}}',
      });
      expect(strings.status).toBe(400);
      expect(strings.body).toMatchObject({
        error: {
          code: 'INVALID_CONFIG',
          issues: expect.arrayContaining([
            { path: 'pack.parallelStringCount', reason: '4 modules cannot be split into 3 equal strings' },
          ]),
        },
      });
      // A password hash the HTTP output could not use never reaches the file either.
      const hash = await api(url, '/api/config', {
        method: 'PUT',
        body: JSON.stringify({
          http: { auth: { passwordHash: `scrypt$4294967296$8$1$c2FsdHNhbHQ=$${'A'.repeat(43)}=` } },
        }),
      });
      expect(hash.status).toBe(400);
      expect(readFileSync(file, 'utf8')).toBe(original);
      expect(existsSync(`${file}.previous`)).toBe(false);

      // Still running, still scanning: a later scan than before.
      const before = await statusWhen(url, (s) => s.timestampMs !== null);
      await statusWhen(url, (s) => (s.timestampMs ?? 0) > (before.timestampMs ?? 0));
      expect(daemon.child.exitCode).toBeNull();
      expect(await daemon.stop()).toBe(0);
    }),
  );
});
