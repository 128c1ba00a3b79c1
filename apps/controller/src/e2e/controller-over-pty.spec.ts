import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { startPtyPair, type PtyPair } from '@tsbms/hal-linux';

/**
 * Issue 5 end to end: the emulator app and the controller app, each in its own process from
 * source, on the two ends of a socat pseudo-terminal pair at 612500 baud. The controller is
 * observed only from outside: its exit code, its stdout and its pino JSON lines on stderr, whose
 * `time` (ms, same host clock as the test's Date.now()) timestamps every state change.
 */
const workspaceRoot = path.resolve(__dirname, '..', '..', '..', '..');
const fromSource = ['--conditions=@tsbms/source', '-r', '@swc-node/register'];
const ADC_STEP_V = 6.25 / 16383;
const MODULES = 3;
/** Within the imbalance limits (spread < 0.15 V) and below every high-voltage level. */
const CELLS_V = [4.0, 4.02, 4.01, 4.03, 4.0, 4.01];

// Shortened waits where the config allows; the over-voltage debounce stays at its 10 s default.
const POLL_INTERVAL_S = 0.25;
const COMMS_TIMEOUT_S = 2;
const OVER_VOLTAGE_DELAY_S = 10;
/** cellHighVoltageV 4.1 + voltageFaultOffsetV 0.05 = 4.15 V fault level; the chip's COV is 4.20 V. */
const OVER_VOLTAGE_V = 4.17;
const CONFIG = {
  pack: { moduleCount: MODULES },
  pollIntervalS: POLL_INTERVAL_S,
  commsTimeoutS: COMMS_TIMEOUT_S,
  cells: { cellHighVoltageV: 4.1, voltageFaultOffsetV: 0.05, overVoltageDelayS: OVER_VOLTAGE_DELAY_S },
  balancing: { enabled: false },
  contactors: { contactorNegativeTimeS: 0.2, contactorPrechargeTimeS: 0.5, contactorOverlapS: 0.2 },
};
const CLOSING_SEQUENCE = ['NEGATIVE', 'PRECHARGE', 'OVERLAP', 'CLOSED'];
const CLOSED = 'contactors CLOSED';

interface LogLine {
  readonly time: number;
  readonly msg: string;
  readonly event?: string;
  readonly [field: string]: unknown;
}

let workDir: string;
let configFile: string;

/**
 * What one test started (socat, emulators, controllers), stopped in reverse order when the test
 * ends whatever its outcome. One per test because the tests run concurrently (below).
 */
class Scope {
  private readonly cleanups: (() => Promise<void>)[] = [];

  add(cleanup: () => Promise<void>): void {
    this.cleanups.push(cleanup);
  }

  async close(): Promise<void> {
    for (let cleanup = this.cleanups.pop(); cleanup; cleanup = this.cleanups.pop()) await cleanup();
  }
}

