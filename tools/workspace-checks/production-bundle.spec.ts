import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { startPtyPair, type PtyPair } from '@tsbms/hal-linux/testing';
import { eventually } from '@tsbms/test-support';
import { startEmulator, type EmulatorProcess } from '../bench/bench-support';
import { installPackagedApp, packageApp } from '../deploy/package-app';
import { buildLibraries, workspaceRoot } from './spec-support/libraries';

/*
 * The controller as the edge box runs it (issue 12): bundled (`nx build`), packaged with its
 * production dependencies (tools/deploy/package-app.ts, the `package` target), installed with
 * `npm ci --omit=dev` in a folder outside the workspace, and then left with only main.js,
 * package.json, node_modules and a config. There it discovers the emulator app's modules over a
 * socat pty pair, scans them and answers its HTTP API, and stops cleanly on SIGTERM.
 */

const MODULES = 3;
const WAIT_MS = 60_000;

interface LogLine {
  readonly event?: string;
  readonly version?: string;
  readonly url?: string;
  readonly msg?: string;
}

let deployDir: string;
let pty: PtyPair;
let emulator: EmulatorProcess;
let controller: ChildProcess;
const log: LogLine[] = [];
let stderr = '';

/** Resolves with the first log line that matches; fails with the controller's stderr after WAIT_MS. */
async function logLine(match: (line: LogLine) => boolean): Promise<LogLine> {
  await eventually(
    () => log.some(match),
    () => `no such log line; stderr:\n${stderr}`,
    WAIT_MS,
  );
  return log.find(match) as LogLine;
}

beforeAll(async () => {
  buildLibraries();
  execFileSync('npx', ['nx', 'run', '@tsbms/controller:build', '--outputStyle=static'], {
    cwd: workspaceRoot,
    stdio: 'pipe',
    env: { ...process.env, NX_DAEMON: 'false' },
  });
  const packaged = packageApp('controller');
  deployDir = mkdtempSync(path.join(tmpdir(), 'tsbms-deploy-'));
  installPackagedApp(packaged, deployDir);
  // What ran the install is not needed to run: only the bundle, its manifest and node_modules stay.
  rmSync(path.join(deployDir, 'packages'), { recursive: true });
  rmSync(path.join(deployDir, 'package-lock.json'));

  pty = await startPtyPair();
  emulator = await startEmulator(pty.pathA, MODULES);
  const configFile = path.join(deployDir, 'controller.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      pack: { moduleCount: MODULES },
      pollIntervalS: 0.5,
      // A loaded CI machine: a cold start must not turn a slow first reply into a missing module.
      serial: { path: pty.pathB, replyTimeoutMs: 500 },
      http: { port: 0 },
    }),
  );
  controller = spawn(process.execPath, ['main.js', '--config', configFile], {
    cwd: deployDir,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { PATH: process.env.PATH, NODE_ENV: 'production' },
  });
  controller.stderr?.on('data', (chunk) => (stderr += chunk));
  createInterface({ input: controller.stderr as NodeJS.ReadableStream }).on('line', (line) => {
    if (line.startsWith('{')) log.push(JSON.parse(line) as LogLine);
  });
}, 300_000);

afterAll(async () => {
  for (const child of [controller, emulator?.process]) {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  }
  await pty?.stop();
  if (deployDir !== undefined) rmSync(deployDir, { recursive: true, force: true });
});

describe('the production bundle, installed with npm ci --omit=dev', () => {
  it('is only the bundle, its manifest and production node_modules: no dev tooling, nothing bundled twice', () => {
    expect(readdirSync(deployDir).sort()).toEqual([
      'controller.json',
      'main.js',
      'node_modules',
      'package.json',
    ]);
    const installed = (name: string) => existsSync(path.join(deployDir, 'node_modules', name));
    for (const tool of ['typescript', 'jest', '@swc-node/register', 'nx', 'esbuild', 'fast-check'])
      expect({ tool, installed: installed(tool) }).toEqual({ tool, installed: false });
    // The workspace's own code is inside main.js; every third-party package is beside it, loaded
    // file by file (one 3.6 MB script's compilation left ~25 MiB of malloc behind: Footprint).
    for (const bundled of ['@tsbms/bms-core', '@tsbms/tesla-protocol', '@tsbms/output-mqtt'])
      expect({ bundled, installed: installed(bundled) }).toEqual({ bundled, installed: false });
    for (const beside of [
      'express',
      'mqtt',
      'zod',
      'pino',
      'rxjs',
      '@serialport/bindings-cpp',
      '@tsbms/hal-linux',
    ])
      expect({ beside, installed: installed(beside) }).toEqual({ beside, installed: true });
    expect(installed('@tsbms/hal-linux/build/Release/tsbms_gpio.node')).toBe(true);
    const { sources } = JSON.parse(
      readFileSync(path.join(workspaceRoot, 'dist', 'apps', 'controller', 'main.js.map'), 'utf8'),
    ) as { sources: string[] };
    expect(sources.filter((source) => source.includes('node_modules/'))).toEqual([]);
  });

  it(
    'says its version, from the package.json beside main.js',
    async () => {
      const start = await logLine((line) => line.event === 'start');
      const { version } = JSON.parse(readFileSync(path.join(deployDir, 'package.json'), 'utf8')) as {
        version: string;
      };
      expect(start.version).toBe(version);
      expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    },
    WAIT_MS + 5_000,
  );

  it(
    'discovers and scans the emulated modules over the pty',
    async () => {
      const discovery = await logLine((line) => line.event === 'discovery');
      expect(discovery.msg).toMatch(new RegExp(`${MODULES} of ${MODULES} modules`));
      const scan = await logLine((line) => line.event === 'scan');
      expect(scan.msg).toMatch(new RegExp(`scanning ${MODULES} modules`));
    },
    WAIT_MS + 5_000,
  );

  it(
    'answers its HTTP API and serves the dashboard from the installed package',
    async () => {
      const http = await logLine((line) => line.event === 'http' && typeof line.url === 'string');
      const base = String(http.url).replace(/\/$/, '');
      const status = (await (await fetch(`${base}/api/status`)).json()) as {
        modules: { address: number; cells: { voltageV: number | null }[] }[];
      };
      expect(status.modules.map((m) => m.address)).toEqual([1, 2, 3]);
      for (const module of status.modules) {
        expect(module.cells).toHaveLength(6);
        for (const cell of module.cells) expect(cell.voltageV).toBeGreaterThan(3);
      }
      const page = await fetch(`${base}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<html/i);
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toMatch(/^tsbms_/m);
    },
    WAIT_MS + 5_000,
  );

  it('stops cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => controller.once('exit', (code) => resolve(code)));
    controller.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(log.some((line) => line.event === 'shutdown')).toBe(true);
  }, 15_000);
});
