import { ManualClock } from '../manual-clock';
import { LinkError, type LinkEvent } from '../byte-link';
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

  it('closing one end closes both: events, completed streams, rejected writes, lost deliveries', async () => {
    const clock = new ManualClock();
    const { a, b } = createMemoryLinkPair({ clock, latencyMs: 5 });
    const eventsB: LinkEvent['type'][] = [];
    let completed = false;
    const received: number[] = [];
    b.events$.subscribe((e) => eventsB.push(e.type));
    b.data$.subscribe({
      next: (c) => received.push(...c),
      complete: () => (completed = true),
    });
    await a.write(Uint8Array.from([1]));
    await a.close();
    await clock.advanceByMs(10);
    expect(received).toEqual([]);
    expect(eventsB).toEqual(['open', 'close']);
    expect(completed).toBe(true);
    expect(a.isOpen).toBe(false);
    expect(b.isOpen).toBe(false);
    await expect(b.write(Uint8Array.from([1]))).rejects.toMatchObject({
      code: 'LINK_CLOSED',
    });
    await expect(a.write(Uint8Array.from([1]))).rejects.toBeInstanceOf(LinkError);
    await a.close(); // idempotent
  });
});
