import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { startPtyPair, type PtyPair } from '@tsbms/hal-linux/testing';

/**
 * End to end over a real pseudo-terminal pair (socat): this app in one process serves the
 * emulated modules on one end at 612500 baud; the protocol scan tool in another process
 * discovers and scans them on the other end.
 */
const workspaceRoot = path.resolve(__dirname, '..', '..', '..');
const fromSource = ['--conditions=@tsbms/source', '-r', '@swc-node/register'];
const ADC_STEP_V = 6.25 / 16383;
const CELLS = [3.71, 3.83, 3.95, 4.02, 4.08, 3.6];

interface Ready {
  readonly httpPort: number;
}

function startEmulator(
  serialPath: string,
  extraArgs: string[] = [],
): { process: ChildProcess; ready: Promise<Ready> } {
  const child = spawn(
    process.execPath,
    [
      ...fromSource,
      'apps/emulator/src/main.ts',
      '--serial',
      serialPath,
      '--modules',
      '3',
      '--cells',
      CELLS.join(','),
      '--http-port',
      '0',
      ...extraArgs,
    ],
    { cwd: workspaceRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  const stdout = child.stdout;
  if (stdout === null) throw new Error('the emulator was spawned without a stdout pipe');
  const ready = new Promise<Ready>((resolve, reject) => {
    createInterface({ input: stdout }).on('line', (line) => {
      const entry = JSON.parse(line);
      if (entry.event === 'ready') resolve({ httpPort: entry.httpPort });
    });
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code} before ready: ${stderr}`)));
  });
  return { process: child, ready };
}

function runScan(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...fromSource, 'tools/scan/scan-modules.ts', ...args], {
      cwd: workspaceRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

describe('emulator app over a socat pty pair', () => {
  jest.setTimeout(60_000);
  let pty: PtyPair;
  let emulator: ChildProcess;
  let api: string;

  beforeAll(async () => {
    pty = await startPtyPair();
    const started = startEmulator(pty.pathA);
    emulator = started.process;
    api = `http://127.0.0.1:${(await started.ready).httpPort}`;
  });

  afterAll(async () => {
    await stop(emulator);
    await pty.stop();
  });

  it('is discovered and scanned at 612500 baud; cell voltages within one ADC step', async () => {
    const result = await runScan(['--serial', pty.pathB, '--modules', '3']);
    expect(result.stderr).toContain('discovery: 3 of 3 modules at [1, 2, 3]');
    expect(result.code).toBe(0);
    const { reading } = JSON.parse(result.stdout);
    expect(reading.modules.map((m: { address: number }) => m.address)).toEqual([1, 2, 3]);
    for (const module of reading.modules) {
      expect(module.commsOk).toBe(true);
      module.cellVoltagesV.forEach((v: number, i: number) =>
        expect(Math.abs(v - CELLS[i])).toBeLessThanOrEqual(ADC_STEP_V),
      );
      expect(module.temperaturesC.every((t: number) => Math.abs(t - 25) < 0.5)).toBe(true);
    }
  });

  it('answers 3-byte reads (no CRC byte) too', async () => {
    const result = await runScan(['--serial', pty.pathB, '--modules', '3', '--three-byte-reads']);
    expect(result.code).toBe(0);
    const { reading } = JSON.parse(result.stdout);
    expect(reading.modules[2].cellVoltagesV[3]).toBeCloseTo(CELLS[3], 3);
  });

  it('shows a change made through the control API in the next scan', async () => {
    const response = await fetch(`${api}/api/modules/2/cells/5`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ voltageV: 4.15 }),
    });
    expect(response.status).toBe(204);
    const { reading } = JSON.parse((await runScan(['--serial', pty.pathB, '--modules', '3'])).stdout);
    expect(Math.abs(reading.modules[1].cellVoltagesV[4] - 4.15)).toBeLessThanOrEqual(ADC_STEP_V);
    expect(Math.abs(reading.modules[0].cellVoltagesV[4] - CELLS[4])).toBeLessThanOrEqual(ADC_STEP_V);
  });

  it('survives garbage on the line, and the scan after it still succeeds', async () => {
    await fetch(`${api}/api/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'garbageBurst', direction: 'toHost', lengthBytes: 7, intervalMs: 50 }),
    });
    const noisy = await runScan(['--serial', pty.pathB, '--modules', '3']);
    await fetch(`${api}/api/faults/garbageBurst:toHost`, { method: 'DELETE' });
    const { busStats } = JSON.parse(noisy.stdout);
    expect(noisy.code).toBe(0);
    expect(busStats.droppedBytes).toBeGreaterThan(0);
    const clean = await runScan(['--serial', pty.pathB, '--modules', '3']);
    expect(clean.code).toBe(0);
    expect(emulator.exitCode).toBeNull();
  });
});
