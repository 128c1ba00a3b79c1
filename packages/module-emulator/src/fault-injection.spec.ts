import { ManualClock } from '@tsbms/hal';
import {
  Register,
  cellVoltageFromRaw,
  crc8,
  gpaiVoltageFromRaw,
  temperatureFromRaw,
} from '@tsbms/tesla-protocol';
import { EmulatedChain } from './emulated-chain';
import { RawHost, hex, readFrame, writeFrame } from './spec-support/raw-host';

const be16 = (data: number[], offset: number) => (data[offset] << 8) | data[offset + 1];
/** Control and configuration registers: what a bad frame must never change. */
const controlRegisters = (chain: EmulatedChain) =>
  chain.snapshot().modules.map((m) => m.registers.slice(0x30, 0x50));

async function addressedChain(
  modules = 2,
  options: Partial<ConstructorParameters<typeof EmulatedChain>[0]> = {},
) {
  const clock = new ManualClock();
  const chain = new EmulatedChain({ clock, modules, seed: 21, cellVoltagesV: [3.8], ...options });
  const host = new RawHost(chain, clock);
  await host.assignAddresses(modules);
  for (let m = 1; m <= modules; m++) {
    await host.write(m, Register.ALERT_STATUS, 0x80);
    await host.write(m, Register.ALERT_STATUS, 0x00);
    await host.write(m, Register.FAULT_STATUS, 0x08);
    await host.write(m, Register.FAULT_STATUS, 0x00);
  }
  await host.transact(writeFrame(0x3f, Register.ADC_CONTROL, 0x3d));
  await host.transact(writeFrame(0x3f, Register.IO_CONTROL, 0x03));
  return { clock, chain, host };
}

async function scanModule(host: RawHost, address: number) {
  await host.write(address, Register.ADC_CONVERT, 1);
  const data = await host.read(address, 0x00, 0x13);
  return {
    status: data[0],
    gpaiV: gpaiVoltageFromRaw(be16(data, 1)),
    cellsV: [0, 1, 2, 3, 4, 5].map((i) => cellVoltageFromRaw(be16(data, 3 + 2 * i))),
    temperaturesC: [temperatureFromRaw(be16(data, 15)), temperatureFromRaw(be16(data, 17))],
    raw: data,
  };
}

