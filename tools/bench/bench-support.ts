/* Shared pieces of the benchmarks: processes from source, the emulator app, /proc readings. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { startPtyPair } from '@tsbms/hal-linux/testing';
import type { Scope } from '@tsbms/test-support';

export const workspaceRoot = path.resolve(__dirname, '..', '..');
export const NODE_SOURCE_ARGS = ['--conditions=@tsbms/source', '-r', '@swc-node/register'];
const BYTE_MS = (10 / 612_500) * 1000;
const CLOCK_TICKS_PER_S = 100; // USER_HZ on Linux

/** The spec's lower bound for one scan: (8 + 27·N) bytes at 612500 baud plus the 1 ms conversion wait. */
export const wireBoundMs = (modules: number) => (8 + 27 * modules) * BYTE_MS + 1;

/** User + system CPU time of a process so far, ms (10 ms resolution). */
export function cpuTimeMs(pid: number): number {
  // /proc/PID/stat: fields 14 and 15 are utime and stime in clock ticks (after the comm field).
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S) * 1000;
}

/** User and system CPU time so far, ms: the event loop's thread, and all other threads together. */
export function threadCpuMs(pid: number): Map<string, { userMs: number; systemMs: number }> {
  const byName = new Map<string, { userMs: number; systemMs: number }>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    // Node names every thread "node": the event loop is the one whose id is the process's, the
    // others (V8's GC and compiler helpers, libuv's pool) are summed as helpers.
    const name = Number(tid) === pid ? 'event loop' : 'helper threads';
    const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
    const entry = byName.get(name) ?? { userMs: 0, systemMs: 0 };
    entry.userMs += (Number(fields[11]) / CLOCK_TICKS_PER_S) * 1000;
    entry.systemMs += (Number(fields[12]) / CLOCK_TICKS_PER_S) * 1000;
    byName.set(name, entry);
  }
  return byName;
}

export function rssMiB(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (match === null) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]) / 1024;
}

export const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

export function machineLine(): string {
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  return `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, load average ${load}`;
}

export interface EmulatorProcess {
  readonly process: ChildProcess;
  readonly httpPort: number;
}

/** The emulator app on a serial path, pacing bytes at 612500 baud; resolves once it is ready. */
export function startEmulator(serialPath: string, modules: number): Promise<EmulatorProcess> {
  const child = spawn(
    process.execPath,
    [
      ...NODE_SOURCE_ARGS,
      'apps/emulator/src/main.ts',
      '--serial',
      serialPath,
      '--modules',
      String(modules),
      '--wire-timing',
      '--http-port',
      '0',
    ],
    { cwd: workspaceRoot, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const entry = JSON.parse(line) as { event?: string; httpPort?: number };
      if (entry.event === 'ready') resolve({ process: child, httpPort: entry.httpPort as number });
    });
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
  });
}

/** Where a benchmarked daemon runs: its work folder, its config file and the emulator it reads. */
export interface DaemonSetup {
  readonly dir: string;
  readonly configFile: string;
  readonly emulator: EmulatorProcess;
}

/**
 * A work folder, a pty pair with the emulator app of `modules` on one end, and the daemon's config
 * file (the other end as `serial.path`, the module count, then `settings`); `scope` removes all.
 */
export async function daemonOnEmulatedLoop(
  scope: Scope,
  modules: number,
  settings: Readonly<Record<string, unknown>>,
): Promise<DaemonSetup> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tsbms-bench-'));
  scope.add(async () => rmSync(dir, { recursive: true, force: true }));
  const pty = await startPtyPair();
  scope.add(() => pty.stop());
  const emulator = await startEmulator(pty.pathA, modules);
  scope.add(() => stopProcess(emulator.process));
  const configFile = path.join(dir, 'bench.json');
  writeFileSync(
    configFile,
    JSON.stringify({ serial: { path: pty.pathB }, pack: { moduleCount: modules }, ...settings }),
  );
  return { dir, configFile, emulator };
}

export interface Daemon {
  readonly process: ChildProcess;
  /** `performance.now()` at the spawn. */
  readonly startedAtMs: number;
  /** Spawn to the first completed scan (its `"event":"scan"` log line), ms; rejects if it exits first. */
  readonly firstScanMs: Promise<number>;
}

/** The controller daemon started by `command` (node, then its arguments), its stderr watched for the first scan. */
export function spawnDaemon(
  name: string,
  command: readonly string[],
  options: { readonly cwd: string; readonly env?: NodeJS.ProcessEnv },
): Daemon {
  const [node, ...args] = command;
  const startedAtMs = performance.now();
  const child = spawn(node, args, {
    cwd: options.cwd,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: options.env,
  });
  const firstScanMs = new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stderr }).on('line', (line) => {
      if (line.includes('"event":"scan"')) resolve(performance.now() - startedAtMs);
    });
    child.once('exit', (code) => reject(new Error(`${name}: controller exited with ${code}`)));
  });
  return { process: child, startedAtMs, firstScanMs };
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
