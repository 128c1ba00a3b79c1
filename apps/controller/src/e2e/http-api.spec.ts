import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { hashSecret } from '@tsbms/credentials';
import { parsePrometheusText, sampleValue } from '@tsbms/output-http/testing';
import { ControllerDaemon, putJson } from './process-harness';
import { readBackup } from '../backup/backup-file';
import { SECRET_CONFIG_PATHS } from '../services/output-services';
import { scoped } from '@tsbms/test-support';

/**
 * Issue 7 (HTTP) end to end: the real controller on its in-process demo pack (4 modules) with
 * the HTTP output on a free loopback port and Basic credentials, driven only over HTTP.
 */
const PASSWORD = 'e2e-password';
const AUTHORIZATION = `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`;

let workDir: string;
let configFile: string;

async function putAuthorized(url: string, body: unknown) {
  const response = await fetch(url, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: AUTHORIZATION },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('controller process: HTTP API', () => {
  jest.setTimeout(60_000);

  beforeAll(() => {
    workDir = mkdtempSync(path.join(tmpdir(), 'tsbms-e2e-http-'));
    configFile = path.join(workDir, 'bms.json');
    const config = {
      pollIntervalS: 0.25,
      http: {
        port: 0,
        auth: { username: 'admin', passwordHash: hashSecret(PASSWORD, { n: 1024, r: 8, p: 1 }) },
      },
    };
    writeFileSync(configFile, JSON.stringify(config, null, 2));
  });

  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it(
    'status, 401 without credentials, 400 with the path and nothing saved, 200 and saved, /metrics parses',
    scoped(async (scope) => {
      const daemon = new ControllerDaemon(scope, ['--config', configFile]);
      const started = await daemon.waitFor((line) => line.event === 'http');
      const url = String(started.url);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect(started.msg).toBe(`dashboard and API at ${url}`);

      // The first scan of the demo pack: every module answers.
      let status: {
        timestampMs: number | null;
        modules: unknown[];
        currentA: number | null;
        outputs: Record<string, { state: string }>;
      };
      do {
        status = (await (await fetch(new URL('/api/status', url))).json()) as typeof status;
      } while (status.timestampMs === null);
      expect(status.modules).toHaveLength(4);
      expect(status.outputs.http.state).toBe('ok');
      // The demo's emulated INA226, read by the real driver: a current from the first scans on.
      expect(typeof status.currentA).toBe('number');

      const original = readFileSync(configFile, 'utf8');
      expect(await putJson(new URL('/api/config', url).href, { cells: { cellHighVoltageV: 4.1 } })).toBe(401);

      const bad = await putAuthorized(new URL('/api/config', url).href, {
        cells: { cellHighVoltageV: 'high' },
      });
      expect(bad.status).toBe(400);
      expect(bad.body).toMatchObject({
        error: {
          code: 'INVALID_CONFIG',
          issues: [expect.objectContaining({ path: 'cells.cellHighVoltageV' })],
        },
      });
      expect(readFileSync(configFile, 'utf8')).toBe(original);

      const metrics = await fetch(new URL('/metrics', url));
      const families = parsePrometheusText(await metrics.text());
      expect(families.get('tsbms_cell_voltage_volts')?.samples).toHaveLength(24);
      const cell = sampleValue(families, 'tsbms_cell_voltage_volts', { module: '1', cell: '1' });
      expect(cell).toBeGreaterThan(3);
      expect(cell).toBeLessThan(4.3);
      expect(families.get('tsbms_pack_current_amperes')?.samples).toHaveLength(1);

      // A live setting: applied to the running core, the boards' hardware COV rewritten, no restart.
      const liveFrom = daemon.lines.length;
      const good = await putAuthorized(new URL('/api/config', url).href, {
        cells: { cellHighVoltageV: 4.05 },
      });
      expect(good.status).toBe(200);
      expect(JSON.parse(readFileSync(configFile, 'utf8')).cells.cellHighVoltageV).toBe(4.05);
      expect(good.body).toMatchObject({
        config: { cells: { cellHighVoltageV: 4.05 }, http: { auth: { passwordHash: '***' } } },
        changed: ['cells.cellHighVoltageV'],
        effect: 'live',
        restart: null,
      });
      await daemon.waitFor(
        (line) =>
          typeof line.msg === 'string' && line.msg.startsWith('hardware thresholds changed: COV 4.15 V'),
        liveFrom,
      );
      const running = (await (await fetch(new URL('/api/config', url))).json()) as {
        cells: { cellHighVoltageV: number };
      };
      expect(running.cells.cellHighVoltageV).toBe(4.05);
      expect(daemon.lines.slice(liveFrom).filter((line) => line.event === 'restart')).toEqual([]);

      // A structural one restarts in-process: HTTP comes back (port 0: a new free port) with it.
      const restartFrom = daemon.lines.length;
      const structural = await putAuthorized(new URL('/api/config', url).href, { pollIntervalS: 1 });
      expect(structural.body).toMatchObject({ effect: 'restart', restart: { accepted: true } });
      const restarted = await daemon.waitFor((line) => line.event === 'http', restartFrom);
      const config = (await (await fetch(new URL('/api/config', String(restarted.url)))).json()) as {
        pollIntervalS: number;
      };
      expect(config.pollIntervalS).toBe(1);

      // The backup download: the file's settings and the saved state, no secret, accepted by import.
      const download = await fetch(new URL('/api/backup', String(restarted.url)));
      expect(download.status).toBe(200);
      expect(download.headers.get('content-disposition')).toMatch(
        /^attachment; filename=tsbms-backup-[\dT-]+Z\.json$/,
      );
      const text = await download.text();
      expect(text).not.toContain('scrypt$');
      const restored = readBackup(text, {
        source: 'download',
        secretPaths: SECRET_CONFIG_PATHS,
        currentDocument: JSON.parse(readFileSync(configFile, 'utf8')),
        overrides: [],
      });
      expect(restored.configDocument).toEqual(JSON.parse(readFileSync(configFile, 'utf8')));
      expect(restored.state?.version).toBe(1);

      // The history file over HTTP, as it runs: the contactors' sequence so far, as CSV too.
      const events = new URL('/api/history/events', String(restarted.url));
      events.search = `from=0&to=${Date.now() + 60_000}`;
      const served = (await (await fetch(events)).json()) as {
        events: { kind: string; detail: { state?: string } }[];
      };
      expect(
        served.events
          .filter((e) => e.kind === 'contactors')
          .map((e) => e.detail.state)
          .slice(0, 2),
      ).toEqual(['NEGATIVE', 'PRECHARGE']);
      events.search += '&format=csv';
      expect((await (await fetch(events)).text()).split('\r\n')[0]).toBe(
        'time,atMs,kind,detail.state,detail.openReason',
      );
      expect(await daemon.stop()).toBe(0);

      // The history beside the config file, written as it ran and at the stop: the contactors'
      // closing sequence as the log told it. (Rows come per completed 10 s bucket: none in this short run.)
      const history = new Database(`${configFile}.history.sqlite`, { readonly: true });
      const contactorStates = (
        history.prepare("SELECT detail FROM events WHERE kind = 'contactors' ORDER BY at_ms").all() as {
          detail: string;
        }[]
      ).map((row) => JSON.parse(row.detail).state);
      expect(contactorStates.slice(0, 2)).toEqual(['NEGATIVE', 'PRECHARGE']);
      history.close();
    }),
  );
});