describe('line faults', () => {
  it('dropBytes toModules: the damaged write is dropped whole, nothing changes, the next one works', async () => {
    const { chain, host } = await addressedChain();
    const before = controlRegisters(chain);
    chain.startFault({ kind: 'dropBytes', direction: 'toModules', probability: 1, limit: 1 });
    expect(await host.transact(writeFrame(1, Register.CB_TIME, 0x05))).toEqual([]);
    expect(controlRegisters(chain)).toEqual(before);
    expect(chain.snapshot().line.framer.partialFramesDiscarded).toBe(1);
    expect(chain.snapshot().line.toModules.bytesDropped).toBe(1);
    expect(chain.activeFaults()).toEqual([]); // limit reached: switched itself off
    expect(hex(await host.transact(writeFrame(1, Register.CB_TIME, 0x05)))).toBe(
      hex(writeFrame(1, Register.CB_TIME, 0x05)),
    );
    expect(chain.snapshot().modules[0].registers[Register.CB_TIME]).toBe(0x05);
  });

  it('dropBytes toHost: the host gets a short reply; the module state is untouched', async () => {
    const { chain, host } = await addressedChain();
    const before = controlRegisters(chain);
    const key = chain.startFault({ kind: 'dropBytes', direction: 'toHost', probability: 0.3 });
    const reply = await host.transact(readFrame(1, 0, 0x13));
    expect(reply.length).toBeLessThan(23);
    chain.stopFault(key);
    expect(controlRegisters(chain)).toEqual(before);
    expect((await host.read(1, 0, 0x13)).length).toBe(0x13);
  });

  it('flipBits toModules: no corrupted frame is ever executed', async () => {
    const { chain, host } = await addressedChain();
    const before = controlRegisters(chain);
    const executed = chain.snapshot().modules.map((m) => m.counters.writesExecuted);
    chain.startFault({ kind: 'flipBits', direction: 'toModules', probability: 0.25 });
    for (let i = 0; i < 200; i++) {
      await host.transact(writeFrame(1 + (i % 2), Register.CB_TIME, i & 0x3f), 1);
    }
    chain.stopFault('flipBits:toModules');
    const snap = chain.snapshot();
    expect(snap.line.toModules.bitsFlipped).toBeGreaterThan(100);
    // every write whose bits survived was executed; only those changed CB_TIME
    const executedNow = snap.modules.map((m) => m.counters.writesExecuted);
    expect(executedNow[0] + executedNow[1] - executed[0] - executed[1]).toBeLessThan(200);
    expect(snap.modules.map((m) => m.counters.crcErrors).reduce((a, b) => a + b)).toBeGreaterThan(0);
    const after = controlRegisters(chain);
    after.forEach((regs, m) => {
      regs.forEach((value, i) => {
        if (i + 0x30 !== Register.CB_TIME) expect(value).toBe(before[m][i]);
      });
    });
    expect(hex(await host.write(1, Register.CB_TIME, 7))).toBe(hex(writeFrame(1, Register.CB_TIME, 7)));
  });

  it('flipBits toHost: the host sees a bad CRC; the module state is untouched', async () => {
    const { chain, host } = await addressedChain();
    const before = controlRegisters(chain);
    chain.startFault({ kind: 'flipBits', direction: 'toHost', probability: 1, limit: 1 });
    const reply = await host.transact(readFrame(1, 0x40, 8));
    expect(reply.length).toBe(12);
    const crcOk =
      crc8(reply.slice(0, 11)) === reply[11] && reply[0] === 0x02 && reply[1] === 0x40 && reply[2] === 8;
    const dataOk = hex(reply.slice(3, 11)) === '10 80 31 81 08 81 66 ff';
    expect(crcOk && dataOk).toBe(false);
    expect(controlRegisters(chain)).toEqual(before);
    expect(await host.read(1, 0x40, 8)).toEqual([0x10, 0x80, 0x31, 0x81, 0x08, 0x81, 0x66, 0xff]);
  });

  it('garbageBurst toModules: bursts never change what valid frames did not change', async () => {
    const { chain, host, clock } = await addressedChain();
    const before = controlRegisters(chain);
    const writes = chain.snapshot().modules.map((m) => m.counters.writesExecuted);
    chain.startFault({ kind: 'garbageBurst', direction: 'toModules', lengthBytes: 16, intervalMs: 3 });
    await clock.advanceByMs(300);
    chain.stopFault('garbageBurst:toModules');
    await clock.advanceByMs(10);
    const snap = chain.snapshot();
    expect(snap.line.toModules.garbageBytesInjected).toBe(1600);
    snap.modules.forEach((m, i) => {
      if (m.counters.writesExecuted === writes[i]) expect(m.registers.slice(0x30, 0x50)).toEqual(before[i]);
    });
    // the loop is usable again once the line has been quiet for a gap
    expect((await host.read(2, Register.ADDRESS_CONTROL, 1))[0] & 0x3f).toBe(
      chain.snapshot().modules[1].address,
    );
  });

  it('garbageBurst toHost: the host receives noise; the modules see nothing', async () => {
    const { chain, clock, host } = await addressedChain();
    const before = chain.snapshot().modules.map((m) => m.registers);
    const got: number[] = [];
    const sub = chain.link.data$.subscribe((c) => got.push(...c));
    chain.startFault({ kind: 'garbageBurst', direction: 'toHost', lengthBytes: 5, intervalMs: 10 });
    await clock.advanceByMs(50);
    chain.stopFault('garbageBurst:toHost');
    sub.unsubscribe();
    expect(got.length).toBe(25);
    expect(chain.snapshot().modules.map((m) => m.registers)).toEqual(before);
    expect((await host.read(1, 0x3b, 1))[0]).toBe(0x81);
  });
});

