import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { startPtyPair, type PtyPair } from '@tsbms/hal-linux/testing';
import { Arrivals, stopProcess, type Scope } from '@tsbms/test-support';

/*
 * Process-level test harness: the emulator and controller apps, each in its own process from
 * source, observed only from outside (exit codes, stdout, pino JSON lines on stderr). Every process
 * a test starts is registered with its Scope and stopped when the test ends, whatever the outcome.
 */

export const workspaceRoot = path.resolve(__dirname, '..', '..', '..', '..');
export const fromSource = ['--conditions=@tsbms/source', '-r', '@swc-node/register'];

export interface LogLine {
  readonly time: number;
  readonly msg: string;
  readonly event?: string;
  readonly [field: string]: unknown;
}

/** A socat pty pair in a fresh folder under `workDir`. */
export async function startPty(scope: Scope, workDir: string): Promise<PtyPair> {
  const pty = await startPtyPair({ directory: mkdtempSync(path.join(workDir, 'pty-')) });
  scope.add(() => pty.stop());
  return pty;
}

export interface EmulatorProcess {
  readonly process: ChildProcess;
  /** The control API, e.g. `http://127.0.0.1:40123`. */
  readonly api: string;
}

/** The emulator app serving on `serialPath`; resolves once it is ready, with its control API. */
export async function startEmulator(
  scope: Scope,
  serialPath: string,
  options: {
    readonly modules: number;
    readonly cellsV?: readonly number[];
    readonly args?: readonly string[];
  },
): Promise<EmulatorProcess> {
  const args = [...fromSource, 'apps/emulator/src/main.ts', '--serial', serialPath];
  args.push('--modules', String(options.modules), '--http-port', '0');
  if (options.cellsV !== undefined) args.push('--cells', options.cellsV.join(','));
  const child = spawn(process.execPath, [...args, ...(options.args ?? [])], {
    cwd: workspaceRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  scope.add(() => stopProcess(child));
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const httpPort = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const entry = line.startsWith('{') ? JSON.parse(line) : {};
      if (entry.event === 'ready') resolve(entry.httpPort);
    });
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code} before ready: ${stderr}`)));
  });
  return { process: child, api: `http://127.0.0.1:${httpPort}` };
}

/** `node … apps/controller/src/main.ts ARGS` */
export function controllerCommand(args: readonly string[]): string[] {
  return [...fromSource, 'apps/controller/src/main.ts', ...args];
}

/** A one-shot controller run (`--once`): resolves with the exit code and both outputs. */
export function runControllerOnce(scope: Scope, args: readonly string[]) {
  return runToExit(scope, controllerCommand(args));
}

/**
 * `node … SCRIPT ARGS` from source (a CLI of the workspace, as `npm run` runs it) to its end: exit
 * code and both outputs. Asynchronous, so a server in the test's process can answer it.
 */
export function runScript(
  scope: Scope,
  script: string,
  args: readonly string[],
  options: { readonly env?: NodeJS.ProcessEnv; readonly cwd?: string } = {},
) {
  return runToExit(scope, [...fromSource, script, ...args], options);
}

function runToExit(
  scope: Scope,
  nodeArgs: readonly string[],
  options: { readonly env?: NodeJS.ProcessEnv; readonly cwd?: string } = {},
) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, nodeArgs, {
      cwd: options.cwd ?? workspaceRoot,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    scope.add(() => stopProcess(child));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The controller daemon with its log lines collected as they arrive. */
export class ControllerDaemon {
  private readonly arrivals = new Arrivals<LogLine>('log line', (arrived) =>
    arrived.map((line) => line.msg).join('\n'),
  );
  /** Every line so far, oldest first. */
  readonly lines: LogLine[] = this.arrivals.items;
  readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;

  constructor(scope: Scope, args: readonly string[], env: NodeJS.ProcessEnv = process.env) {
    const child = spawn(process.execPath, controllerCommand(args), {
      cwd: workspaceRoot,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    createInterface({ input: child.stderr }).on('line', (line) => {
      // Anything but a pino line (a crash's stack trace) is kept too, to show when a wait fails.
      this.arrivals.push(
        line.startsWith('{') ? (JSON.parse(line) as LogLine) : { time: Number.NaN, msg: line },
      );
    });
    scope.add(() => stopProcess(this.child));
  }

  /**
   * The first line from index `from` on that matches. `capMs` is an upper bound on real I/O so a
   * broken controller fails the test instead of hanging it, never a timing assertion.
   */
  waitFor(match: (line: LogLine) => boolean, from = 0, capMs = 20_000): Promise<LogLine & { index: number }> {
    return this.arrivals.waitFor(match, from, capMs);
  }

  waitForMessage(msg: string, from = 0, capMs?: number) {
    return this.waitFor((line) => line.msg === msg, from, capMs);
  }

  messages(from = 0, to = this.lines.length): string[] {
    return this.lines.slice(from, to).map((line) => line.msg);
  }

  /** A signal (SIGTERM by default); resolves with the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    this.child.kill(signal);
    return this.exited;
  }
}

export async function putJson(url: string, body: unknown): Promise<number> {
  const response = await fetch(url, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return response.status;
}