function scoped(body: (scope: Scope) => Promise<void>): () => Promise<void> {
  return async () => {
    const scope = new Scope();
    try {
      await body(scope);
    } finally {
      await scope.close();
    }
  };
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function startPty(scope: Scope): Promise<PtyPair> {
  const pty = await startPtyPair({ directory: mkdtempSync(path.join(workDir, 'pty-')) });
  scope.add(() => pty.stop());
  return pty;
}

/** The emulator app serving on `serialPath`; resolves with its control API once it is ready. */
async function startEmulator(
  scope: Scope,
  serialPath: string,
): Promise<{ process: ChildProcess; api: string }> {
  const child = spawn(
    process.execPath,
    [
      ...fromSource,
      'apps/emulator/src/main.ts',
      '--serial',
      serialPath,
      '--modules',
      String(MODULES),
      '--cells',
      CELLS_V.join(','),
      '--http-port',
      '0',
    ],
    { cwd: workspaceRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
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

function controllerArgs(serialPath: string, extra: string[] = []): string[] {
  return [
    ...fromSource,
    'apps/controller/src/main.ts',
    '--serial',
    serialPath,
    '--config',
    configFile,
    ...extra,
  ];
}

/** `--once --json`: resolves with the exit code and both outputs. */
function runControllerOnce(scope: Scope, serialPath: string) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, controllerArgs(serialPath, ['--once', '--json']), {
      cwd: workspaceRoot,
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
class ControllerDaemon {
  readonly lines: LogLine[] = [];
  private readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;
  private waiters: (() => void)[] = [];

  constructor(scope: Scope, serialPath: string) {
    const child = spawn(process.execPath, controllerArgs(serialPath), {
      cwd: workspaceRoot,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    createInterface({ input: child.stderr }).on('line', (line) => {
      // Anything but a pino line (a crash's stack trace) is kept too, to show when a wait fails.
      this.lines.push(line.startsWith('{') ? (JSON.parse(line) as LogLine) : { time: Number.NaN, msg: line });
      this.waiters.forEach((check) => check());
    });
    scope.add(() => stopProcess(this.child));
  }

  /**
   * The first line from index `from` on that matches. `capMs` is an upper bound on real I/O so a
   * broken controller fails the test instead of hanging it, never a timing assertion.
   */
  waitFor(match: (line: LogLine) => boolean, from = 0, capMs = 20_000): Promise<LogLine & { index: number }> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const index = this.lines.findIndex((line, i) => i >= from && match(line));
        if (index < 0) return;
        done();
        resolve({ ...this.lines[index], index });
      };
      const cap = setTimeout(() => {
        done();
        reject(new Error(`no matching log line within ${capMs} ms:\n${this.messages(from).join('\n')}`));
      }, capMs);
      const done = () => {
        clearTimeout(cap);
        this.waiters = this.waiters.filter((waiter) => waiter !== check);
      };
      this.waiters.push(check);
      check();
    });
  }

  waitForMessage(msg: string, from = 0, capMs?: number) {
    return this.waitFor((line) => line.msg === msg, from, capMs);
  }

  messages(from = 0, to = this.lines.length): string[] {
    return this.lines.slice(from, to).map((line) => line.msg);
  }

  /** SIGTERM; resolves with the exit code. */
  async stop(): Promise<number | null> {
    this.child.kill('SIGTERM');
    return this.exited;
  }
}

/** The contactor states logged from line `from` to line `to`, both included. */
function contactorStatesBetween(daemon: ControllerDaemon, from: number, to: number): unknown[] {
  return daemon.lines
    .slice(from, to + 1)
    .filter((line) => line.event === 'contactors')
    .map((line) => line.state);
}

async function putJson(url: string, body: unknown): Promise<number> {
  const response = await fetch(url, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return response.status;
}

describe('controller process ↔ emulator process over a socat pty pair', () => {
  // Upper bound only. (c) alone takes about 70 s: the comms-loss fault clears after 60 s of good
  // scans (bms-behaviour §2.2, not a config setting), so the tests run concurrently.
  jest.setTimeout(120_000);

  beforeAll(() => {
    workDir = mkdtempSync(path.join(tmpdir(), 'tsbms-e2e-'));
    configFile = path.join(workDir, 'bms.json');
    writeFileSync(configFile, JSON.stringify(CONFIG));
  });

  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it.concurrent(
    "(a) --once --json returns the emulator's cell voltages within one ADC step",
    scoped(async (scope) => {
      const pty = await startPty(scope);
      await startEmulator(scope, pty.pathA);
      const result = await runControllerOnce(scope, pty.pathB);
      expect(result.stderr).toContain(`opened ${pty.pathB} at 612500 baud`);
      expect(result.code).toBe(0);
      const status = JSON.parse(result.stdout);
      expect(status.modules.map((m: { address: number }) => m.address)).toEqual([1, 2, 3]);
      const sumV = CELLS_V.reduce((a, b) => a + b, 0);
      for (const module of status.modules) {
        expect(module.commsOk).toBe(true);
        expect(module.cells).toHaveLength(6);
        module.cells.forEach((cell: { voltage: number; balancing: boolean }, i: number) => {
          expect(Math.abs(cell.voltage - CELLS_V[i])).toBeLessThanOrEqual(ADC_STEP_V);
          expect(cell.balancing).toBe(false);
        });
        expect(Math.abs(module.voltage - sumV)).toBeLessThan(0.05);
        for (const t of module.temperatures) expect(Math.abs(t - 25)).toBeLessThan(0.5);
      }
      expect(status.faults).toEqual([]);
      expect(status.contactors.state).toBe('OPEN');
    }),
  );

  it.concurrent(
    '(b) closes the contactors; an injected over-voltage opens them after the debounce, with its location',
    scoped(async (scope) => {
      const pty = await startPty(scope);
      const emulator = await startEmulator(scope, pty.pathA);
      const daemon = new ControllerDaemon(scope, pty.pathB);

      const closed = await daemon.waitForMessage(CLOSED);
      const setup = await daemon.waitFor((line) => line.event === 'setup');
      expect(contactorStatesBetween(daemon, setup.index, closed.index)).toEqual(CLOSING_SEQUENCE);

      // Module 2, cell 3: above the fault level, below the chip's own COV trip.
      const sentMs = Date.now();
      expect(await putJson(`${emulator.api}/api/modules/2/cells/3`, { voltageV: OVER_VOLTAGE_V })).toBe(204);
      const appliedMs = Date.now();
      const injectedAt = daemon.lines.length;

      const raised = await daemon.waitFor(
        (line) => line.event === 'fault' && line.type === 'raise' && line.level === 'fault',
        injectedAt,
      );
      const opened = await daemon.waitForMessage('contactors OPEN (fault)', injectedAt);
      expect(raised).toMatchObject({
        kind: 'cellOverVoltage',
        location: { moduleAddress: 2, cellIndex: 2 },
        msg: 'cellOverVoltage fault raise at module 2 cell 3',
      });
      expect(raised.value).toBeCloseTo(OVER_VOLTAGE_V, 2);
      // Nothing moved the contactors between the CLOSED line and the fault.
      expect(contactorStatesBetween(daemon, closed.index + 1, opened.index)).toEqual(['OPEN']);
      // Not before the debounce: the first scan may see the cell up to one poll after the PUT.
      expect(opened.time - appliedMs).toBeGreaterThanOrEqual((OVER_VOLTAGE_DELAY_S - POLL_INTERVAL_S) * 1000);
      expect(opened.time).toBeGreaterThanOrEqual(raised.time);
      // Nor much after it: one poll plus a generous allowance for a loaded machine.
      expect(opened.time - sentMs).toBeLessThanOrEqual((OVER_VOLTAGE_DELAY_S + POLL_INTERVAL_S + 2) * 1000);

      expect(await daemon.stop()).toBe(0);
    }),
  );

  it.concurrent(
    '(c) a killed emulator opens the contactors at the comms timeout; its restart recovers without restarting the controller',
    scoped(async (scope) => {
      const pty = await startPty(scope);
      const emulator = await startEmulator(scope, pty.pathA);
      const daemon = new ControllerDaemon(scope, pty.pathB);
      await daemon.waitForMessage(CLOSED);

      const killedAt = daemon.lines.length;
      const killedMs = Date.now();
      emulator.process.kill('SIGKILL');

      const commsFault = await daemon.waitFor(
        (line) =>
          line.event === 'fault' &&
          line.type === 'raise' &&
          line.level === 'fault' &&
          line.kind === 'moduleCommsLoss',
        killedAt,
      );
      const opened = await daemon.waitForMessage('contactors OPEN (fault)', killedAt);
      expect(commsFault.msg).toMatch(/^moduleCommsLoss fault raise at module [1-3]$/);
      expect(commsFault.location).toEqual({ moduleAddress: expect.any(Number) });
      // Within the comms timeout plus one poll (the first evaluation after it runs out); and not
      // early: the last good read was one poll (plus that scan's own time) before the kill at most.
      expect(opened.time - killedMs).toBeLessThanOrEqual((COMMS_TIMEOUT_S + POLL_INTERVAL_S) * 1000);
      expect(opened.time - killedMs).toBeGreaterThanOrEqual((COMMS_TIMEOUT_S - 2 * POLL_INTERVAL_S) * 1000);

      // The same pty path, a fresh emulator (unaddressed boards), the same controller process.
      const restartedAt = daemon.lines.length;
      await startEmulator(scope, pty.pathA);
      const rediscovered = await daemon.waitFor(
        (line) => line.event === 'discovery' && line.found === MODULES && line.renumbered === true,
        restartedAt,
      );
      const setup = await daemon.waitFor((line) => line.event === 'setup', rediscovered.index);
      // The comms-loss fault clears after 60 s of good scans (§2.2); only then may they close.
      const reclosed = await daemon.waitForMessage(CLOSED, setup.index, 90_000);
      expect(contactorStatesBetween(daemon, setup.index, reclosed.index)).toEqual(CLOSING_SEQUENCE);
      const cleared = await daemon.waitFor(
        (line) =>
          line.event === 'fault' &&
          line.kind === 'moduleCommsLoss' &&
          line.level === 'fault' &&
          line.type === 'clear',
        setup.index,
      );
      expect(cleared.index).toBeLessThan(reclosed.index);

      expect(await daemon.stop()).toBe(0);
    }),
  );
});
