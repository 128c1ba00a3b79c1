import { ManualClock } from '../../manual-clock';
import { canBusContract } from '..';
import { MemoryCanBus } from './memory-can-bus';

describe('MemoryCanBus', () => {
  it('delivers a frame to every other node after the latency, on the clock, and logs the wire', async () => {
    const clock = new ManualClock();
    const bus = new MemoryCanBus({ clock, latencyMs: 2 });
    const [a, b, c] = [bus.attach(), bus.attach(), bus.attach()];
    const seen: string[] = [];
    for (const [name, node] of [
      ['a', a],
      ['b', b],
      ['c', c],
    ] as const) {
      node.frames$.subscribe((frame) => seen.push(`${name}:${frame.id.toString(16)}`));
    }
    await a.send({ id: 0x351, data: Uint8Array.of(1) });
    await clock.advanceByMs(1);
    expect(seen).toEqual([]);
    await clock.advanceByMs(1);
    expect(seen).toEqual(['b:351', 'c:351']);
    expect(bus.framesOnWire).toEqual([{ id: 0x351, data: Uint8Array.of(1) }]);
  });

  it('refuses ids above 0x3FF by default (V-1), and sends up to maxSendId on a bus without a GX', async () => {
    const clock = new ManualClock();
    const guarded = new MemoryCanBus({ clock }).attach();
    await expect(guarded.send({ id: 0x521, data: new Uint8Array(6) })).rejects.toMatchObject({
      code: 'INVALID_FRAME',
      context: { canId: 0x521 },
    });
    const shuntBus = new MemoryCanBus({ clock, maxSendId: 0x7ff });
    const [shunt, bms] = [shuntBus.attach(), shuntBus.attach()];
    const seen: number[] = [];
    bms.frames$.subscribe((frame) => seen.push(frame.id));
    await shunt.send({ id: 0x521, data: new Uint8Array(6) });
    await clock.advanceByMs(0);
    expect(seen).toEqual([0x521]);
    expect(() => new MemoryCanBus({ maxSendId: 0x800 })).toThrow(RangeError);
  });

  it('fails sends on request with SEND_FAILED, also reported on events$, and reports errors', async () => {
    const bus = new MemoryCanBus({ clock: new ManualClock() });
    const node = bus.attach();
    const events: string[] = [];
    node.events$.subscribe((event) => events.push(event.type === 'error' ? event.error.message : event.type));
    node.failSends(true);
    await expect(node.send({ id: 0x351, data: new Uint8Array(0) })).rejects.toMatchObject({
      code: 'SEND_FAILED',
    });
    node.failSends(false);
    await node.send({ id: 0x351, data: new Uint8Array(0) });
    node.emitError(new Error('bus-off'));
    expect(events).toEqual(['fake CAN node: transmit queue full', 'bus-off']);
    expect(bus.framesOnWire).toHaveLength(1);
  });

  it('loses frames still in flight to a node that closes', async () => {
    const clock = new ManualClock();
    const bus = new MemoryCanBus({ clock, latencyMs: 5 });
    const [a, b] = [bus.attach(), bus.attach()];
    const received: number[] = [];
    b.frames$.subscribe((frame) => received.push(frame.id));
    await a.send({ id: 0x351, data: new Uint8Array(0) });
    await b.close();
    await clock.advanceByMs(10);
    expect(received).toEqual([]);
  });
});

canBusContract('MemoryCanBus (system clock)', () => {
  const bus = new MemoryCanBus();
  const [a, b] = [bus.attach(), bus.attach()];
  return Promise.resolve({
    a,
    b,
    teardown: async () => {
      await a.close();
      await b.close();
    },
  });
});
