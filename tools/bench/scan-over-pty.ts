/*
 * Scan time over a real pseudo-terminal pair, with the emulator app in its own process pacing
 * every byte at 612500 baud (--wire-timing), against the spec's wire-rate lower bound
 * (8 + 27·N bytes × 16.33 µs + 1 ms conversion wait). Also the emulator's CPU time per scan,
 * read from /proc, which says how many modules one emulator process can serve in real time.
 *
 *   npm run bench            (runs this and the emulator's in-process benchmark)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import { systemClock } from '@tsbms/hal';
import { SerialByteLink, startPtyPair } from '@tsbms/hal-linux';
import {
  cbTimeForPollInterval,
  discoverModules,
  hardwareThresholdsFromFaultLevels,
  ModuleCommands,
  PackScanner,
  TeslaBus,
} from '@tsbms/tesla-protocol';

const workspaceRoot = path.resolve(__dirname, '..', '..');
const BYTE_MS = (10 / 612_500) * 1000;
const SCANS = 30;
const CLOCK_TICKS_PER_S = 100; // USER_HZ on Linux

const wireBoundMs = (modules: number) => (8 + 27 * modules) * BYTE_MS + 1;

function cpuTimeMs(pid: number): number {
  // /proc/PID/stat: fields 14 and 15 are utime and stime in clock ticks (after the comm field).
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S) * 1000;
}

function startEmulator(serialPath: string, modules: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      '--conditions=@tsbms/source',
      '-r',
      '@swc-node/register',
      'apps/emulator/src/main.ts',
      '--serial',
      serialPath,
      '--modules',
      String(modules),
      '--wire-timing',
    ],
    { cwd: workspaceRoot, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (JSON.parse(line).event === 'ready') resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
  });
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

async function benchmark(modules: number) {
  const pty = await startPtyPair();
  const emulator = await startEmulator(pty.pathA, modules);
  const link = new SerialByteLink({ path: pty.pathB });
  await link.open();
  try {
    const bus = new TeslaBus(link, { clock: systemClock });
    const { addresses } = await discoverModules(bus, { clock: systemClock, expectedCount: modules });
    if (addresses.length !== modules) throw new Error(`found ${addresses.length} of ${modules} modules`);
    const thresholds = hardwareThresholdsFromFaultLevels({
      cellOverVoltageFaultV: 4.15,
      cellUnderVoltageFaultV: 3.55,
      overTemperatureFaultC: 65,
    });
    await new ModuleCommands(bus).setupPack(addresses, thresholds, cbTimeForPollInterval(0.5));
    const scanner = new PackScanner(bus, { clock: systemClock });
    for (let i = 0; i < 3; i++) await scanner.scanPack(addresses); // warm up
    const bytesBefore = bus.stats.bytesSent + bus.stats.bytesReceived;
    const cpuBefore = cpuTimeMs(emulator.pid!);
    const times: number[] = [];
    for (let i = 0; i < SCANS; i++) {
      const start = performance.now();
      const reading = await scanner.scanPack(addresses);
      times.push(performance.now() - start);
      if (reading.modules.some((m) => !m.commsOk)) throw new Error('a module failed during the benchmark');
    }
    const emulatorCpuMs = (cpuTimeMs(emulator.pid!) - cpuBefore) / SCANS;
    const bytesPerScan = (bus.stats.bytesSent + bus.stats.bytesReceived - bytesBefore) / SCANS;
    times.sort((a, b) => a - b);
    return {
      modules,
      bytesPerScan,
      bound: wireBoundMs(modules),
      median: percentile(times, 0.5),
      p95: percentile(times, 0.95),
      emulatorCpuMs,
    };
  } finally {
    await link.close();
    emulator.kill('SIGTERM');
    await new Promise((resolve) => emulator.once('exit', resolve));
    await pty.stop();
  }
}

async function main() {
  console.log(`Scan over a socat pty, emulator app with --wire-timing at 612500 baud, ${SCANS} scans each`);
  console.log('| N | bytes/scan | wire bound | median | p95 | median / bound | emulator CPU per scan |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const modules of [1, 16, 62]) {
    const r = await benchmark(modules);
    console.log(
      `| ${r.modules} | ${r.bytesPerScan} | ${r.bound.toFixed(2)} ms | ${r.median.toFixed(2)} ms | ${r.p95.toFixed(2)} ms | ` +
        `${(r.median / r.bound).toFixed(2)} | ${r.emulatorCpuMs.toFixed(2)} ms |`,
    );
  }
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});
