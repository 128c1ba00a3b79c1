import { ManualClock } from '../../manual-clock';
import { LinkError, type LinkEvent } from '../../byte-link';
import { byteLinkContract } from '..';
import { createMemoryLinkPair } from './memory-link';

describe('createMemoryLinkPair', () => {
  it('delivers what one end writes to the other, asynchronously after the latency', async () => {
    const clock = new ManualClock();
    const { a, b } = createMemoryLinkPair({ clock, latencyMs: 2 });
    const atB: number[][] = [];
    const atA: number[][] = [];
    b.data$.subscribe((chunk) => atB.push(Array.from(chunk)));
    a.data$.subscribe((chunk) => atA.push(Array.from(chunk)));
    const buffer = Uint8Array.from([1, 2, 3]);
    await a.write(buffer);
    buffer[0] = 99; // the writer reuses its buffer: what was sent must not change
    await b.write(Uint8Array.from([7]));
    expect(atB).toEqual([]);
    await clock.advanceByMs(1);
    expect(atB).toEqual([]);
    await clock.advanceByMs(1);
    expect(atB).toEqual([[1, 2, 3]]);
    expect(atA).toEqual([[7]]);
    expect(a.bytesWritten).toBe(3);
    expect(b.bytesReceived).toBe(3);
  });

  it('splits writes into chunks when asked', async () => {
    const clock = new ManualClock();
    const { a, b } = createMemoryLinkPair({ clock, maxChunkBytes: 2 });
    const chunks: number[][] = [];
    b.data$.subscribe((chunk) => chunks.push(Array.from(chunk)));
    await a.write(Uint8Array.from([1, 2, 3, 4, 5]));
    await clock.flush();
    expect(chunks).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('closing one end leaves the other open; what it writes then is lost', async () => {
    const clock = new ManualClock();
    const { a, b } = createMemoryLinkPair({ clock, latencyMs: 5 });
    const eventsA: LinkEvent['type'][] = [];
    let completedA = false;
    a.events$.subscribe({ next: (e) => eventsA.push(e.type), complete: () => (completedA = true) });
    await a.write(Uint8Array.from([1]));
    await a.close();
    await a.close(); // idempotent
    await b.write(Uint8Array.from([2]));
    await clock.advanceByMs(10);
    expect(eventsA).toEqual(['open', 'close']);
    expect(completedA).toBe(true);
    expect(a.isOpen).toBe(false);
    expect(b.isOpen).toBe(true);
    expect(b.bytesReceived).toBe(1);
    expect(a.bytesReceived).toBe(0);
    await expect(a.write(Uint8Array.from([1]))).rejects.toBeInstanceOf(LinkError);
  });

  it('disconnect() closes both ends and loses deliveries in flight; data$ completes, events$ stays open', async () => {
    const clock = new ManualClock();
    const { a, b, disconnect } = createMemoryLinkPair({ clock, latencyMs: 5 });
    const eventsB: LinkEvent[] = [];
    let dataCompleted = false;
    let eventsCompleted = false;
    const received: number[] = [];
    b.events$.subscribe({ next: (e) => eventsB.push(e), complete: () => (eventsCompleted = true) });
    b.data$.subscribe({ next: (c) => received.push(...c), complete: () => (dataCompleted = true) });
    await a.write(Uint8Array.from([1]));
    disconnect();
    await clock.advanceByMs(10);
    expect(received).toEqual([]);
    expect(eventsB).toEqual([{ type: 'open' }, { type: 'close', reason: 'device lost' }]);
    expect([dataCompleted, eventsCompleted]).toEqual([true, false]);
    expect([a.isOpen, b.isOpen]).toEqual([false, false]);
    await expect(b.write(Uint8Array.from([1]))).rejects.toMatchObject({ code: 'LINK_CLOSED' });
  });
});

byteLinkContract('createMemoryLinkPair (system clock)', () => {
  const { a, b, disconnect } = createMemoryLinkPair();
  return Promise.resolve({
    a,
    b,
    disconnect: () => Promise.resolve(disconnect()),
    teardown: async () => {
      await a.close();
      await b.close();
    },
  });
});
