import { ManualClock } from '../../manual-clock';
import { LinkError, type LinkEvent } from '../../byte-link';
import { ScriptedLink } from './scripted-link';
import { RecordingLink } from './recording-link';

function collect(link: { data$: import('rxjs').Observable<Uint8Array> }): number[][] {
  const chunks: number[][] = [];
  link.data$.subscribe((c) => chunks.push(Array.from(c)));
  return chunks;
}

describe('ScriptedLink', () => {
  it('answers matching writes, records writes and loops unmatched ones back by default', async () => {
    const clock = new ManualClock();
    const link = new ScriptedLink({ clock });
    link.onWrite([0x02, 0x00, 0x01, 0x2e], [0x02, 0x00, 0x01, 0x61, 0x0b]);
    const chunks = collect(link);
    await link.write(Uint8Array.from([0x02, 0x00, 0x01, 0x2e]));
    await link.write(Uint8Array.from([0x04, 0x00, 0x01, 0x00]));
    expect(chunks).toEqual([]); // never inside write()
    await clock.flush();
    expect(chunks).toEqual([
      [0x02, 0x00, 0x01, 0x61, 0x0b],
      [0x04, 0x00, 0x01, 0x00],
    ]);
    expect(link.writes.map((w) => Array.from(w))).toEqual([
      [0x02, 0x00, 0x01, 0x2e],
      [0x04, 0x00, 0x01, 0x00],
    ]);
    expect(link.bytesWritten).toBe(8);
    expect(link.bytesReceived).toBe(9);
  });

  it('stays silent when told, per rule or for every unmatched write', async () => {
    const clock = new ManualClock();
    const link = new ScriptedLink({ clock, unmatched: 'silent' });
    link.onWrite(() => true, null, { times: 1 });
    const chunks = collect(link);
    await link.write(Uint8Array.from([1, 2, 3, 4]));
    await link.write(Uint8Array.from([5, 6, 7, 8]));
    await clock.advanceByMs(1000);
    expect(chunks).toEqual([]);
  });

  it('computes replies, delays them on the clock and splits them into chunks', async () => {
    const clock = new ManualClock();
    const link = new ScriptedLink({ clock, replyDelayMs: 1 });
    link.onWrite(
      (w) => w[0] === 0x02,
      (w) => [...w].reverse(),
      { delayMs: 30, chunkSizes: [1, 2] },
    );
    const chunks = collect(link);
    await link.write(Uint8Array.from([0x02, 0x10, 0x20, 0x30, 0x40]));
    await clock.advanceByMs(29);
    expect(chunks).toEqual([]);
    await clock.advanceByMs(1);
    expect(chunks).toEqual([[0x40], [0x30, 0x20], [0x10, 0x02]]);
  });

  it('uses rules up in order and falls through to later ones', async () => {
    const clock = new ManualClock();
    const link = new ScriptedLink({ clock, unmatched: 'silent' });
    link.onWrite([1], [0xaa], { times: 1 }).onWrite([1], [0xbb]);
    const chunks = collect(link);
    for (let i = 0; i < 3; i++) await link.write(Uint8Array.from([1]));
    await clock.flush();
    expect(chunks).toEqual([[0xaa], [0xbb], [0xbb]]);
  });

  it('injects garbage and emits errors without closing', async () => {
    const clock = new ManualClock();
    const link = new ScriptedLink({ clock });
    const chunks = collect(link);
    const events: LinkEvent['type'][] = [];
    link.events$.subscribe((e) => events.push(e.type));
    link.inject([0xde, 0xad], 5);
    link.emitError(new Error('framing error'));
    await clock.advanceByMs(5);
    expect(chunks).toEqual([[0xde, 0xad]]);
    expect(events).toEqual(['open', 'error']);
    expect(link.isOpen).toBe(true);
  });

  it('fails writes on request and closes on disconnect, losing pending replies', async () => {
    const clock = new ManualClock();
    const link = new ScriptedLink({ clock, replyDelayMs: 10 });
    const chunks = collect(link);
    let completed = false;
    link.data$.subscribe({ complete: () => (completed = true) });
    link.failWrites(new LinkError('LINK_WRITE_FAILED', 'EIO'));
    await expect(link.write(Uint8Array.from([1]))).rejects.toMatchObject({
      code: 'LINK_WRITE_FAILED',
    });
    link.failWrites(undefined);
    await link.write(Uint8Array.from([2]));
    link.disconnect();
    await clock.advanceByMs(20);
    expect(chunks).toEqual([]);
    expect(completed).toBe(true);
    await expect(link.write(Uint8Array.from([3]))).rejects.toMatchObject({
      code: 'LINK_CLOSED',
    });
  });
});

describe('RecordingLink', () => {
  it('counts and records what crosses any link, once per chunk however many subscribers', async () => {
    const clock = new ManualClock();
    const inner = new ScriptedLink({ clock });
    inner.onWrite([1, 2, 3, 4], [9, 9, 9, 9, 9]);
    const link = new RecordingLink(inner);
    const first = collect(link);
    const second = collect(link);
    await link.write(Uint8Array.from([1, 2, 3, 4]));
    await clock.flush();
    expect(first).toEqual([[9, 9, 9, 9, 9]]);
    expect(second).toEqual(first);
    expect(link.bytesWritten).toBe(4);
    expect(link.bytesReceived).toBe(5);
    expect(link.writes.map((w) => Array.from(w))).toEqual([[1, 2, 3, 4]]);
    link.resetCounts();
    expect([link.bytesWritten, link.bytesReceived, link.writes.length]).toEqual([0, 0, 0]);
    await link.close();
    expect(link.isOpen).toBe(false);
    await expect(link.write(Uint8Array.from([1]))).rejects.toMatchObject({
      code: 'LINK_CLOSED',
    });
    expect(link.bytesWritten).toBe(0);
  });
});
