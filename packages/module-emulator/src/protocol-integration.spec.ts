import { ManualClock } from '@tsbms/hal';
import {
  PackScanner,
  Register,
  TeslaBus,
  discoverModules,
  TeslaProtocolError,
  cellVoltageFromRaw,
  gpaiVoltageFromRaw,
  readUint16BE,
  temperatureFromRaw,
} from '@tsbms/tesla-protocol';
import { EmulatedChain } from './emulated-chain';
import { SeededRandom } from './prng';
import { drive } from './spec-support/drive';

const ADC_STEP_V = 6.25 / 16383;

async function busOnChain(
  modules: number,
  options: Partial<ConstructorParameters<typeof EmulatedChain>[0]> = {},
) {
  const clock = new ManualClock();
  const chain = new EmulatedChain({ clock, modules, seed: 17, ...options });
  const bus = new TeslaBus(chain.link, { clock });
  const run = <T>(p: Promise<T>) => drive(clock, p);
  return { clock, chain, bus, run };
}

/** Discovery with the protocol library's own T-14/T-15 procedure; returns how many answered. */
async function renumber(
  bus: TeslaBus,
  run: <T>(p: Promise<T>) => Promise<T>,
  clock: ManualClock,
  expectedCount = 62,
): Promise<number> {
  const result = await run(discoverModules(bus, { clock, expectedCount }));
  return result.addresses.length;
}

async function readModule(bus: TeslaBus, run: <T>(p: Promise<T>) => Promise<T>, address: number) {
  const data = await run(bus.readRegisters(address, 0x00, 0x13));
  return {
    status: data[0],
    gpaiV: gpaiVoltageFromRaw(readUint16BE(data, 1)),
    cellsV: [0, 1, 2, 3, 4, 5].map((i) => cellVoltageFromRaw(readUint16BE(data, 3 + 2 * i))),
    temperaturesC: [temperatureFromRaw(readUint16BE(data, 15)), temperatureFromRaw(readUint16BE(data, 17))],
  };
}

