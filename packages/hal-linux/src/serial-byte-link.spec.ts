import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  filter,
  firstValueFrom,
  lastValueFrom,
  scan,
  shareReplay,
  Subject,
  timeout,
  toArray,
  type Observable,
} from 'rxjs';
import { LinkError, ManualClock, type LinkEvent } from '@tsbms/hal';
import {
  ALTERNATIVE_BAUD_RATE,
  DEFAULT_BAUD_RATE,
  SerialByteLink,
  type SerialByteLinkOptions,
} from './serial-byte-link';
import { startPtyPair, type PtyPair } from './testing/pty-pair';
import { textLogger } from './testing/text-logger';

// Real pseudo-terminals and a real socat: waits are upper bounds only, never asserted durations.
const WAIT_CAP_MS = 5000;

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function ptyPair(directory?: string): Promise<PtyPair> {
  const pair = await startPtyPair({ directory });
  cleanups.push(pair.stop);
  return pair;
}

async function linkDirectory(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'tsbms-link-test-'));
  cleanups.push(() => rm(directory, { recursive: true, force: true }));
  return directory;
}

function serialLink(options: SerialByteLinkOptions): SerialByteLink {
  const link = new SerialByteLink(options);
  cleanups.push(() => link.close());
  return link;
}

async function openLink(options: SerialByteLinkOptions): Promise<SerialByteLink> {
  const link = serialLink(options);
  await link.open();
  return link;
}

function nextEvent<T extends LinkEvent['type']>(
  link: SerialByteLink,
  type: T,
): Promise<Extract<LinkEvent, { type: T }>> {
  return firstValueFrom(
    link.events$.pipe(
      filter((event): event is Extract<LinkEvent, { type: T }> => event.type === type),
      timeout(WAIT_CAP_MS),
    ),
  );
}

/** Subscribes now and accumulates everything `data$` delivers, across reopens. */
function collectBytes(link: SerialByteLink): {
  waitForBytes(count: number): Promise<Uint8Array>;
  readonly completed: boolean;
} {
  let completed = false;
  const nothing: Uint8Array = new Uint8Array(0);
  const all$: Observable<Uint8Array> = link.data$.pipe(
    scan((all, chunk) => concatBytes(all, chunk), nothing),
    shareReplay(1),
  );
  all$.subscribe({ complete: () => (completed = true) });
  return {
    waitForBytes: (count) =>
      firstValueFrom(
        all$.pipe(
          filter((all) => all.length >= count),
          timeout(WAIT_CAP_MS),
        ),
      ),
    get completed() {
      return completed;
    },
  };
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function patternBytes(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 31 + seed * 7 + (i >> 8)) & 0xff);
}

/** Input and output speed the kernel holds for a tty, read with TCGETS2 (stty shows 0 for such rates). */
function ttySpeeds(path: string): number[] {
  const script = [
    'import fcntl, os, struct, sys',
    'fd = os.open(sys.argv[1], os.O_RDONLY | os.O_NOCTTY | os.O_NONBLOCK)',
    'buf = bytearray(44)',
    'fcntl.ioctl(fd, 0x802C542A, buf)',
    "print(*struct.unpack('4I B 19s 2I', bytes(buf))[-2:])",
  ].join('\n');
  return execFileSync('python3', ['-c', script, path], { encoding: 'utf8' }).trim().split(' ').map(Number);
}

function recordingLogger(): ReturnType<typeof textLogger> & { waitForLine(text: string): Promise<string> } {
  const line$ = new Subject<string>();
  const { logger, lines } = textLogger([], (line) => line$.next(line));
  return {
    logger,
    lines,
    waitForLine: (text) => {
      const seen = lines.find((line) => line.includes(text));
      if (seen) return Promise.resolve(seen);
      return firstValueFrom(
        line$.pipe(
          filter((line) => line.includes(text)),
          timeout(WAIT_CAP_MS),
        ),
      );
    },
  };
}

