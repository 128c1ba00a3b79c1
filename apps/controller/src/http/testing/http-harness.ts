import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ManualClock } from '@tsbms/hal';
import type { OutputService } from '@tsbms/bms-core';
import { ConfigStore, parseControllerConfig, type ControllerConfig } from '../../config';
import { FakeControllerContext } from '../../services/testing/fake-context';
import type { EventStreamOptions } from '../event-stream';
import { startHttpOutputWith } from '../http-output';
import { hashSecret } from '@tsbms/credentials';
import { busStatsFixture, statusFixture } from './status-fixture';

/** Cheap scrypt parameters: the same format and code path, milliseconds per check. */
export const TEST_SCRYPT = { n: 1024, r: 8, p: 1 };
export const USERNAME = 'admin';
export const PASSWORD = 'correct horse battery';
export const BEARER_TOKEN = 'tok-3f9a1c7e';
export const PASSWORD_HASH = hashSecret(PASSWORD, TEST_SCRYPT);
export const BEARER_HASH = hashSecret(BEARER_TOKEN, TEST_SCRYPT);
export const AUTH_CONFIG = { username: USERNAME, passwordHash: PASSWORD_HASH, bearerTokenHash: BEARER_HASH };

export const basicAuth = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
export const GOOD_BASIC = basicAuth(USERNAME, PASSWORD);

/**
 * A context with this suite's status and bus counters, its clock at 1.7e12 ms; `fileConfig` is
 * written to `dir/bms.json`, or is fixed when `dir` is null (a controller started without --config).
 */
export function fakeHttpContext(
  dir: string | null,
  fileConfig: Record<string, unknown>,
): FakeControllerContext {
  let config: ConfigStore | ControllerConfig;
  if (dir === null) {
    config = parseControllerConfig(fileConfig, 'test');
  } else {
    const file = path.join(dir, 'bms.json');
    writeFileSync(file, JSON.stringify(fileConfig, null, 2));
    config = ConfigStore.open(file, {});
  }
  return new FakeControllerContext({
    config,
    status: statusFixture(),
    commsStats: busStatsFixture(),
    clock: new ManualClock(1_700_000_000_000),
  });
}

export interface TestHttp {
  readonly context: FakeControllerContext;
  readonly service: OutputService;
  /** `http://127.0.0.1:PORT/` (or https). */
  readonly url: string;
  readonly dir: string;
  readonly dashboardDir: string;
  close(): Promise<void>;
}

/**
 * A small dashboard folder in `dir`: pages, a script and a style sheet, and beside them what the
 * site must not serve (a dotfile, a Markdown file, a subfolder; `dir/outside.txt` above it).
 */
function writeTestDashboard(dir: string): string {
  const dashboardDir = path.join(dir, 'dashboard');
  mkdirSync(path.join(dashboardDir, 'sub'), { recursive: true });
  writeFileSync(path.join(dashboardDir, 'index.html'), '<!doctype html><title>dashboard</title>');
  writeFileSync(path.join(dashboardDir, 'config.html'), '<!doctype html><title>settings</title>');
  writeFileSync(path.join(dashboardDir, 'dashboard.js'), 'export const ok = 1;\n');
  writeFileSync(path.join(dashboardDir, 'style.css'), 'body { margin: 0; }\n');
  writeFileSync(path.join(dashboardDir, '.env'), 'SECRET=1\n');
  writeFileSync(path.join(dashboardDir, 'notes.md'), '# notes\n');
  writeFileSync(path.join(dashboardDir, 'sub', 'inner.txt'), 'inner');
  writeFileSync(path.join(dir, 'outside.txt'), 'outside the dashboard');
  return dashboardDir;
}

/**
 * The HTTP output started as the daemon starts it, on a free loopback port, with a fake context
 * whose config file (`http` merged over `{ port: 0 }`) lives in a temp dir, and the test dashboard
 * folder (writeTestDashboard) unless `dashboardDir` names another (the real one).
 */
export async function startTestHttp(
  options: {
    http?: Record<string, unknown>;
    config?: Record<string, unknown>;
    withConfigFile?: boolean;
    eventStream?: EventStreamOptions;
    dashboardDir?: string;
  } = {},
): Promise<TestHttp> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tsbms-http-'));
  const dashboardDir = options.dashboardDir ?? writeTestDashboard(dir);
  const fileConfig = { ...options.config, http: { port: 0, ...options.http } };
  const context = fakeHttpContext(options.withConfigFile === false ? null : dir, fileConfig);
  const start = startHttpOutputWith({
    dashboardDir,
    ...(options.eventStream === undefined ? {} : { eventStream: options.eventStream }),
  });
  const service = await start(context);
  if (service === null) throw new Error('the HTTP output did not start');
  const logged = context.logger.lines.find((line) => line.fields.event === 'http' && 'url' in line.fields);
  const url = String(logged?.fields.url);
  return {
    context,
    service,
    url,
    dir,
    dashboardDir,
    async close() {
      const stopping = service.stop();
      await context.clock.advanceByMs(5000);
      await stopping;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