describe('module faults', () => {
  it('silent: the loop goes quiet, the module keeps its state, and answers again when it comes back', async () => {
    const { chain, host } = await addressedChain(3);
    await host.write(2, Register.CB_TIME, 9);
    chain.startFault({ kind: 'silent', module: 2 });
    expect(await host.transact(readFrame(1, 0, 1))).toEqual([]); // module 1 answers, module 2 swallows
    expect(await host.transact(readFrame(3, 0, 1))).toEqual([]);
    expect(await host.transact(writeFrame(2, Register.CB_TIME, 1))).toEqual([]);
    chain.stopFault('silent:2');
    expect(await host.read(2, Register.CB_TIME, 1)).toEqual([9]);
    expect(await host.read(3, Register.ADDRESS_CONTROL, 1)).toEqual([0x83]);
  });

  it('powerCycle: off breaks the loop; on brings the module back at address 0 with POR and factory shadows', async () => {
    const { chain, host } = await addressedChain(3);
    await host.write(2, Register.SHDW_CTRL, 0x35);
    await host.write(2, Register.CONFIG_COV, 0x2c);
    expect(await host.read(2, Register.CONFIG_COV, 1)).toEqual([0x2c]);
    chain.startFault({ kind: 'powerCycle', module: 2 });
    expect(await host.transact(readFrame(3, 0, 1))).toEqual([]);
    chain.stopFault('powerCycle:2');
    const m2 = chain.snapshot().modules[1];
    expect(m2.address).toBe(0);
    expect(m2.registers[Register.CONFIG_COV]).toBe(0x31);
    expect(m2.registers[Register.FAULT_STATUS] & 0x08).toBe(0x08);
    expect(m2.registers[Register.ALERT_STATUS] & 0x80).toBe(0x80);
    expect(m2.counters.resets).toBeGreaterThan(0);
    // module 2 answers address 0; modules 1 and 3 are unaffected
    expect(hex(await host.transact([0x00, 0x00, 0x01, 0x07]))).toBe('80 00 01 61 35');
    expect(await host.read(3, Register.ADDRESS_CONTROL, 1)).toEqual([0x83]);
  });

  it('stuckCell: the reading stays put while the cell charges', async () => {
    const { chain, host } = await addressedChain(1);
    const first = await scanModule(host, 1);
    chain.startFault({ kind: 'stuckCell', module: 1, cell: 3 });
    chain.setCellVoltage(1, 3, 4.0);
    chain.setCellVoltage(1, 4, 4.0);
    const stuck = await scanModule(host, 1);
    expect(stuck.cellsV[2]).toBe(first.cellsV[2]);
    expect(stuck.cellsV[3]).toBeCloseTo(4.0, 3);
    chain.startFault({ kind: 'stuckCell', module: 1, cell: 3, voltageV: 5.5 });
    expect((await scanModule(host, 1)).cellsV[2]).toBeCloseTo(5.5, 3);
    chain.stopFault('stuckCell:1:3');
    expect((await scanModule(host, 1)).cellsV[2]).toBeCloseTo(4.0, 3);
  });

  it('cellDrift: the reading walks away at the given rate and trips the hardware COV', async () => {
    const { chain, host, clock } = await addressedChain(1);
    const start = await scanModule(host, 1);
    chain.startFault({ kind: 'cellDrift', module: 1, cell: 6, voltsPerHour: 1.0 });
    await clock.advanceByMs(360_000); // 0.1 h
    const drifted = await scanModule(host, 1);
    expect(drifted.cellsV[5] - start.cellsV[5]).toBeCloseTo(0.1, 2);
    expect(drifted.cellsV[0]).toBeCloseTo(start.cellsV[0], 3);
    // 3.8 V + 1 V/h passes the factory COV (4.45 V) after 39 min; allow the 100 ms delay
    await clock.advanceByMs(40 * 60_000);
    const status = await host.read(1, Register.FAULT_STATUS, 3);
    expect(status[0] & 0x01).toBe(0x01);
    expect(status[1]).toBe(0x20);
    chain.stopFault('cellDrift:1:6');
    expect((await scanModule(host, 1)).cellsV[5]).toBeCloseTo(start.cellsV[5], 2);
  });

  it('openThermistor and shortedThermistor: raw near 0 and full scale; a short trips OT', async () => {
    const { chain, host, clock } = await addressedChain(1);
    chain.startFault({ kind: 'openThermistor', module: 1, thermistor: 1 });
    chain.startFault({ kind: 'shortedThermistor', module: 1, thermistor: 2 });
    const scan = await scanModule(host, 1);
    expect(be16(scan.raw, 15)).toBe(0);
    expect(scan.temperaturesC[0]).toBeLessThan(-90);
    expect(be16(scan.raw, 17)).toBe(0x3fff);
    expect(scan.temperaturesC[1]).toBeGreaterThan(150);
    await clock.advanceByMs(3000); // OTT 2.55 s
    expect((await host.read(1, Register.ALERT_STATUS, 1))[0] & 0x03).toBe(0x02);
    chain.stopFault('openThermistor:1:1');
    chain.stopFault('shortedThermistor:1:2');
    const healed = await scanModule(host, 1);
    expect(healed.temperaturesC[0]).toBeCloseTo(25, 0);
    expect(healed.temperaturesC[1]).toBeCloseTo(25, 0);
  });

  it('brokenSenseWire: GPAI no longer matches the cell sum', async () => {
    const { chain, host } = await addressedChain(1);
    const healthy = await scanModule(host, 1);
    expect(healthy.gpaiV).toBeCloseTo(
      healthy.cellsV.reduce((a, b) => a + b),
      1,
    );
    chain.startFault({ kind: 'brokenSenseWire', module: 1, gpaiV: 12 });
    const broken = await scanModule(host, 1);
    expect(broken.gpaiV).toBeCloseTo(12, 2);
    expect(broken.cellsV).toEqual(healthy.cellsV);
    chain.startFault({ kind: 'brokenSenseWire', module: 1 });
    expect((await scanModule(host, 1)).gpaiV).toBe(0);
  });

  it('replyLatency: the module answers later by the given time', async () => {
    const { chain, clock } = await addressedChain(2);
    const arrival = async () => {
      const start = clock.now();
      let at = -1;
      const sub = chain.link.data$.subscribe(() => (at = clock.now() - start));
      await chain.link.write(readFrame(2, 0, 1));
      for (let i = 0; i < 100 && at < 0; i++) await clock.advanceByMs(1);
      sub.unsubscribe();
      return at;
    };
    expect(await arrival()).toBe(0);
    chain.startFault({ kind: 'replyLatency', module: 2, extraMs: 40 });
    expect(await arrival()).toBe(40);
  });
});

