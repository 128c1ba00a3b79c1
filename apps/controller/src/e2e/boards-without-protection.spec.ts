import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { scoped, type Scope } from '@tsbms/test-support';
import { ControllerDaemon, putJson, runControllerOnce, startEmulator, startPty } from './process-harness';

/**
 * Issue 16: boards that do not implement the bq76PL536A's protected configuration registers (the
 * emulator's `noProtectedRegisters` fault on module 2), over a socat pty pair between the two real
 * processes. By default setup stops and says which setting lets tsBMS run on them; with
 * `programHardwareThresholds: false` discovery, scans, faults and contactors work, and the status
 * says that only the software levels protect.
 */
const MODULES = 3;
const CELLS_V = [3.9, 3.91, 3.9, 3.92, 3.9, 3.91];
const CONFIG = {
  pack: { moduleCount: MODULES },
  pollIntervalS: 0.25,
  commsTimeoutS: 2,
  // A cell of 4.17 V is above the 4.15 V fault level; 1 s of debounce keeps the test short.
  cells: { cellHighVoltageV: 4.1, voltageFaultOffsetV: 0.05, overVoltageDelayS: 1 },
  balancing: { enabled: false },
  contactors: { contactorNegativeTimeS: 0.2, contactorPrechargeTimeS: 0.5, contactorOverlapS: 0.2 },
  http: { enabled: false },
};

let workDir: string;
beforeAll(() => (workDir = mkdtempSync(path.join(tmpdir(), 'tsbms-e2e-boards-'))));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

function writeConfig(name: string, config: object): string {
  const file = path.join(workDir, name);
  writeFileSync(file, JSON.stringify(config));
  return file;
}

/** The emulator on one end of a fresh pty, its module 2 without the protected registers. */
async function boardsWithout(scope: Scope) {
  const pty = await startPty(scope, workDir);
  const emulator = await startEmulator(scope, pty.pathA, { modules: MODULES, cellsV: CELLS_V });
  const response = await fetch(`${emulator.api}/api/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'noProtectedRegisters', module: 2 }),
  });
  expect(response.status).toBe(201);
  return { serial: pty.pathB, emulator };
}

describe('boards without the protected registers (emulator over a pty)', () => {
  jest.setTimeout(90_000);

  it(
    'default config: setup stops with a message naming programHardwareThresholds, the contactors stay open; --once still reads every module',
    scoped(async (scope) => {
      const { serial } = await boardsWithout(scope);
      const configFile = writeConfig('default.json', CONFIG);
      const daemon = new ControllerDaemon(scope, ['--serial', serial, '--config', configFile]);
      const failed = await daemon.waitFor((line) => line.event === 'setup' && Number(line.level) >= 40);
      expect(failed.code).toBe('PROTECTED_REGISTERS_UNANSWERED');
      expect(failed.msg).toMatch(
        /^module setup failed: module 2 answers but not its protected configuration registers \(CONFIG_COV…\).*; to run on these boards, set programHardwareThresholds: false in the config/,
      );
      // It keeps retrying (every 5 s) and never closes on boards it could not set up.
      const retried = daemon.lines.length;
      await daemon.waitFor((line) => line.event === 'discovery', retried, 20_000);
      expect(daemon.lines.filter((line) => line.event === 'contactors' && line.state !== 'OPEN')).toEqual([]);
      expect(await daemon.stop()).toBe(0);

      // One reading needs no thresholds: --once programs none, so these boards answer it.
      const once = await runControllerOnce(scope, [
        '--serial',
        serial,
        '--config',
        configFile,
        '--once',
        '--json',
      ]);
      expect({ code: once.code, stderr: once.code === 0 ? '' : once.stderr }).toEqual({
        code: 0,
        stderr: '',
      });
      const status = JSON.parse(once.stdout) as { modules: { address: number; commsOk: boolean }[] };
      expect(status.modules.map((m) => [m.address, m.commsOk])).toEqual([
        [1, true],
        [2, true],
        [3, true],
      ]);
    }),
  );

  it(
    'programHardwareThresholds: false: warned at start and in the status; discovery, scans, a fault and the contactors work',
    scoped(async (scope) => {
      const { serial, emulator } = await boardsWithout(scope);
      const configFile = writeConfig('software-only.json', {
        ...CONFIG,
        programHardwareThresholds: false,
        http: { port: 0 },
      });
      const daemon = new ControllerDaemon(scope, ['--serial', serial, '--config', configFile]);
      const warned = await daemon.waitFor((line) => line.event === 'setup' && Number(line.level) >= 40);
      expect(warned.msg).toMatch(
        /^hardware protection off: software limits only: programHardwareThresholds is false/,
      );
      const { url } = await daemon.waitFor((line) => line.event === 'http' && typeof line.url === 'string');
      const closed = await daemon.waitForMessage('contactors CLOSED');
      expect(daemon.lines.filter((line) => line.code === 'PROTECTED_REGISTERS_UNANSWERED')).toEqual([]);

      const status = (await (await fetch(new URL('/api/status', String(url)))).json()) as {
        notices: string[];
        modules: { address: number; commsOk: boolean; cells: { voltageV: number }[] }[];
      };
      expect(status.notices).toEqual(['hardware protection off: software limits only']);
      expect(status.modules.map((m) => [m.address, m.commsOk, m.cells.length])).toEqual([
        [1, true, 6],
        [2, true, 6],
        [3, true, 6],
      ]);

      // The software level still protects: an over-voltage on module 2 opens the contactors.
      expect(await putJson(`${emulator.api}/api/modules/2/cells/3`, { voltageV: 4.17 })).toBe(204);
      const raised = await daemon.waitFor(
        (line) => line.event === 'fault' && line.type === 'raise' && line.level === 'fault',
        closed.index,
      );
      expect(raised).toMatchObject({ kind: 'cellOverVoltage', location: { moduleAddress: 2, cellIndex: 2 } });
      await daemon.waitForMessage('contactors OPEN (fault)', raised.index);
      expect(await daemon.stop()).toBe(0);
    }),
  );
});