describe('TeslaBus against the emulated chain', () => {
  it.each([1, 2, 16, 62])(
    'discovers %i modules and scans back what the emulator was given (1 ADC step, 0.5 °C)',
    async (modules) => {
      const { chain, bus, run, clock } = await busOnChain(modules);
      const random = new SeededRandom(modules);
      const given = Array.from({ length: modules }, (_, m) => {
        const cellsV = Array.from({ length: 6 }, () => 3.0 + 1.2 * random.next());
        const temperaturesC = [-20 + 100 * random.next(), -20 + 100 * random.next()];
        cellsV.forEach((v, c) => chain.setCellVoltage(m + 1, c + 1, v));
        temperaturesC.forEach((t, i) => chain.setThermistorTemperature(m + 1, i + 1, t));
        return { cellsV, temperaturesC };
      });
      const discovery = await run(discoverModules(bus, { clock, expectedCount: modules }));
      // with 62 modules discovery stops at the highest address instead of seeing the chain end
      expect(discovery).toMatchObject({ renumbered: true, end: modules === 62 ? 'maxAddress' : 'chainEnd' });
      expect(discovery.addresses).toEqual(Array.from({ length: modules }, (_, i) => i + 1));
      // module setup as T-17 ends: ADC and thermistor bias on
      await run(bus.broadcastRegister(Register.ADC_CONTROL, 0x3d));
      await run(bus.broadcastRegister(Register.IO_CONTROL, 0x03));
      const scanner = new PackScanner(bus, { clock });
      const reading = await run(scanner.scanPack(discovery.addresses));
      expect(reading.modules).toHaveLength(modules);
      reading.modules.forEach((m, i) => {
        expect(m.commsOk).toBe(true);
        expect(m.implausible).toEqual([]);
        m.cellVoltagesV.forEach((v, c) =>
          expect(Math.abs((v ?? Infinity) - given[i].cellsV[c])).toBeLessThanOrEqual(ADC_STEP_V),
        );
        m.temperaturesC.forEach((t, s) =>
          expect(Math.abs((t ?? Infinity) - given[i].temperaturesC[s])).toBeLessThanOrEqual(0.5),
        );
        expect(
          Math.abs((m.moduleVoltageV ?? Infinity) - given[i].cellsV.reduce((a, b) => a + b)),
        ).toBeLessThan(0.01);
      });
      // a second discovery finds everyone at their address and renumbers nothing
      expect(await run(discoverModules(bus, { clock, expectedCount: modules }))).toMatchObject({
        renumbered: false,
        end: 'allAnswered',
      });
      const snap = chain.snapshot();
      expect(snap.modules.map((m) => m.address)).toEqual(discovery.addresses);
      expect(snap.modules.every((m) => m.counters.eEnWrites === 0 && m.counters.testSelectWrites === 0)).toBe(
        true,
      );
    },
    30_000,
  );

  it('covers the whole −20..80 °C range within 0.5 °C', async () => {
    const { chain, bus, run, clock } = await busOnChain(1);
    await renumber(bus, run, clock);
    await run(bus.writeRegister(1, Register.ADC_CONTROL, 0x3d));
    await run(bus.writeRegister(1, Register.IO_CONTROL, 0x03));
    for (let t = -20; t <= 80; t += 0.7) {
      chain.setThermistorTemperature(1, 1, t);
      chain.setThermistorTemperature(1, 2, 80 - (t + 20));
      await run(bus.writeRegister(1, Register.ADC_CONVERT, 1));
      const read = await readModule(bus, run, 1);
      expect(Math.abs(read.temperaturesC[0] - t)).toBeLessThanOrEqual(0.5);
      expect(Math.abs(read.temperaturesC[1] - (80 - (t + 20)))).toBeLessThanOrEqual(0.5);
    }
  });

  it('works with 3-byte reads and with wire timing on', async () => {
    const clock = new ManualClock();
    const chain = new EmulatedChain({ clock, modules: 4, seed: 2, wireTiming: {}, cellVoltagesV: [3.61] });
    const bus = new TeslaBus(chain.link, { clock, readWithCrc: false });
    const run = <T>(p: Promise<T>) => drive(clock, p, 0.5);
    expect(await renumber(bus, run, clock, 4)).toBe(4);
    await run(bus.broadcastRegister(Register.ADC_CONTROL, 0x3d));
    await run(bus.broadcastRegister(Register.ADC_CONVERT, 0x01));
    const read = await readModule(bus, run, 4);
    read.cellsV.forEach((v) => expect(Math.abs(v - 3.61)).toBeLessThanOrEqual(ADC_STEP_V));
  });

  it('writes the T-18 thresholds through the protected-write path and they take effect', async () => {
    const { chain, bus, run, clock } = await busOnChain(2);
    await renumber(bus, run, clock);
    for (const [reg, value] of [
      [0x42, 0x2c],
      [0x43, 0x8a],
      [0x44, 0x1c],
      [0x45, 0x8a],
      [0x46, 0x77],
      [0x47, 0xff],
    ]) {
      await run(bus.writeRegister(2, reg, value));
    }
    expect(await run(bus.readRegisters(2, 0x40, 8))).toEqual([
      0x10, 0x80, 0x2c, 0x8a, 0x1c, 0x8a, 0x77, 0xff,
    ]);
    expect(await run(bus.readRegisters(1, 0x40, 8))).toEqual([
      0x10, 0x80, 0x31, 0x81, 0x08, 0x81, 0x66, 0xff,
    ]);
    chain.setCellVoltage(2, 4, 4.22);
    await clock.advanceByMs(1000);
    const [, fault, cov] = await run(bus.readRegisters(2, Register.ALERT_STATUS, 3));
    expect(fault & 0x01).toBe(0x01);
    expect(cov).toBe(0x08);
  });
});

