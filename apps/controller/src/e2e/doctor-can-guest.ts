import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Scope } from '@tsbms/test-support';
import { runScript, startEmulator, startPty } from './process-harness';
import { playInverterKeepAlive } from './victron-can-guest';

/*
 * Runs INSIDE user-mode Linux (tools/with-vcan), driven by e2e/doctor-can.spec.ts: `npm run doctor
 * -- --can vcan0` as a process against the emulator app on a socat pty, first with `cansend`
 * playing the inverter's 0x305 once a second, then with vcan0 taken down. It prints one JSON line
 * of what each run printed; every assertion is in the spec.
 */

export const DOCTOR_GUEST_MODULES = 2;

export interface DoctorGuestRun {
  readonly name: 'keep-alive' | 'interface-down';
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface DoctorGuestResults {
  readonly runs: DoctorGuestRun[];
  failure?: string;
}

function ipLink(state: 'up' | 'down'): void {
  const result = spawnSync('ip', ['link', 'set', 'vcan0', state], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ip link set vcan0 ${state}: ${result.stderr}`);
}

async function run(results: DoctorGuestResults, scope: Scope, workDir: string): Promise<void> {
  const pty = await startPty(scope, workDir);
  await startEmulator(scope, pty.pathA, { modules: DOCTOR_GUEST_MODULES });
  const args = [
    ...['--serial', pty.pathB, '--modules', String(DOCTOR_GUEST_MODULES), '--scans', '2'],
    ...['--fix-addresses', '--can', 'vcan0', '--json'],
  ];
  const keepAlive = new Scope();
  playInverterKeepAlive(keepAlive);
  results.runs.push({
    name: 'keep-alive',
    ...(await runScript(scope, 'apps/controller/src/doctor/main.ts', args)),
  });
  await keepAlive.close();
  ipLink('down');
  results.runs.push({
    name: 'interface-down',
    ...(await runScript(scope, 'apps/controller/src/doctor/main.ts', args)),
  });
}

async function main(): Promise<void> {
  const results: DoctorGuestResults = { runs: [] };
  const workDir = mkdtempSync(path.join(tmpdir(), 'tsbms-doctor-guest-'));
  const scope = new Scope();
  try {
    await run(results, scope, workDir);
  } catch (error) {
    results.failure = error instanceof Error ? error.message : String(error);
  } finally {
    await scope.close();
    rmSync(workDir, { recursive: true, force: true });
  }
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

if (require.main === module) void main();