describe('board faults', () => {
  it('noProtectedRegisters: requests touching registers above 0x3C vanish, all others are answered', async () => {
    const { chain, host } = await addressedChain(3);
    const key = chain.startFault({ kind: 'noProtectedRegisters', module: 2 });
    expect(key).toBe('noProtectedRegisters:2');
    const unlockEcho = hex(writeFrame(2, Register.SHDW_CTRL, 0x35));
    expect(hex(await host.write(2, Register.SHDW_CTRL, 0x35))).toBe(unlockEcho);
    expect(await host.write(2, Register.CONFIG_COV, 0x2c)).toEqual([]); // consumed: not even passed on
    expect(await host.transact(readFrame(2, Register.CONFIG_COV, 1))).toEqual([]);
    expect(await host.transact(readFrame(2, Register.RESET, 2))).toEqual([]); // runs on into 0x3D
    expect(await host.transact(writeFrame(2, Register.TEST_SELECT, 0))).toEqual([]);
    expect(await host.read(2, Register.RESET, 1)).toEqual([0]); // 0x3C itself is implemented
    expect(await host.read(2, 0x00, 0x13)).toHaveLength(0x13);
    expect(await host.read(2, Register.ALERT_STATUS, 4)).toHaveLength(4);
    // Its neighbours still have the whole map.
    expect(await host.read(1, Register.CONFIG_COV, 1)).toEqual([0x31]);
    await host.write(3, Register.SHDW_CTRL, 0x35);
    await host.write(3, Register.CONFIG_COV, 0x2c);
    expect(await host.read(3, Register.CONFIG_COV, 1)).toEqual([0x2c]);
    const snap = chain.snapshot();
    expect(snap.modules.map((m) => m.unimplementedRequests)).toEqual([0, 4, 0]);
    expect(snap.modules[1].registers[Register.CONFIG_COV]).toBe(0x31); // never reached the chip
    expect(snap.modules[1].counters.testSelectWrites).toBe(0);
    // A broadcast touching them passes the module by: the others execute it, one echo returns.
    const writes = () => chain.snapshot().modules.map((m) => m.counters.writesExecuted);
    const writesBefore = writes();
    expect(hex(await host.transact(writeFrame(0x3f, Register.USER1, 0x5a)))).toBe(
      hex(writeFrame(0x3f, Register.USER1, 0x5a)),
    );
    expect(writes().map((n, i) => n - writesBefore[i])).toEqual([1, 0, 1]);
    expect(chain.snapshot().modules[1].unimplementedRequests).toBe(4);
    chain.stopFault(key);
    await host.write(2, Register.SHDW_CTRL, 0x35);
    expect(hex(await host.write(2, Register.CONFIG_COV, 0x2c))).toBe(
      hex(writeFrame(2, Register.CONFIG_COV, 0x2c)),
    );
    expect(await host.read(2, Register.CONFIG_COV, 1)).toEqual([0x2c]);
  });

  it("corruptReplies: only that module's replies carry flipped bits; its requests and state are intact", async () => {
    const { chain, host } = await addressedChain(3);
    const before = controlRegisters(chain);
    chain.startFault({ kind: 'corruptReplies', module: 2, probability: 0.2 });
    const valid = (address: number, reply: number[]) =>
      reply.length === 23 && reply[0] === address << 1 && crc8(reply.slice(0, 22)) === reply[22];
    const bad = [0, 0, 0];
    for (let i = 0; i < 60; i++) {
      const address = 1 + (i % 3);
      const reply = await host.transact(readFrame(address, 0, 0x13));
      expect(reply).toHaveLength(23); // a flipped bit, never a lost byte
      if (!valid(address, reply)) bad[address - 1]++;
    }
    expect(bad[0]).toBe(0);
    expect(bad[2]).toBe(0);
    expect(bad[1]).toBeGreaterThan(10);
    const snap = chain.snapshot();
    expect(snap.modules.map((m) => m.replyBitsFlipped > 0)).toEqual([false, true, false]);
    expect(snap.line.toHost.bitsFlipped + snap.line.toModules.bitsFlipped).toBe(0);
    expect(snap.modules.map((m) => m.counters.crcErrors)).toEqual([0, 0, 0]); // requests arrive intact
    expect(controlRegisters(chain)).toEqual(before);
    // With a limit it ends itself and disappears from the active faults.
    chain.startFault({ kind: 'corruptReplies', module: 2, probability: 1, limit: 3 });
    const damaged = await host.transact(readFrame(2, Register.CONFIG_COV, 1));
    expect(hex(damaged)).not.toBe(hex([0x04, 0x42, 0x01, 0x31, crc8([0x04, 0x42, 0x01, 0x31])]));
    expect(chain.activeFaults()).toEqual([]);
    expect(await host.read(2, Register.CONFIG_COV, 1)).toEqual([0x31]);
  });
});

