import { ManualClock } from '@tsbms/hal';
import { RecordingLink } from '@tsbms/hal/testing';
import { TeslaBus } from './bus';
import { cellVoltageToRaw, gpaiVoltageToRaw } from './conversions';
import { Register } from './registers';
import { PackScanner, type ScanOptions } from './scan';
import { createFakeModuleLoop, type FakeModule, type LoopTamper } from './testing/fake-module-loop';

/** Modules after setup: latched AR/POR cleared, so DEVICE_STATUS shows neither ALERT nor FAULT. */
function healthy(modules: readonly FakeModule[]): void {
  for (const m of modules) {
    m.registers[Register.ALERT_STATUS] = 0;
    m.registers[Register.FAULT_STATUS] = 0;
  }
}

function setup(count: number, options: Partial<ScanOptions> & { tamper?: LoopTamper } = {}) {
  const clock = new ManualClock();
  const loop = createFakeModuleLoop(clock, count, { tamper: options.tamper });
  healthy(loop.modules);
  const link = new RecordingLink(loop.link);
  const bus = new TeslaBus(link, { clock });
  const scanner = new PackScanner(bus, { clock, ...options });
  const addresses = loop.modules.map((_, i) => i + 1);
  const scan = async (masks?: ReadonlyMap<number, number>, addrs = addresses) => {
    let done = false;
    const result = scanner.scanPack(addrs, masks).finally(() => (done = true));
    result.catch(() => undefined); // observed below; keeps the rejection handled while time runs
    for (let i = 0; i < 1000 && !done; i++) await clock.advanceByMs(1);
    expect(done).toBe(true);
    return result;
  };
  return {
    clock,
    link,
    scripted: loop.link,
    modules: loop.modules,
    bus,
    scanner,
    scan,
    addresses,
  };
}

