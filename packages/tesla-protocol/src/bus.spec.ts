import { LinkError, ManualClock } from '@tsbms/hal';
import { ScriptedLink } from '@tsbms/hal/testing';
import { TeslaBus } from './bus';
import { TeslaProtocolError } from './errors';
import { encodeFrame, readRequest, writeRequest } from './frames';

type Outcome<T> = { value: T } | { error: TeslaProtocolError };

/** Captures a promise's outcome at once, so no rejection is ever unhandled. */
function track<T>(promise: Promise<T>): {
  outcome: Outcome<T> | undefined;
  done: Promise<Outcome<T>>;
} {
  const tracker: {
    outcome: Outcome<T> | undefined;
    done: Promise<Outcome<T>>;
  } = { outcome: undefined, done: undefined as never };
  tracker.done = promise.then(
    (value) => (tracker.outcome = { value }),
    (error: TeslaProtocolError) => (tracker.outcome = { error }),
  );
  return tracker;
}

function readReply(address: number, register: number, data: number[]): Uint8Array {
  return encodeFrame({
    kind: 'readReply',
    address,
    register,
    data,
    fromUnaddressed: address === 0,
  });
}

const statusRead = encodeFrame(readRequest(1, 0x00, 1));
const statusReply = readReply(1, 0x00, [0x61]);

function setup(options: { unmatched?: 'loopback' | 'silent'; retries?: number } = {}) {
  const clock = new ManualClock();
  const link = new ScriptedLink({
    clock,
    unmatched: options.unmatched ?? 'silent',
  });
  const bus = new TeslaBus(link, { clock, retries: options.retries });
  return { clock, link, bus };
}

