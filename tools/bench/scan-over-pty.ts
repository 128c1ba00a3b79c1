/*
 * Scan time over a real pseudo-terminal pair, with the emulator app in its own process pacing
 * every byte at 612500 baud (--wire-timing), against the spec's wire-rate lower bound
 * (8 + 27·N bytes × 16.33 µs + 1 ms conversion wait). Also the emulator's CPU time per scan,
 * read from /proc, which says how many modules one emulator process can serve in real time, and
 * this process's (the scanner's: transport, framing and decoding, back to back), the floor under
 * the daemon's CPU per scan.
 *
 *   npm run bench            (runs this and the emulator's in-process benchmark)
 */
import { performance } from 'node:perf_hooks';
import { systemClock } from '@tsbms/hal';
import { SerialByteLink } from '@tsbms/hal-linux';
import { startPtyPair } from '@tsbms/hal-linux/testing';
import {
  cbTimeForPollInterval,
  discoverModules,
  hardwareThresholdsFromFaultLevels,
  ModuleCommands,
  PackScanner,
  TeslaBus,
} from '@tsbms/tesla-protocol';
import { cpuTimeMs, machineLine, percentile, startEmulator, stopProcess, wireBoundMs } from './bench-support';

const SCANS = 30;

async function benchmark(modules: number) {
  const pty = await startPtyPair();
  const emulator = await startEmulator(pty.pathA, modules);
  const emulatorPid = emulator.process.pid;
  if (emulatorPid === undefined) throw new Error('emulator has no PID');
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
    const cpuBefore = cpuTimeMs(emulatorPid);
    const hostCpuBefore = process.cpuUsage();
    const times: number[] = [];
    for (let i = 0; i < SCANS; i++) {
      const start = performance.now();
      const reading = await scanner.scanPack(addresses);
      times.push(performance.now() - start);
      if (reading.modules.some((m) => !m.commsOk)) throw new Error('a module failed during the benchmark');
    }
    const emulatorCpuMs = (cpuTimeMs(emulatorPid) - cpuBefore) / SCANS;
    const hostCpu = process.cpuUsage(hostCpuBefore);
    const scannerCpuMs = (hostCpu.user + hostCpu.system) / 1000 / SCANS;
    const bytesPerScan = (bus.stats.bytesSent + bus.stats.bytesReceived - bytesBefore) / SCANS;
    times.sort((a, b) => a - b);
    return {
      modules,
      bytesPerScan,
      bound: wireBoundMs(modules),
      median: percentile(times, 0.5),
      p95: percentile(times, 0.95),
      emulatorCpuMs,
      scannerCpuMs,
    };
  } finally {
    await link.close();
    await stopProcess(emulator.process);
    await pty.stop();
  }
}

async function main() {
  console.log(machineLine());
  console.log(`Scan over a socat pty, emulator app with --wire-timing at 612500 baud, ${SCANS} scans each`);
  console.log(
    '| N | bytes/scan | wire bound | median | p95 | median / bound | scanner CPU per scan | emulator CPU per scan |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const modules of [1, 16, 62]) {
    const r = await benchmark(modules);
    console.log(
      `| ${r.modules} | ${r.bytesPerScan} | ${r.bound.toFixed(2)} ms | ${r.median.toFixed(2)} ms | ${r.p95.toFixed(2)} ms | ` +
        `${(r.median / r.bound).toFixed(2)} | ${r.scannerCpuMs.toFixed(2)} ms | ${r.emulatorCpuMs.toFixed(2)} ms |`,
    );
  }
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});
