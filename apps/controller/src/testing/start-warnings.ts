import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { Writable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { runController } from '../cli/run-controller';

/*
 * Starts the daemon, as main.ts does, once per config file given, one after the other in this
 * process, and prints one JSON report ({@link StartReport}) on stdout. Node's own warnings (a timer
 * over 2^31 − 1 ms is a TimeoutOverflowWarning, and then fires after 1 ms) reach the real
 * process's 'warning' event and its stderr only, never Jest's sandbox: hence a process of its own.
 *
 *   node --conditions=@tsbms/source -r @swc-node/register start-warnings.ts STDERR_FILE CONFIG...
 *
 * STDERR_FILE must be this process's stderr: the daemon logs to fd 2 (pino), and the log, read back
 * from the file, says when the first scan is done. Each run is then stopped as a SIGTERM would stop
 * it, a moment later, so the timers the scan loop arms after its first scan are armed too.
 */

/** One config file's start. */
export interface StartRun {
  readonly config: string;
  /** runController's exit code; null if it did not stop within the cap. */
  readonly exitCode: number | null;
  /** The 'scanning N modules' line appeared within the cap. */
  readonly firstScan: boolean;
  /** Every process 'warning' event, as `Name: message`. */
  readonly warnings: readonly string[];
  /** stderr lines that are not pino JSON (Node prints its warnings there, the CLI its errors). */
  readonly strayStderr: readonly string[];
}

export interface StartReport {
  readonly runs: readonly StartRun[];
}

/** Discovery of 62 modules with the longest reply timeout takes a few seconds. */
const FIRST_SCAN_CAP_MS = 30_000;
/** Stopping closes the outputs (the MQTT client ends at once; HTTP gives connections 1 s). */
const STOP_CAP_MS = 15_000;
/** After the first scan line: time for the loop to finish the scan and arm its poll timer. */
const AFTER_FIRST_SCAN_MS = 100;
const LOG_POLL_MS = 20;

/** The stderr file from `offset` on, as complete lines. */
function linesFrom(file: string, offset: number): string[] {
  const length = statSync(file).size - offset;
  if (length <= 0) return [];
  const buffer = Buffer.alloc(length);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buffer, 0, length, offset);
  } finally {
    closeSync(fd);
  }
  const text = buffer.toString('utf8');
  return text
    .slice(0, text.lastIndexOf('\n') + 1)
    .split('\n')
    .slice(0, -1);
}

function pinoLine(line: string): { msg?: unknown } | null {
  try {
    const parsed: unknown = JSON.parse(line);
    return typeof parsed === 'object' && parsed !== null ? parsed : null;
  } catch {
    return null;
  }
}

const isFirstScan = (line: string) => {
  const msg = pinoLine(line)?.msg;
  return typeof msg === 'string' && msg.startsWith('scanning ');
};

/** Resolves true once `found` holds, false after `capMs`. */
async function within(capMs: number, found: () => boolean): Promise<boolean> {
  for (const endMs = Date.now() + capMs; Date.now() < endMs; await delay(LOG_POLL_MS)) {
    if (found()) return true;
  }
  return found();
}

type Listener = (...args: unknown[]) => void;

function listenersOf(name: string | symbol): Listener[] {
  return process.listeners(name as 'warning') as Listener[];
}

/**
 * runController is made to run once per process: its SIGINT, uncaughtException and
 * unhandledRejection listeners outlive it, and the eleventh run would warn of a listener leak.
 */
function processListeners(): Map<string | symbol, Listener[]> {
  return new Map(process.eventNames().map((name) => [name, listenersOf(name)]));
}

function removeListenersAddedSince(before: Map<string | symbol, Listener[]>): void {
  for (const name of process.eventNames()) {
    const kept = before.get(name) ?? [];
    for (const listener of listenersOf(name)) {
      if (!kept.includes(listener)) process.removeListener(name, listener);
    }
  }
}

async function startOnce(config: string, stderrFile: string): Promise<StartRun> {
  const offset = statSync(stderrFile).size;
  const warnings: string[] = [];
  const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
  process.on('warning', onWarning);
  const listeners = processListeners();

  let ended = false;
  let exitCode: number | null = null;
  const stdout = new Writable({ write: (_chunk, _encoding, done) => done() });
  runController(['--config', config], { stdout, stderr: process.stderr, env: {} })
    .then(
      (code) => (exitCode = code),
      // Reported as a stray stderr line.
      (error: unknown) => process.stderr.write(`start-warnings: runController rejected: ${String(error)}\n`),
    )
    .finally(() => (ended = true));
  const scanned = await within(
    FIRST_SCAN_CAP_MS,
    () => ended || linesFrom(stderrFile, offset).some(isFirstScan),
  );
  if (!ended) {
    if (scanned) await delay(AFTER_FIRST_SCAN_MS);
    process.emit('SIGTERM', 'SIGTERM');
    await within(STOP_CAP_MS, () => ended);
  }
  // A warning is emitted on the tick after its cause.
  await delay(0);
  removeListenersAddedSince(listeners);
  process.removeListener('warning', onWarning);
  const lines = linesFrom(stderrFile, offset);
  return {
    config,
    exitCode,
    firstScan: lines.some(isFirstScan),
    warnings,
    strayStderr: lines.filter((line) => pinoLine(line) === null),
  };
}

async function main(stderrFile: string, configs: readonly string[]): Promise<void> {
  const sameFile = (a: { dev: number; ino: number }, b: { dev: number; ino: number }) =>
    a.dev === b.dev && a.ino === b.ino;
  if (!sameFile(fstatSync(2), statSync(stderrFile))) {
    throw new Error(`${stderrFile} is not this process's stderr`);
  }
  const runs: StartRun[] = [];
  for (const config of configs) runs.push(await startOnce(config, stderrFile));
  const report: StartReport = { runs };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

const [stderrFile, ...configs] = process.argv.slice(2);
main(stderrFile, configs).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stdout.write(`${JSON.stringify({ error: String(error) })}\n`);
    process.exit(1);
  },
);
