import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { scoped } from '@tsbms/test-support';
import { ControllerDaemon, putJson, startEmulator, startPty } from './process-harness';

/**
 * Issue 13, pack current over VE.Direct end to end: the emulator app serves 3 modules on one pty
 * pair and an emulated SmartShunt (`--smartshunt`) on a second; the controller reads the modules
 * on the first and the SmartShunt on the second (`currentSensor: { type: vedirect }`), each in its
 * own process. Setting the emulator's pack current over its control API must show up as the
 * controller's pack current.
 */
const MODULES = 3;
let workDir: string;

interface Status {
  readonly currentA: number | null;
  readonly timestampMs: number | null;
}

describe('controller ↔ emulated SmartShunt over VE.Direct on a pty', () => {
  jest.setTimeout(60_000);

  beforeAll(() => {
    workDir = mkdtempSync(path.join(tmpdir(), 'tsbms-e2e-shunt-'));
  });
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it(
    "the controller's pack current is the emulated SmartShunt's, as the emulator's current changes",
    scoped(async (scope) => {
      const modules = await startPty(scope, workDir);
      const shunt = await startPty(scope, workDir);
      const emulator = await startEmulator(scope, modules.pathA, {
        modules: MODULES,
        args: ['--smartshunt', shunt.pathA],
      });
      const configFile = path.join(workDir, 'bms.json');
      writeFileSync(
        configFile,
        JSON.stringify({
          pack: { moduleCount: MODULES },
          pollIntervalS: 0.25,
          serial: { replyTimeoutMs: 500 },
          currentSensor: { type: 'vedirect', path: shunt.pathB },
          http: { port: 0 },
        }),
      );
      const daemon = new ControllerDaemon(scope, ['--serial', modules.pathB, '--config', configFile]);
      const sensorLine = await daemon.waitFor((line) => line.event === 'currentSensor');
      expect(sensorLine.msg).toBe(`pack current from the VE.Direct at ${shunt.pathB}`);
      const url = String((await daemon.waitFor((line) => line.event === 'http')).url);
      const status = async () => (await (await fetch(new URL('/api/status', url))).json()) as Status;

      for (const currentA of [-25, 12.5]) {
        expect(await putJson(`${emulator.api}/api/pack/current`, { currentA })).toBe(204);
        // Bounded polling of real processes: an upper bound, not a timing assertion.
        let latest = await status();
        for (let tries = 0; latest.currentA !== currentA && tries < 150; tries++) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          latest = await status();
        }
        expect({ emulator: currentA, controller: latest.currentA }).toEqual({
          emulator: currentA,
          controller: currentA,
        });
      }
      expect(await daemon.stop()).toBe(0);
    }),
  );
});