describe('TeslaBus', () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  beforeAll(() => process.on('unhandledRejection', onUnhandled));
  afterAll(() => process.off('unhandledRejection', onUnhandled));
  afterEach(() => expect(unhandled).toEqual([]));

  it('reads registers and counts the frame and the bytes', async () => {
    const { clock, link, bus } = setup();
    link.onWrite(statusRead, statusReply, { delayMs: 1 });
    const read = track(bus.readRegisters(1, 0x00, 1));
    await clock.advanceByMs(1);
    expect(await read.done).toEqual({ value: [0x61] });
    expect(bus.stats).toMatchObject({
      framesOk: 1,
      bytesSent: 4,
      bytesReceived: 5,
      droppedBytes: 0,
      retries: 0,
    });
    expect(bus.stats.perModule[1]).toMatchObject({ framesOk: 1 });
  });

  it('times out after 100 ms measured from the write, retrying twice (loop silent)', async () => {
    const { clock, link, bus } = setup();
    const read = track(bus.readRegisters(1, 0x00, 1));
    await clock.advanceByMs(299);
    expect(read.outcome).toBeUndefined();
    expect(link.writes).toHaveLength(3);
    await clock.advanceByMs(1);
    const outcome = await read.done;
    expect(outcome).toEqual({ error: expect.any(TeslaProtocolError) });
    expect(outcome).toMatchObject({
      error: { code: 'TIMEOUT', address: 1, register: 0x00 },
    });
    expect(bus.stats).toMatchObject({ timeouts: 3, retries: 2 });
    expect(bus.stats.perModule[1]).toMatchObject({
      timeouts: 3,
      retries: 2,
      noSuchModule: 0,
      badFrames: 0,
    });
  });

  it('accepts a reply arriving just inside the timeout and refuses one just outside it', async () => {
    const { clock, link, bus } = setup({ retries: 0 });
    link
      .onWrite(statusRead, statusReply, { delayMs: 99, times: 1 })
      .onWrite(statusRead, statusReply, { delayMs: 100 });
    const first = track(bus.readRegisters(1, 0x00, 1));
    const second = track(bus.readRegisters(1, 0x00, 1)); // queued: its timeout starts at its own write
    await clock.advanceByMs(99);
    expect(first.outcome).toEqual({ value: [0x61] });
    await clock.advanceByMs(100);
    expect(await second.done).toMatchObject({ error: { code: 'TIMEOUT' } });
    // The late reply is stray input, dropped and counted.
    await clock.advanceByMs(1);
    expect(bus.stats.droppedBytes).toBe(5);
  });

  it('keeps one transaction in flight: the next request is written only after the reply', async () => {
    const { clock, link, bus } = setup();
    const read2 = encodeFrame(readRequest(2, 0x00, 1));
    link
      .onWrite(statusRead, statusReply, { delayMs: 5 })
      .onWrite(read2, readReply(2, 0x00, [0x01]), { delayMs: 5 });
    const a = track(bus.readRegisters(1, 0x00, 1));
    const b = track(bus.readRegisters(2, 0x00, 1));
    await clock.advanceByMs(4);
    expect(link.writes).toHaveLength(1);
    await clock.advanceByMs(1);
    expect(link.writes).toHaveLength(2);
    await clock.advanceByMs(5);
    expect([await a.done, await b.done]).toEqual([{ value: [0x61] }, { value: [0x01] }]);
  });

  it('retries after a CRC error and recovers', async () => {
    const { clock, link, bus } = setup();
    const corrupted = Uint8Array.from(statusReply);
    corrupted[4] ^= 0x01;
    link.onWrite(statusRead, corrupted, { times: 1 }).onWrite(statusRead, statusReply);
    const read = track(bus.readRegisters(1, 0x00, 1));
    await clock.advanceByMs(1);
    expect(await read.done).toEqual({ value: [0x61] });
    expect(bus.stats).toMatchObject({
      crcErrors: 1,
      retries: 1,
      framesOk: 1,
      timeouts: 0,
    });
    expect(link.writes).toHaveLength(2); // retried at once, no need to wait for the timeout
  });

  it('recovers after garbage: stray input before the request, noise and split chunks around the reply', async () => {
    const { clock, link, bus } = setup();
    link.inject([0xaa, 0x02, 0x00]); // stray bytes while idle
    await clock.flush();
    link.onWrite(statusRead, [0x13, 0x02, 0x00, ...statusReply, 0xff], {
      chunkSizes: [1, 1, 3, 1],
    });
    const read = track(bus.readRegisters(1, 0x00, 1));
    await clock.advanceByMs(1);
    expect(await read.done).toEqual({ value: [0x61] });
    // 3 idle bytes, 3 bytes of noise before the reply, the trailing 0xff.
    expect(bus.stats.droppedBytes).toBe(7);
    expect(bus.stats.badFrames + bus.stats.crcErrors + bus.stats.timeouts).toBe(0);
  });

  it('classifies the request coming back unchanged as NO_SUCH_MODULE (after the timeout)', async () => {
    const { clock, link, bus } = setup({ unmatched: 'loopback' });
    const read = track(bus.readRegisters(5, 0x00, 0x13));
    await clock.advanceByMs(300);
    expect(await read.done).toMatchObject({
      error: { code: 'NO_SUCH_MODULE', address: 5 },
    });
    expect(bus.stats.perModule[5]).toMatchObject({
      noSuchModule: 3,
      timeouts: 0,
      badFrames: 0,
    });
    expect(link.writes).toHaveLength(3);
  });

  it('reads from address 0 only with bit 7 set; the request coming back means nobody is unaddressed', async () => {
    const { clock, link, bus } = setup({ unmatched: 'loopback' });
    link.onWrite([0x00, 0x00, 0x01, 0x07], [0x80, 0x00, 0x01, 0x61, 0x35], {
      times: 1,
    });
    const first = track(bus.readRegister(0, 0x00, { retries: 0 }));
    await clock.advanceByMs(1);
    expect(await first.done).toEqual({ value: 0x61 });
    const second = track(bus.readRegister(0, 0x00, { retries: 0 }));
    await clock.advanceByMs(100);
    expect(await second.done).toMatchObject({
      error: { code: 'NO_SUCH_MODULE', address: 0 },
    });
  });

  it('classifies a reply from the wrong address or register as BAD_FRAME', async () => {
    const { clock, link, bus } = setup({ retries: 1 });
    link
      .onWrite(statusRead, readReply(2, 0x00, [0x61]), { times: 1 })
      .onWrite(statusRead, readReply(1, 0x01, [0x61]));
    const read = track(bus.readRegisters(1, 0x00, 1));
    await clock.advanceByMs(200);
    expect(await read.done).toMatchObject({
      error: { code: 'BAD_FRAME', address: 1 },
    });
    expect(bus.stats.perModule[1]).toMatchObject({ badFrames: 2, retries: 1 });
  });

  it('checks write echoes: ECHO_MISMATCH, counted per module', async () => {
    const { clock, link, bus } = setup();
    link.onWrite(
      () => true,
      (w) => [w[0], w[1], w[2] ^ 0x01, w[3]],
    );
    const write = track(bus.writeRegister(3, 0x32, 0x05));
    await clock.advanceByMs(1);
    expect(await write.done).toMatchObject({
      error: { code: 'ECHO_MISMATCH', address: 3, register: 0x32 },
    });
    expect(bus.stats.perModule[3]).toMatchObject({
      echoMismatches: 3,
      retries: 2,
    });
  });

  it('accepts the exact echo of a write and of a broadcast', async () => {
    const { clock, link, bus } = setup({ unmatched: 'loopback' });
    const write = track(bus.writeRegister(1, 0x32, 0x05));
    const broadcast = track(bus.broadcastRegister(0x34, 0x01));
    await clock.advanceByMs(1);
    expect([await write.done, await broadcast.done]).toEqual([{ value: undefined }, { value: undefined }]);
    expect(link.writes.map((w) => Array.from(w))).toEqual([
      Array.from(encodeFrame(writeRequest(1, 0x32, 0x05))),
      [0x7f, 0x34, 0x01, 0x8a],
    ]);
  });

  it('sends SHDW_CTRL = 0x35 immediately before each attempt of a protected write (T-9)', async () => {
    const { clock, link, bus } = setup({ unmatched: 'loopback' });
    const cov = [0x03, 0x42, 0x2c, 0x08];
    link.onWrite(cov, [0x03, 0x42, 0x2c, 0x09], { times: 1 }); // first echo corrupted
    const write = track(bus.writeRegister(1, 0x42, 0x2c));
    const other = track(bus.writeRegister(1, 0x32, 0x00)); // queued: cannot slip between unlock and write
    await clock.advanceByMs(1);
    expect([await write.done, await other.done]).toEqual([{ value: undefined }, { value: undefined }]);
    const unlock = [0x03, 0x3a, 0x35, 0x4d];
    expect(link.writes.map((w) => Array.from(w))).toEqual([
      unlock,
      cov,
      unlock,
      cov,
      Array.from(encodeFrame(writeRequest(1, 0x32, 0))),
    ]);
  });

  it('names the unlock when it is the frame that went unanswered', async () => {
    const { clock, link, bus } = setup({ unmatched: 'loopback' });
    link.onWrite([0x03, 0x3a, 0x35, 0x4d], null);
    const write = track(bus.writeRegister(1, 0x42, 0x2c));
    await clock.advanceByMs(400);
    expect(await write.done).toEqual({
      error: expect.objectContaining({
        code: 'TIMEOUT',
        register: 0x3a,
        message:
          'no reply (loop silent) to the unlock before CONFIG_COV after 3 attempt(s) (address 1, register SHDW_CTRL)',
      }),
    });
    expect(link.writes).toHaveLength(3); // the write itself never followed a failed unlock
  });

  it.each([
    ['E_EN', 0x3f],
    ['TEST_SELECT', 0x3d],
  ])('refuses any write to %s (T-10), to a module or broadcast, sending nothing', async (_name, register) => {
    const { link, bus } = setup({ unmatched: 'loopback' });
    await expect(bus.writeRegister(1, register, 0)).rejects.toMatchObject({
      code: 'FORBIDDEN_REGISTER',
      register,
    });
    await expect(bus.broadcastRegister(register, 0)).rejects.toMatchObject({
      code: 'FORBIDDEN_REGISTER',
    });
    expect(link.writes).toHaveLength(0);
  });

  it('fails promptly with LINK_CLOSED when the link closes mid-transaction, and at once afterwards', async () => {
    const { clock, link, bus } = setup();
    const read = track(bus.readRegisters(1, 0x00, 0x13));
    const queued = track(bus.readRegisters(2, 0x00, 0x13));
    await clock.advanceByMs(10);
    link.disconnect();
    await clock.flush();
    expect(read.outcome).toMatchObject({
      error: { code: 'LINK_CLOSED', address: 1 },
    });
    expect(queued.outcome).toMatchObject({
      error: { code: 'LINK_CLOSED', address: 2 },
    });
    expect(link.writes).toHaveLength(1); // no retries on a closed link
    expect(clock.pendingTimers).toBe(0); // no timeout left armed
    await expect(bus.readRegisters(1, 0x00, 1)).rejects.toMatchObject({
      code: 'LINK_CLOSED',
    });
  });

  it('retries a failed write on an open link and reports LINK_FAILED', async () => {
    const { clock, link, bus } = setup();
    link.failWrites(new LinkError('LINK_WRITE_FAILED', 'EIO'));
    const read = track(bus.readRegisters(1, 0x00, 1));
    await clock.flush();
    expect(await read.done).toMatchObject({ error: { code: 'LINK_FAILED' } });
    expect(bus.stats).toMatchObject({ linkErrors: 3, retries: 2 });
  });

  it('sends 3-byte reads when configured (T-3 fallback) and still recognises them coming back', async () => {
    const clock = new ManualClock();
    const link = new ScriptedLink({ clock, unmatched: 'loopback' });
    const bus = new TeslaBus(link, { clock, readWithCrc: false, retries: 0 });
    link.onWrite([0x02, 0x00, 0x01], statusReply, { times: 1 });
    const first = track(bus.readRegister(1, 0x00));
    await clock.advanceByMs(1);
    expect(await first.done).toEqual({ value: 0x61 });
    const second = track(bus.readRegister(1, 0x00));
    await clock.advanceByMs(100);
    expect(await second.done).toMatchObject({
      error: { code: 'NO_SUCH_MODULE' },
    });
    expect(link.writes.map((w) => w.length)).toEqual([3, 3]);
  });

  it('publishes stats on stats$', async () => {
    const { clock, link, bus } = setup();
    link.onWrite(statusRead, statusReply);
    const seen: number[] = [];
    bus.stats$.subscribe((s) => seen.push(s.framesOk));
    const read = track(bus.readRegisters(1, 0x00, 1));
    await clock.advanceByMs(1);
    await read.done;
    expect(seen[0]).toBe(0);
    expect(seen[seen.length - 1]).toBe(1);
  });
});
