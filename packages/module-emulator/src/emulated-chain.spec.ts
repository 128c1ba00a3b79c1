import { ManualClock } from '@tsbms/hal';
import { cellVoltageFromRaw, gpaiVoltageFromRaw, temperatureFromRaw } from '@tsbms/tesla-protocol';
import { EmulatedChain } from './emulated-chain';
import { RawHost, hex, readFrame, withCrc, writeFrame } from './spec-support/raw-host';

const be16 = (data: number[], offset: number) => (data[offset] << 8) | data[offset + 1];

function setup(modules: number, extra: Partial<ConstructorParameters<typeof EmulatedChain>[0]> = {}) {
  const clock = new ManualClock();
  const chain = new EmulatedChain({ clock, modules, seed: 5, ...extra });
  return { clock, chain, host: new RawHost(chain, clock) };
}

describe('EmulatedChain on the wire', () => {
  it('answers the spec examples: reset echo, bit-7 replies at address 0, assignment', async () => {
    const { host } = setup(1);
    expect(hex(await host.transact([0x7f, 0x3c, 0xa5, 0x57], 110))).toBe('7f 3c a5 57');
    // DEVICE_STATUS of an unaddressed module just after reset: 0x61, reply 80 00 01 61 35
    expect(hex(await host.transact([0x00, 0x00, 0x01, 0x07]))).toBe('80 00 01 61 35');
    expect(hex(await host.transact([0x01, 0x3b, 0x81, 0x8b]))).toBe('81 3b 81 8b');
    expect(hex(await host.transact(readFrame(1, 0x3b, 1)))).toBe('02 3b 01 81 ba');
    // nobody is at address 0 any more: the request comes back unchanged
    expect(hex(await host.transact([0x00, 0x00, 0x01, 0x07]))).toBe('00 00 01 07');
  });

  it('serves the seed project sequence with a CRC read and with a 3-byte read', async () => {
    const { host, chain } = setup(1, {
      cellVoltagesV: [3.35, 3.6, 4.1, 3.81, 3.2, 3.7],
      temperaturesC: [25, 30],
    });
    await host.assignAddresses(1);
    expect(hex(await host.transact(writeFrame(1, 0x30, 0x3d)))).toBe('03 30 3d f7');
    expect(hex(await host.transact(writeFrame(1, 0x31, 0x03)))).toBe('03 31 03 58');
    expect(hex(await host.transact(writeFrame(1, 0x34, 0x01)))).toBe('03 34 01 17');
    const data = await host.read(1, 0x00, 0x13);
    const snap = chain.snapshot().modules[0];
    expect(data[0] & 0x01).toBe(1); // DRDY
    const cells = [0, 1, 2, 3, 4, 5].map((i) => cellVoltageFromRaw(be16(data, 3 + 2 * i)));
    cells.forEach((v, i) =>
      expect(Math.abs(v - snap.cells[i].voltageV)).toBeLessThanOrEqual(6.25 / 16383 / 2 + 1e-12),
    );
    expect(cells[0]).toBeCloseTo(3.35, 3);
    expect(gpaiVoltageFromRaw(be16(data, 1))).toBeCloseTo(snap.moduleVoltageV, 2);
    expect(temperatureFromRaw(be16(data, 15))).toBeCloseTo(25, 1);
    expect(temperatureFromRaw(be16(data, 17))).toBeCloseTo(30, 1);

    // the same read without CRC: answered once the 2 ms gap has passed, not before
    await host.transact([0x02, 0x00, 0x13], 1.9);
    const late = await host.transact([], 0.2);
    expect(late.length).toBe(0x13 + 4);
    expect(late.slice(3, -1)).toEqual(data);
  });

  it('returns a request to an absent address unchanged and forwards foreign frames', async () => {
    const { host } = setup(2);
    await host.assignAddresses(2);
    expect(hex(await host.transact(readFrame(5, 0, 1)))).toBe(hex(readFrame(5, 0, 1)));
    expect(hex(await host.transact(writeFrame(9, 0x32, 1)))).toBe(hex(writeFrame(9, 0x32, 1)));
    expect((await host.read(2, 0x3b, 1))[0]).toBe(0x82);
  });

  it('lets the first unaddressed module block address-0 traffic, so addresses follow chain order', async () => {
    const { host, chain } = setup(3);
    await host.assignAddresses(3);
    expect(chain.snapshot().modules.map((m) => m.address)).toEqual([1, 2, 3]);
  });

  it('executes a broadcast write in every module and returns one echo', async () => {
    const { host, chain } = setup(3);
    await host.assignAddresses(3);
    expect(hex(await host.transact(withCrc(0x7f, 0x30, 0x3d)))).toBe('7f 30 3d 6a');
    expect(chain.snapshot().modules.map((m) => m.registers[0x30])).toEqual([0x3d, 0x3d, 0x3d]);
  });

  it('does not execute or answer a frame with a bad CRC and sets FAULT_STATUS[CRC]', async () => {
    const { host, chain } = setup(2);
    await host.assignAddresses(2);
    await host.write(1, 0x21, 0x08);
    await host.write(1, 0x21, 0x00); // POR cleared
    expect(await host.transact([0x03, 0x30, 0x3d, 0x00])).toEqual([]);
    const m1 = chain.snapshot().modules[0];
    expect(m1.registers[0x30]).toBe(0);
    expect(m1.registers[0x21] & 0x04).toBe(0x04);
    expect(m1.registers[0x00] & 0x40).toBe(0x40);
    // a broadcast with a bad CRC is not executed either, and gets no echo
    expect(await host.transact([0x7f, 0x30, 0x3d, 0x00])).toEqual([]);
    expect(chain.snapshot().modules.map((m) => m.registers[0x30])).toEqual([0, 0]);
    // clearing: 1 then 0
    await host.write(1, 0x21, 0x04);
    await host.write(1, 0x21, 0x00);
    expect((await host.read(1, 0x21, 1))[0]).toBe(0);
  });

  it('delivers replies asynchronously, in chunks no larger than maxChunkBytes', async () => {
    const { host, chain, clock } = setup(1, { maxChunkBytes: 8 });
    await host.assignAddresses(1);
    let sync = 0;
    const sub = chain.link.data$.subscribe(() => sync++);
    await chain.link.write(readFrame(1, 0, 0x13));
    expect(sync).toBe(0);
    host.chunks.length = 0;
    await clock.advanceByMs(5);
    sub.unsubscribe();
    expect(host.chunks.map((c) => c.length)).toEqual([8, 8, 7]);
  });

  it('paces bytes at the baud rate plus one hop delay per module', async () => {
    const { chain, clock } = setup(4, { wireTiming: { baud: 612_500, hopDelayUs: 5 } });
    const host = new RawHost(chain, clock);
    await host.assignAddresses(4);
    const arrivals: number[] = [];
    chain.link.data$.subscribe(() => arrivals.push(clock.now()));
    const start = clock.now();
    await chain.link.write(readFrame(4, 0, 0x13));
    await clock.advanceByMs(10);
    const byteMs = 10 / 612.5;
    // 4 request bytes in, 4 hops, 23 reply bytes out
    expect(arrivals[arrivals.length - 1] - start).toBeCloseTo(4 * byteMs + 4 * 0.005 + 23 * byteMs, 9);
  });

  it('rejects writes once the link is closed and stops delivering', async () => {
    const { chain } = setup(1);
    await chain.close();
    expect(chain.link.isOpen).toBe(false);
    await expect(chain.link.write(Uint8Array.of(1))).rejects.toMatchObject({ code: 'LINK_CLOSED' });
  });
});
