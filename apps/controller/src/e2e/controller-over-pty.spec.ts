import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ControllerDaemon, putJson, runControllerOnce, startEmulator, startPty } from './process-harness';
import { type Scope, scoped } from '@tsbms/test-support';

/**
 * Issue 5 end to end: the emulator app and the controller app, each in its own process from
 * source, on the two ends of a socat pseudo-terminal pair at 612500 baud. The controller is
 * observed only from outside: its exit code, its stdout and its pino JSON lines on stderr, whose
 * `time` (ms, same host clock as the test's Date.now()) timestamps every state change.
 */
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
  // Three daemons run at once: no HTTP ports to share.
  http: { enabled: false },
};
const CLOSING_SEQUENCE = ['NEGATIVE', 'PRECHARGE', 'OVERLAP', 'CLOSED'];
const CLOSED = 'contactors CLOSED';

let workDir: string;
let configFile: string;
let onceConfigFile: string;

const emulatorOn = (scope: Scope, serialPath: string) =>
  startEmulator(scope, serialPath, { modules: MODULES, cellsV: CELLS_V });
const daemonOn = (scope: Scope, serialPath: string) =>
  new ControllerDaemon(scope, ['--serial', serialPath, '--config', configFile]);

/** The contactor states logged from line `from` to line `to`, both included. */
function contactorStatesBetween(daemon: ControllerDaemon, from: number, to: number): unknown[] {
  return daemon.lines
    .slice(from, to + 1)
    .filter((line) => line.event === 'contactors')
    .map((line) => line.state);
}

describe('controller process ↔ emulator process over a socat pty pair', () => {
  // Upper bound only. (c) alone takes about 70 s: the comms-loss fault clears after 60 s of good
  // scans (bms-behaviour §2.2, not a config setting), so the tests run concurrently.
  jest.setTimeout(180_000);

  beforeAll(() => {
    workDir = mkdtempSync(path.join(tmpdir(), 'tsbms-e2e-'));
    configFile = path.join(workDir, 'bms.json');
    writeFileSync(configFile, JSON.stringify(CONFIG));
    // --once discovers once, without the daemon's retry: on a loaded machine (three emulators and
    // controllers at once, other suites beside) a reply late by 100 ms would be a missing module.
    onceConfigFile = path.join(workDir, 'once.json');
    writeFileSync(onceConfigFile, JSON.stringify({ ...CONFIG, serial: { replyTimeoutMs: 1000 } }));
  });

  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it.concurrent(
    "(a) --once --json returns the emulator's cell voltages within one ADC step",
    scoped(async (scope) => {
      const pty = await startPty(scope, workDir);
      await emulatorOn(scope, pty.pathA);
      const result = await runControllerOnce(scope, [
        '--serial',
        pty.pathB,
        '--config',
        onceConfigFile,
        '--once',
        '--json',
      ]);
      expect(result.stderr).toContain(`opened ${pty.pathB} at 612500 baud`);
      // The log says why when --once fails (e.g. how many modules discovery found).
      expect({ code: result.code, stderr: result.code === 0 ? '' : result.stderr }).toEqual({
        code: 0,
        stderr: '',
      });
      const status = JSON.parse(result.stdout);
      expect(status.modules.map((m: { address: number }) => m.address)).toEqual([1, 2, 3]);
      const sumV = CELLS_V.reduce((a, b) => a + b, 0);
      for (const module of status.modules) {
        expect(module.commsOk).toBe(true);
        expect(module.cells).toHaveLength(6);
        module.cells.forEach((cell: { voltageV: number; balancing: boolean }, i: number) => {
          expect(Math.abs(cell.voltageV - CELLS_V[i])).toBeLessThanOrEqual(ADC_STEP_V);
          expect(cell.balancing).toBe(false);
        });
        expect(Math.abs(module.voltageV - sumV)).toBeLessThan(0.05);
        for (const t of module.temperaturesC) expect(Math.abs(t - 25)).toBeLessThan(0.5);
      }
      expect(status.faults).toEqual([]);
      expect(status.contactors.state).toBe('OPEN');
    }),
  );

  it.concurrent(
    '(b) closes the contactors; an injected over-voltage opens them after the debounce, with its location',
    scoped(async (scope) => {
      const pty = await startPty(scope, workDir);
      const emulator = await emulatorOn(scope, pty.pathA);
      const daemon = daemonOn(scope, pty.pathB);

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
      const pty = await startPty(scope, workDir);
      const emulator = await emulatorOn(scope, pty.pathA);
      const daemon = daemonOn(scope, pty.pathB);
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
      await emulatorOn(scope, pty.pathA);
      const rediscovered = await daemon.waitFor(
        (line) => line.event === 'discovery' && line.found === MODULES && line.renumbered === true,
        restartedAt,
      );
      const setup = await daemon.waitFor((line) => line.event === 'setup', rediscovered.index);
      // The comms-loss fault clears after 60 s of good scans (§2.2); only then may they close.
      const reclosed = await daemon.waitForMessage(CLOSED, setup.index, 150_000);
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

  it.concurrent(
    'a GPIO chip that cannot be claimed stops the start with exit 1, naming chip, line and errno',
    scoped(async (scope) => {
      const pty = await startPty(scope, workDir);
      const gpioConfig = path.join(workDir, 'gpio.json');
      // /dev/null opens but is no GPIO chip: the line request ioctl fails with ENOTTY.
      writeFileSync(
        gpioConfig,
        JSON.stringify({ ...CONFIG, gpio: { chip: '/dev/null', contactorPositivePin: 5 } }),
      );
      const result = await runControllerOnce(scope, [
        '--serial',
        pty.pathB,
        '--config',
        gpioConfig,
        '--once',
      ]);
      expect(result.code).toBe(1);
      const gpioLine = result.stderr
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line))
        .find((line) => line.event === 'gpio');
      expect(gpioLine).toMatchObject({ chip: '/dev/null', lines: { contactorPositive: 5 }, code: 'ENOTTY' });
      expect(result.stderr).toMatch(/^controller: .*\/dev\/null.*5.*ENOTTY/m);
    }),
  );
});