describe('PackScanner.scanPack', () => {
  it('decodes every module into SI values and status bits', async () => {
    const { modules, scan } = setup(2);
    modules[0].setMeasurements([3.3, 3.4, 3.5, 3.6, 3.7, 4.1], [25, 30]);
    modules[1].registers[Register.DEVICE_STATUS] = 0x02; // CBT
    const reading = await scan();
    expect(reading.timestampMs).toBe(1); // convert at 0, reads after the 1 ms wait, replies at once
    expect(reading.modules).toHaveLength(2);
    const [first, second] = reading.modules;
    expect(first).toMatchObject({
      address: 1,
      commsOk: true,
      implausible: [],
      hardwareFlags: [],
      balanceTimerRunning: false,
    });
    [3.3, 3.4, 3.5, 3.6, 3.7, 4.1].forEach((v, i) => expect(first.cellVoltagesV[i]).toBeCloseTo(v, 3));
    expect(first.temperaturesC[0]).toBeCloseTo(25, 1);
    expect(first.temperaturesC[1]).toBeCloseTo(30, 1);
    expect(first.moduleVoltageV).toBeCloseTo(21.6, 2);
    expect(second).toMatchObject({
      address: 2,
      commsOk: true,
      balanceTimerRunning: true,
    });
    expect(Object.isFrozen(reading) && Object.isFrozen(first) && Object.isFrozen(first.cellVoltagesV)).toBe(
      true,
    );
  });

  it('broadcasts ADC_CONVERT, waits at least 1 ms on the clock, then reads 0x00..0x12 once per module (T-19)', async () => {
    const { clock, link, addresses, scanner } = setup(2);
    const pending = scanner.scanPack(addresses);
    await clock.flush();
    expect(link.writes.map((w) => Array.from(w))).toEqual([[0x7f, 0x34, 0x01, 0x8a]]);
    await clock.advanceByMs(1);
    expect(link.writes.map((w) => Array.from(w))).toEqual([
      [0x7f, 0x34, 0x01, 0x8a],
      [0x02, 0x00, 0x13, 0xaf],
      [0x04, 0x00, 0x13, 0xd2],
    ]);
    await clock.advanceByMs(1);
    await expect(pending).resolves.toMatchObject({
      modules: [{ commsOk: true }, { commsOk: true }],
    });
  });

  describe('scan efficiency: 8 + 27·N bytes written + read without balancing', () => {
    it.each([
      [1, 35],
      [16, 440],
      [62, 1682],
    ])('N = %i costs %i bytes', async (count, bytes) => {
      const { link, bus, scan } = setup(count);
      const reading = await scan();
      expect(reading.modules.every((m) => m.commsOk)).toBe(true);
      expect(link.bytesWritten + link.bytesReceived).toBe(8 + 27 * count);
      expect(link.bytesWritten + link.bytesReceived).toBe(bytes);
      expect(bus.stats.bytesSent + bus.stats.bytesReceived).toBe(bytes);
      expect(link.writes).toHaveLength(1 + count);
    });
  });

  it('reads 0x20..0x23 as well when FAULT or ALERT is set, and decodes the bits and cells (T-20)', async () => {
    const { modules, scan, link } = setup(2);
    modules[1].registers[Register.ALERT_STATUS] = 0x80 | 0x01; // AR, OT1
    modules[1].registers[Register.FAULT_STATUS] = 0x08 | 0x01; // POR, COV
    modules[1].registers[Register.COV_FAULT] = 0b100100; // cells 3 and 6
    modules[1].registers[Register.CUV_FAULT] = 0b000001;
    modules[1].registers[Register.DEVICE_STATUS] = 0x04; // UVLO
    const reading = await scan();
    expect(reading.modules[0].hardwareFlags).toEqual([]);
    expect(reading.modules[1]).toMatchObject({
      commsOk: true,
      hardwareFlags: ['COV', 'OT1', 'UVLO', 'POR', 'AR'],
      overVoltageCells: [2, 5],
      underVoltageCells: [0],
    });
    expect(link.bytesWritten + link.bytesReceived).toBe(8 + 27 * 2 + 12);
  });

  it('rejects implausible values, counts them per module and quantity, and never clamps or zeroes (T-13)', async () => {
    const { modules, scan, scanner } = setup(3);
    modules[0].setMeasurements([3.7, 3.7, 5.31, 3.7, 3.7, 3.7], [25, 25]);
    modules[1].setMeasurements([3.7, 3.7, 3.7, 3.7, 3.7, 3.7], [25, 25], 6 * 3.7 - 3.7); // broken sense wire
    modules[2].store16(Register.VCELL1, 0x8000 | cellVoltageToRaw(3.7));
    modules[2].store16(Register.TEMPERATURE2, 3); // open thermistor
    const reading = await scan();
    const [a, b, c] = reading.modules;
    expect(a.cellVoltagesV[2]).toBeNull();
    expect(a.cellVoltagesV.filter((v) => v !== null)).toHaveLength(5);
    expect(a.moduleVoltageV).toBeNull(); // nothing to cross-check GPAI against
    expect(a.implausible).toEqual([
      {
        quantity: 'cellVoltage',
        index: 2,
        raw: cellVoltageToRaw(5.31),
        reason: 'cell voltage 5.31 V outside 0.5..5.0 V',
      },
    ]);
    expect(b.cellVoltagesV.every((v) => v !== null)).toBe(true);
    expect(b.moduleVoltageV).toBeNull();
    expect(b.implausible).toEqual([
      expect.objectContaining({
        quantity: 'moduleVoltage',
        index: 0,
        raw: gpaiVoltageToRaw(18.5),
        reason: expect.stringContaining('differs from cell sum'),
      }),
    ]);
    expect(c.implausible).toEqual([
      expect.objectContaining({
        quantity: 'cellVoltage',
        index: 0,
        reason: 'bit 15 set',
      }),
      expect.objectContaining({ quantity: 'temperature', index: 1, raw: 3 }),
    ]);
    expect(c.temperaturesC[1]).toBeNull();
    expect(c.commsOk).toBe(true);
    await scan();
    expect(scanner.stats.perModule[1].implausible).toEqual({
      cellVoltage: 2,
      temperature: 0,
      moduleVoltage: 0,
    });
    expect(scanner.stats.perModule[2].implausible).toEqual({
      cellVoltage: 0,
      temperature: 0,
      moduleVoltage: 2,
    });
    expect(scanner.stats.perModule[3].implausible).toEqual({
      cellVoltage: 2,
      temperature: 2,
      moduleVoltage: 0,
    });
  });

  it('marks a module that does not answer as commsOk false with nulls; the others are read', async () => {
    const { scan, scanner } = setup(2);
    const reading = await scan(undefined, [1, 2, 3]);
    expect(reading.modules.map((m) => m.commsOk)).toEqual([true, true, false]);
    expect(reading.modules[2]).toEqual({
      address: 3,
      commsOk: false,
      cellVoltagesV: [null, null, null, null, null, null],
      temperaturesC: [null, null],
      moduleVoltageV: null,
      implausible: [],
      hardwareFlags: [],
      overVoltageCells: [],
      underVoltageCells: [],
      balanceTimerRunning: false,
    });
    expect(scanner.stats.perModule[3].failedReads).toBe(1);
  });

  it('treats a clear DRDY as a failed read unless the check is switched off', async () => {
    const checked = setup(1);
    checked.modules[0].dataReady = false;
    const refused = await checked.scan();
    expect(refused.modules[0]).toMatchObject({
      commsOk: false,
      cellVoltagesV: [null, null, null, null, null, null],
    });
    expect(checked.scanner.stats.perModule[1]).toMatchObject({
      dataNotReady: 1,
      failedReads: 1,
    });

    const unchecked = setup(1, { requireDataReady: false });
    unchecked.modules[0].dataReady = false;
    const accepted = await unchecked.scan();
    expect(accepted.modules[0].commsOk).toBe(true);
    expect(accepted.modules[0].cellVoltagesV[0]).toBeCloseTo(3.7, 3);
  });

  it('with balancing: stops the FETs, settles 50 ms, converts, reads, then re-applies non-zero masks (T-22)', async () => {
    const { clock, link, scanner, addresses, modules } = setup(2);
    const masks = new Map([
      [1, 0b000101],
      [2, 0],
    ]);
    const pending = scanner.scanPack(addresses, masks);
    await clock.flush();
    expect(link.writes.map((w) => Array.from(w))).toEqual([[0x7f, 0x32, 0x00, 0xf3]]);
    await clock.advanceByMs(49);
    expect(link.writes).toHaveLength(1);
    await clock.advanceByMs(1);
    expect(link.writes).toHaveLength(2);
    await clock.advanceByMs(10);
    await pending;
    const wire = link.writes.map((w) => Array.from(w));
    expect(wire[1]).toEqual([0x7f, 0x34, 0x01, 0x8a]);
    expect(wire.slice(4)).toEqual([[0x03, 0x32, 0x05, expect.any(Number)]]);
    expect(modules[0].registers[Register.CB_CTRL]).toBe(0b101);
    expect(modules[1].registers[Register.CB_CTRL]).toBe(0);
  });

  it('with every module balancing, costs 16 + 35·N bytes (spec table, N = 2: 86 B)', async () => {
    const { scan, link } = setup(2);
    await scan(
      new Map([
        [1, 1],
        [2, 0x20],
      ]),
    );
    expect(link.bytesWritten + link.bytesReceived).toBe(86);
  });

  it('reads nothing when the broadcast convert fails: every module is commsOk false', async () => {
    const { scan, scanner, link } = setup(2, {
      tamper: (w, reply) => (w[0] === 0x7f ? [0x7f, 0x34, 0x00, 0x8a] : reply),
    });
    const reading = await scan();
    expect(reading.modules.map((m) => m.commsOk)).toEqual([false, false]);
    expect(scanner.stats.broadcastFailures).toBe(1);
    expect(link.writes.every((w) => w[0] === 0x7f)).toBe(true);
  });

  it('throws LINK_CLOSED when the link is gone', async () => {
    const { scan, scripted } = setup(1);
    scripted.disconnect();
    await expect(scan()).rejects.toMatchObject({ code: 'LINK_CLOSED' });
  });
});