describe('the protocol library survives every fault injection', () => {
  async function ready(modules = 3) {
    const ctx = await busOnChain(modules, { cellVoltagesV: [3.8] });
    await renumber(ctx.bus, ctx.run, ctx.clock, modules);
    return ctx;
  }

  /** A read that either succeeds or fails with a typed protocol error (never anything else). */
  async function tryRead(ctx: Awaited<ReturnType<typeof ready>>, address: number) {
    try {
      return { ok: true as const, data: await ctx.run(ctx.bus.readRegisters(address, 0x00, 0x13)) };
    } catch (e) {
      expect(e).toBeInstanceOf(TeslaProtocolError);
      return { ok: false as const, code: (e as TeslaProtocolError).code };
    }
  }

  const lineFaults = [
    { kind: 'dropBytes', direction: 'toHost', probability: 0.03 },
    { kind: 'dropBytes', direction: 'toModules', probability: 0.1 },
    { kind: 'flipBits', direction: 'toHost', probability: 0.03 },
    { kind: 'flipBits', direction: 'toModules', probability: 0.1 },
    { kind: 'garbageBurst', direction: 'toHost', lengthBytes: 7, intervalMs: 13 },
    { kind: 'garbageBurst', direction: 'toModules', lengthBytes: 7, intervalMs: 13 },
  ] as const;

  it.each(lineFaults)('$kind $direction: typed errors or retries, counted, then recovery', async (fault) => {
    const ctx = await ready();
    const controlBefore = ctx.chain.snapshot().modules.map((m) => m.registers.slice(0x30, 0x50));
    const writesBefore = ctx.chain.snapshot().modules.map((m) => m.counters.writesExecuted);
    const key = ctx.chain.startFault(fault);
    const results = [];
    for (let i = 0; i < 20; i++) results.push(await tryRead(ctx, 1 + (i % 3)));
    ctx.chain.stopFault(key);
    await ctx.clock.advanceByMs(20);
    const stats = ctx.bus.stats;
    const trouble =
      stats.crcErrors +
      stats.badFrames +
      stats.timeouts +
      stats.retries +
      stats.droppedBytes +
      stats.noSuchModule;
    expect(trouble).toBeGreaterThan(0);
    expect(results.some((r) => r.ok)).toBe(true);
    for (let m = 1; m <= 3; m++) expect((await tryRead(ctx, m)).ok).toBe(true);
    ctx.chain.snapshot().modules.forEach((m, i) => {
      if (m.counters.writesExecuted === writesBefore[i])
        expect(m.registers.slice(0x30, 0x50)).toEqual(controlBefore[i]);
    });
  });

  it('silent module: timeouts, then recovery with state kept', async () => {
    const ctx = await ready();
    ctx.chain.startFault({ kind: 'silent', module: 2 });
    const failed = await tryRead(ctx, 3);
    expect(failed).toEqual({ ok: false, code: 'TIMEOUT' });
    ctx.chain.stopFault('silent:2');
    expect((await tryRead(ctx, 3)).ok).toBe(true);
    expect(ctx.chain.snapshot().modules.map((m) => m.address)).toEqual([1, 2, 3]);
  });

  it('power cycle: the module is gone, then answers at address 0 with POR until renumbered', async () => {
    const ctx = await ready();
    ctx.chain.startFault({ kind: 'powerCycle', module: 3 });
    expect(await tryRead(ctx, 3)).toEqual({ ok: false, code: 'TIMEOUT' });
    ctx.chain.stopFault('powerCycle:3');
    expect(await tryRead(ctx, 3)).toEqual({ ok: false, code: 'NO_SUCH_MODULE' });
    const status = await ctx.run(ctx.bus.readRegister(0, Register.FAULT_STATUS));
    expect(status & 0x08).toBe(0x08);
    expect(await renumber(ctx.bus, ctx.run, ctx.clock, 3)).toBe(3);
    expect((await tryRead(ctx, 3)).ok).toBe(true);
  });

  it('reply latency: beyond the timeout TIMEOUT, within it just slower, then normal again', async () => {
    const ctx = await ready();
    // Later than all three attempts (3 × 100 ms): each reply arrives after its bus gave up.
    ctx.chain.startFault({ kind: 'replyLatency', module: 1, extraMs: 1000 });
    expect(await tryRead(ctx, 1)).toEqual({ ok: false, code: 'TIMEOUT' });
    expect(ctx.bus.stats.timeouts).toBe(3);
    await ctx.clock.advanceByMs(2000); // the late replies arrive and are discarded as stray input
    // Within the timeout the reply is only late, not lost.
    ctx.chain.startFault({ kind: 'replyLatency', module: 1, extraMs: 30 });
    expect((await tryRead(ctx, 1)).ok).toBe(true);
    ctx.chain.stopFault('replyLatency:1');
    expect((await tryRead(ctx, 1)).ok).toBe(true);
  });

  it('sensor faults arrive as readable (implausible) values, never as link errors', async () => {
    const ctx = await ready(1);
    ctx.chain.startFault({ kind: 'openThermistor', module: 1, thermistor: 1 });
    ctx.chain.startFault({ kind: 'stuckCell', module: 1, cell: 2, voltageV: 0.1 });
    ctx.chain.startFault({ kind: 'brokenSenseWire', module: 1 });
    await ctx.run(ctx.bus.broadcastRegister(Register.ADC_CONTROL, 0x3d));
    await ctx.run(ctx.bus.broadcastRegister(Register.IO_CONTROL, 0x03));
    await ctx.run(ctx.bus.broadcastRegister(Register.ADC_CONVERT, 1));
    const read = await readModule(ctx.bus, ctx.run, 1);
    expect(read.temperaturesC[0]).toBeLessThan(-40);
    expect(read.cellsV[1]).toBeCloseTo(0.1, 3);
    expect(read.gpaiV).toBe(0);
  });
});