describe('SerialByteLink on a socat pty pair', () => {
  it('opens both ends at 612500 baud 8N1 by default and carries bytes both ways', async () => {
    const pair = await ptyPair();
    const a = serialLink({ path: pair.pathA });
    const opened = nextEvent(a, 'open');
    await a.open();
    await opened;
    const b = await openLink({ path: pair.pathB });
    expect(a.baudRate).toBe(DEFAULT_BAUD_RATE);
    expect(DEFAULT_BAUD_RATE).toBe(612500);
    expect(ttySpeeds(pair.pathA)).toEqual([612500, 612500]);
    expect(a.isOpen && b.isOpen).toBe(true);

    const atB = collectBytes(b);
    const atA = collectBytes(a);
    await a.write(Uint8Array.of(0x7f, 0x3c, 0xa5, 0x57));
    await b.write(Uint8Array.of(0x02, 0x00, 0x13, 0xaf));
    expect(await atB.waitForBytes(4)).toEqual(Uint8Array.of(0x7f, 0x3c, 0xa5, 0x57));
    expect(await atA.waitForBytes(4)).toEqual(Uint8Array.of(0x02, 0x00, 0x13, 0xaf));
  });

  it('opens at the alternative rate 617647 when configured (T-1)', async () => {
    const pair = await ptyPair();
    const a = await openLink({ path: pair.pathA, baudRate: ALTERNATIVE_BAUD_RATE });
    const b = await openLink({ path: pair.pathB, baudRate: ALTERNATIVE_BAUD_RATE });
    expect(ttySpeeds(pair.pathA)).toEqual([617647, 617647]);
    const atA = collectBytes(a);
    await b.write(Uint8Array.of(1, 2, 3));
    expect(await atA.waitForBytes(3)).toEqual(Uint8Array.of(1, 2, 3));
  });

  it('delivers a few KB written in several chunks intact and in order', async () => {
    const pair = await ptyPair();
    const a = await openLink({ path: pair.pathA });
    const b = await openLink({ path: pair.pathB });
    const atB = collectBytes(b);
    const chunks = [1500, 1, 2048, 700, 1851].map((length, seed) => patternBytes(length, seed));
    for (const chunk of chunks) await a.write(chunk);
    const expected = chunks.reduce(concatBytes);
    expect(expected.length).toBe(6100);
    const received = await atB.waitForBytes(expected.length);
    expect(received.length).toBe(expected.length);
    expect(Buffer.from(received).equals(Buffer.from(expected))).toBe(true);
  });

  it('copies written bytes, so the caller may reuse its buffer at once', async () => {
    const pair = await ptyPair();
    const a = await openLink({ path: pair.pathA });
    const b = await openLink({ path: pair.pathB });
    const atB = collectBytes(b);
    const buffer = Uint8Array.of(1, 2, 3);
    const written = a.write(buffer);
    buffer.fill(0xee);
    await written;
    expect(await atB.waitForBytes(3)).toEqual(Uint8Array.of(1, 2, 3));
  });

  it('rejects with LINK_OPEN_FAILED naming the path when the device does not exist', async () => {
    const directory = await linkDirectory();
    const path = join(directory, 'no-such-tty');
    const link = serialLink({ path });
    const errorEvent = nextEvent(link, 'error');
    const failure = await link.open().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(LinkError);
    expect(failure).toMatchObject({ code: 'LINK_OPEN_FAILED', path });
    expect((failure as LinkError).message).toContain(path);
    expect((await errorEvent).error).toBe(failure);
    expect(link.isOpen).toBe(false);
  });

  it('rejects a write with LINK_CLOSED before the link was ever opened', async () => {
    const pair = await ptyPair();
    const link = serialLink({ path: pair.pathA });
    await expect(link.write(Uint8Array.of(1))).rejects.toMatchObject({
      code: 'LINK_CLOSED',
      path: pair.pathA,
    });
  });

  it('reports the device lost when socat dies, then rejects writes with LINK_CLOSED', async () => {
    const pair = await ptyPair();
    const a = await openLink({ path: pair.pathA });
    const b = await openLink({ path: pair.pathB });
    const closedA = nextEvent(a, 'close');
    const closedB = nextEvent(b, 'close');
    await pair.stop();
    expect((await closedA).reason).toMatch(/^device lost/);
    expect((await closedB).reason).toMatch(/^device lost/);
    expect(a.isOpen).toBe(false);
    await expect(a.write(Uint8Array.of(1))).rejects.toMatchObject({
      code: 'LINK_CLOSED',
      path: pair.pathA,
    });
  });

  it('reopens on the same link paths after socat restarts, with data$ still flowing', async () => {
    const directory = await linkDirectory();
    const first = await ptyPair(directory);
    const a = await openLink({ path: first.pathA });
    const b = await openLink({ path: first.pathB });
    const atB = collectBytes(b);
    await a.write(Uint8Array.of(0x11, 0x22));
    await atB.waitForBytes(2);

    const closedA = nextEvent(a, 'close');
    const closedB = nextEvent(b, 'close');
    await first.stop();
    await Promise.all([closedA, closedB]);
    expect(atB.completed).toBe(false);

    const second = await ptyPair(directory);
    expect([second.pathA, second.pathB]).toEqual([first.pathA, first.pathB]);
    const reopened = nextEvent(a, 'open');
    await Promise.all([a.open(), b.open()]);
    await reopened;
    await a.write(Uint8Array.of(0x33, 0x44, 0x55));
    expect(await atB.waitForBytes(5)).toEqual(Uint8Array.of(0x11, 0x22, 0x33, 0x44, 0x55));
  });

  it('reconnects by itself with exponential backoff on the injected clock', async () => {
    const directory = await linkDirectory();
    const first = await ptyPair(directory);
    const clock = new ManualClock();
    const log = recordingLogger();
    const a = await openLink({
      path: first.pathA,
      clock,
      logger: log.logger,
      reconnect: { initialDelayMs: 100, maxDelayMs: 300 },
    });
    const b = await openLink({ path: first.pathB });
    const atA = collectBytes(a);
    await b.write(Uint8Array.of(0xa1));
    await atA.waitForBytes(1);

    const closed = nextEvent(a, 'close');
    await first.stop();
    await closed;
    await log.waitForLine('reconnect attempt 1 in 100 ms');

    // Device still gone: each attempt fails and the wait doubles, capped at 300 ms.
    for (const [attempt, delayMs] of [
      [1, 100],
      [2, 200],
      [3, 300],
    ] as const) {
      const attemptNow = `info ${first.pathA} reconnect attempt ${attempt} now`;
      await clock.advanceByMs(delayMs - 1);
      expect(log.lines).not.toContain(attemptNow);
      const failed = nextEvent(a, 'error');
      await clock.advanceByMs(1);
      expect(log.lines).toContain(attemptNow);
      expect((await failed).error).toMatchObject({ code: 'LINK_OPEN_FAILED', path: first.pathA });
      await log.waitForLine(`reconnect attempt ${attempt + 1} in ${Math.min(2 * delayMs, 300)} ms`);
    }

    const second = await ptyPair(directory);
    const reopened = nextEvent(a, 'open');
    await clock.advanceByMs(299);
    expect(log.lines).not.toContain(`info ${first.pathA} reconnect attempt 4 now`);
    await clock.advanceByMs(1);
    await reopened;
    expect(a.isOpen).toBe(true);
    expect(log.lines.filter((line) => line.startsWith('warn'))).toEqual([
      expect.stringContaining(`${first.pathA} device lost`),
      expect.stringContaining(`cannot open ${first.pathA} at 612500 baud`),
      expect.stringContaining(`cannot open ${first.pathA} at 612500 baud`),
      expect.stringContaining(`cannot open ${first.pathA} at 612500 baud`),
    ]);

    await b.open();
    await b.write(Uint8Array.of(0xb2, 0xc3));
    expect(await atA.waitForBytes(3)).toEqual(Uint8Array.of(0xa1, 0xb2, 0xc3));

    // Success resets the backoff: the next loss starts again at the initial delay.
    const lostAgain = nextEvent(a, 'close');
    await second.stop();
    await lostAgain;
    const attempts = log.lines.filter((line) => line.includes('reconnect attempt'));
    expect(attempts).toHaveLength(9);
    expect(attempts.at(-1)).toBe(`info ${first.pathA} reconnect attempt 1 in 100 ms`);
  });

  it('close() is final: reports the close, completes data$ and events$, refuses to reopen', async () => {
    const pair = await ptyPair();
    const a = await openLink({ path: pair.pathA });
    const atA = collectBytes(a);
    const events = lastValueFrom(a.events$.pipe(toArray(), timeout(WAIT_CAP_MS)));
    await Promise.all([a.close(), a.close()]);
    expect(await events).toEqual([{ type: 'close', reason: 'closed by request' }]);
    expect(atA.completed).toBe(true);
    expect(a.isOpen).toBe(false);
    await expect(a.open()).rejects.toMatchObject({ code: 'LINK_CLOSED' });
    await expect(a.write(Uint8Array.of(1))).rejects.toMatchObject({ code: 'LINK_CLOSED' });
    // The port was released: another link can open the same end.
    await openLink({ path: pair.pathA });
  });

  it('stops a pending reconnect when closed', async () => {
    const pair = await ptyPair();
    const clock = new ManualClock();
    const a = await openLink({
      path: pair.pathA,
      clock,
      reconnect: { initialDelayMs: 50, maxDelayMs: 50 },
    });
    const closed = nextEvent(a, 'close');
    await pair.stop();
    await closed;
    expect(clock.pendingTimers).toBe(1);
    await a.close();
    expect(clock.pendingTimers).toBe(0);
  });
});
