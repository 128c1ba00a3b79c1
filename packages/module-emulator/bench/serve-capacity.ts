/*
 * How many modules can one emulator process serve in real time with wire timing on?
 *
 *   node -r @swc-node/register --conditions=@tsbms/source packages/module-emulator/bench/serve-capacity.ts
 *
 * Part 1 (virtual time): the CPU the emulator (plus a minimal raw-frame host) spends per scan of
 * N modules, against the scan's wire-rate lower bound at 612500 baud. CPU below it = real-time
 * capable; N × bound / CPU is how many modules one core could serve.
 * Part 2 (real time, systemClock): scan time the protocol library achieves against the emulator
 * for N = 1, 16, 62, against the wire-rate lower bound (8 + 27·N bytes + 1 ms conversion wait).
 */
import { ManualClock, systemClock } from '@tsbms/hal';
import { PackScanner, Register, TeslaBus, crc8, discoverModules } from '@tsbms/tesla-protocol';
import { EmulatedChain } from '../src/emulated-chain';
import { BITS_PER_BYTE, DEFAULT_BAUD } from '../src/wire-timing';

const BYTE_MS = (BITS_PER_BYTE / DEFAULT_BAUD) * 1000;
const frame = (...bytes: number[]) => Uint8Array.from([...bytes, crc8(bytes)]);

function wireBoundMs(modules: number): number {
  return (8 + 27 * modules) * BYTE_MS + 1;
}

async function cpuPerScan(modules: number, scans: number): Promise<{ cpuMs: number; wireMs: number }> {
  const clock = new ManualClock();
  const chain = new EmulatedChain({ clock, modules, seed: 1, wireTiming: {} });
  let received = 0;
  chain.link.data$.subscribe((chunk) => (received += chunk.length));
  await chain.link.write(frame(0x7f, Register.RESET, 0xa5));
  await clock.advanceByMs(5);
  for (let a = 1; a <= modules; a++) {
    await chain.link.write(frame(0x01, Register.ADDRESS_CONTROL, 0x80 | a));
    await clock.advanceByMs(5);
  }
  await chain.link.write(frame(0x7f, Register.ADC_CONTROL, 0x3d));
  await clock.advanceByMs(5);
  const startVirtual = clock.now();
  received = 0;
  const startCpu = process.cpuUsage();
  for (let s = 0; s < scans; s++) {
    await chain.link.write(frame(0x7f, Register.ADC_CONVERT, 1));
    await clock.advanceByMs(8 * BYTE_MS + modules * 0.017 + 1);
    for (let a = 1; a <= modules; a++) {
      await chain.link.write(frame(a << 1, 0x00, 0x13));
      await clock.advanceByMs(27 * BYTE_MS + modules * 0.017);
    }
  }
  const cpu = process.cpuUsage(startCpu);
  if (received !== scans * (4 + 23 * modules)) throw new Error(`lost bytes: ${received}`);
  await chain.close();
  return { cpuMs: (cpu.user + cpu.system) / 1000 / scans, wireMs: (clock.now() - startVirtual) / scans };
}

async function realTimeScan(modules: number, scans: number): Promise<number> {
  const chain = new EmulatedChain({ clock: systemClock, modules, seed: 1, wireTiming: {} });
  const bus = new TeslaBus(chain.link, { clock: systemClock });
  const { addresses } = await discoverModules(bus, { clock: systemClock, expectedCount: modules });
  if (addresses.length !== modules) throw new Error(`found ${addresses.length} of ${modules}`);
  await bus.broadcastRegister(Register.ADC_CONTROL, 0x3d);
  await bus.broadcastRegister(Register.IO_CONTROL, 0x03);
  const scanner = new PackScanner(bus, { clock: systemClock });
  const start = performance.now();
  for (let s = 0; s < scans; s++) {
    const reading = await scanner.scanPack(addresses);
    if (!reading.modules.every((m) => m.commsOk)) throw new Error('scan failed');
  }
  const perScan = (performance.now() - start) / scans;
  bus.dispose();
  await chain.close();
  return perScan;
}

async function main(): Promise<void> {
  console.log(
    `node ${process.version}, wire timing on, ${DEFAULT_BAUD} baud (${(BYTE_MS * 1000).toFixed(2)} µs/byte)`,
  );
  console.log('\nPart 1: CPU per scan (virtual time)');
  console.log(
    'N | wire-rate bound ms | with 1-byte hop delays ms | CPU ms/scan | modules per core (vs bound)',
  );
  for (const n of [1, 16, 62]) {
    const { cpuMs, wireMs } = await cpuPerScan(n, n === 62 ? 50 : 200);
    const bound = wireBoundMs(n);
    console.log(
      `${n} | ${bound.toFixed(2)} | ${wireMs.toFixed(2)} | ${cpuMs.toFixed(3)} | ${Math.floor((bound / cpuMs) * n)}`,
    );
  }
  console.log('\nPart 2: real-time scan with TeslaBus + PackScanner (systemClock)');
  console.log('N  | scan ms (mean of 20) | wire-rate bound ms');
  for (const n of [1, 16, 62]) {
    const ms = await realTimeScan(n, 20);
    console.log(`${n} | ${ms.toFixed(1)} | ${wireBoundMs(n).toFixed(2)}`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
