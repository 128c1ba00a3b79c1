import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { OutputService } from '@tsbms/bms-core';
import { hashSecret } from '@tsbms/credentials';
import type { EventStreamOptions } from '../event-stream';
import { startHttpOutputWith, type HttpOutputOptions } from '../http-output';
import { FakeHttpContext } from './fake-http-context';

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

/** `levels` objects inside each other around a setting, as JSON text. */
export const nestedObjects = (levels: number) =>
  `${'{"a":'.repeat(levels - 1)}{"pollIntervalS":2}${'}'.repeat(levels - 1)}`;

export interface TestHttp {
  readonly context: FakeHttpContext;
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
 * The HTTP output started as an application starts it, on a free loopback port, with a fake context
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
    secretConfigPaths?: readonly string[];
    backup?: HttpOutputOptions['backup'];
    supportBundle?: HttpOutputOptions['supportBundle'];
    archive?: HttpOutputOptions['archive'];
  } = {},
): Promise<TestHttp> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tsbms-http-'));
  const dashboardDir = options.dashboardDir ?? writeTestDashboard(dir);
  const fileConfig = { ...options.config, http: { port: 0, ...options.http } };
  const context = new FakeHttpContext(options.withConfigFile === false ? null : dir, fileConfig);
  const start = startHttpOutputWith({
    dashboardDir,
    ...(options.eventStream === undefined ? {} : { eventStream: options.eventStream }),
    ...(options.secretConfigPaths === undefined ? {} : { secretConfigPaths: options.secretConfigPaths }),
    ...(options.backup === undefined ? {} : { backup: options.backup }),
    ...(options.supportBundle === undefined ? {} : { supportBundle: options.supportBundle }),
    ...(options.archive === undefined ? {} : { archive: options.archive }),
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