describe('fault control errors', () => {
  it('rejects unknown faults and bad parameters with typed errors and changes nothing', async () => {
    const { chain } = await addressedChain(2);
    const before = JSON.stringify(chain.snapshot());
    const cases: [unknown, string][] = [
      [{ kind: 'meltdown' }, 'UNKNOWN_FAULT'],
      [null, 'UNKNOWN_FAULT'],
      [{ kind: 'silent', module: 3 }, 'UNKNOWN_MODULE'],
      [{ kind: 'silent', module: 'two' }, 'NOT_A_NUMBER'],
      [{ kind: 'stuckCell', module: 1, cell: 7 }, 'CELL_OUT_OF_RANGE'],
      [{ kind: 'openThermistor', module: 1, thermistor: 3 }, 'THERMISTOR_OUT_OF_RANGE'],
      [{ kind: 'dropBytes', direction: 'sideways', probability: 1 }, 'VALUE_OUT_OF_RANGE'],
      [{ kind: 'dropBytes', direction: 'toHost', probability: 2 }, 'VALUE_OUT_OF_RANGE'],
      [{ kind: 'cellDrift', module: 1, cell: 1, voltsPerHour: 'fast' }, 'NOT_A_NUMBER'],
      [{ kind: 'noProtectedRegisters', module: 0 }, 'UNKNOWN_MODULE'],
      [{ kind: 'corruptReplies', module: 3, probability: 0.5 }, 'UNKNOWN_MODULE'],
      [{ kind: 'corruptReplies', module: 1, probability: 1.5 }, 'VALUE_OUT_OF_RANGE'],
      [{ kind: 'corruptReplies', module: 1, probability: 0.5, limit: 0 }, 'VALUE_OUT_OF_RANGE'],
    ];
    for (const [input, code] of cases) {
      expect(() => chain.startFault(input)).toThrow(expect.objectContaining({ name: 'EmulatorError', code }));
    }
    expect(() => chain.stopFault('silent:1')).toThrow(expect.objectContaining({ code: 'UNKNOWN_FAULT' }));
    expect(JSON.stringify(chain.snapshot())).toBe(before);
  });
});
