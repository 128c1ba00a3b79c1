import { filter, firstValueFrom, lastValueFrom, timeout, toArray } from 'rxjs';
import { CanBusError, ManualClock, type CanFrame, type LinkEvent } from '@tsbms/hal';
import { RecordingLogger } from '@tsbms/hal/testing';
import { SocketCanBus, type SocketCanBusOptions } from './socketcan-bus';
import { textLogger } from './testing/text-logger';

/*
 * The host kernel has no CAN support, so these tests cover what fails before a frame could reach
 * a wire: opening, validation, and the reconnect schedule. socketcan-bus.vcan.spec.ts runs the
 * adapter against a real vcan interface inside user-mode Linux.
 */

// Opens read sysfs for real: waits are upper bounds only, never asserted durations.
const WAIT_CAP_MS = 5000;
const MISSING_IFACE = 'tsbmsnocan7';

const buses: SocketCanBus[] = [];
afterEach(async () => {
  while (buses.length > 0) await buses.pop()?.close();
});

function canBus(options: SocketCanBusOptions): SocketCanBus {
  const bus = new SocketCanBus(options);
  buses.push(bus);
  return bus;
}

function collectEvents(bus: SocketCanBus): LinkEvent[] {
  const events: LinkEvent[] = [];
  bus.events$.subscribe((event) => events.push(event));
  return events;
}

function nextError(bus: SocketCanBus): Promise<Error> {
  return firstValueFrom(
    bus.events$.pipe(
      filter((event): event is Extract<LinkEvent, { type: 'error' }> => event.type === 'error'),
      timeout(WAIT_CAP_MS),
    ),
  ).then((event) => event.error);
}

async function openFailure(bus: SocketCanBus): Promise<CanBusError> {
  let opening: Promise<void> | undefined;
  // A failure must arrive as a rejection, never as a synchronous throw.
  expect(() => (opening = bus.open())).not.toThrow();
  const error: unknown = await opening?.then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(CanBusError);
  return error as CanBusError;
}

describe('SocketCanBus on a host without CAN', () => {
  it.each([
    ['vcan0', 'no such interface'],
    [MISSING_IFACE, 'no such interface'],
    // Exists and is up, but the host cannot make a CAN socket (and lo is no CAN device anyway).
    ['lo', 'Error while creating channel'],
    ['../../etc', 'not a valid interface name'],
  ])('rejects open() of %s with OPEN_FAILED naming the interface', async (iface, detail) => {
    const bus = canBus({ iface });
    const events = collectEvents(bus);
    const error = await openFailure(bus);
    expect(error).toMatchObject({ code: 'OPEN_FAILED', context: { iface } });
    expect(error.message).toBe(`cannot open CAN interface ${iface}: ${detail}`);
    expect(events).toEqual([{ type: 'error', error }]);
    expect(bus.isOpen).toBe(false);
    expect(bus.counters.openFailures).toBe(1);
  });

  it.each<[string, CanFrame]>([
    ['id 0x400', { id: 0x400, data: new Uint8Array(8) }],
    ['an extended id', { id: 0x18ff50e5, data: new Uint8Array(8) }],
    ['9 data bytes', { id: 0x351, data: new Uint8Array(9) }],
  ])('rejects a frame with %s as INVALID_FRAME before looking at the socket', async (_, frame) => {
    // The bus was never opened: validation must come before the BUS_CLOSED check.
    const bus = canBus({ iface: 'vcan0' });
    const events = collectEvents(bus);
    await expect(bus.send(frame)).rejects.toMatchObject({
      code: 'INVALID_FRAME',
      context: { iface: 'vcan0', canId: frame.id },
    });
    expect(bus.counters).toMatchObject({ invalidFrames: 1, sendsWhileClosed: 0, framesSent: 0 });
    expect(events).toEqual([]);
  });

  it('with maxSendId 0x7FF (a bus without a GX) passes validation for 0x521, and refuses a bad limit', async () => {
    const bus = canBus({ iface: 'can1', maxSendId: 0x7ff });
    // Past validation: it fails only because no socket is open.
    await expect(bus.send({ id: 0x521, data: new Uint8Array(6) })).rejects.toMatchObject({
      code: 'BUS_CLOSED',
    });
    expect(bus.counters).toMatchObject({ invalidFrames: 0, sendsWhileClosed: 1 });
    expect(() => canBus({ iface: 'can1', maxSendId: 0xfff })).toThrow(RangeError);
  });

  it('rejects a valid frame with BUS_CLOSED while no socket is open, and counts it', async () => {
    const bus = canBus({ iface: 'vcan0' });
    await expect(bus.send({ id: 0x351, data: new Uint8Array(8) })).rejects.toMatchObject({
      code: 'BUS_CLOSED',
      context: { iface: 'vcan0' },
    });
    expect(bus.counters).toMatchObject({ sendsWhileClosed: 1, invalidFrames: 0, sendErrors: 0 });
  });

  it('retries a failed open with exponential backoff on the injected clock', async () => {
    const clock = new ManualClock();
    const log = textLogger();
    const bus = canBus({
      iface: MISSING_IFACE,
      clock,
      logger: log.logger,
      reconnect: { initialDelayMs: 100, maxDelayMs: 300 },
    });
    // The failed open() was the first attempt, so the retries start at the doubled wait.
    await openFailure(bus);
    expect(log.lines.at(-1)).toBe(`info ${MISSING_IFACE} reconnect attempt 2 in 200 ms`);

    for (const [attempt, delayMs] of [
      [2, 200],
      [3, 300],
      [4, 300],
    ] as const) {
      const attemptNow = `info ${MISSING_IFACE} reconnect attempt ${attempt} now`;
      await clock.advanceByMs(delayMs - 1);
      expect(log.lines).not.toContain(attemptNow);
      const failed = nextError(bus);
      await clock.advanceByMs(1);
      expect(log.lines).toContain(attemptNow);
      expect(await failed).toMatchObject({
        code: 'OPEN_FAILED',
        context: { iface: MISSING_IFACE },
      });
      expect(log.lines.at(-1)).toBe(
        `info ${MISSING_IFACE} reconnect attempt ${attempt + 1} in ${Math.min(2 * delayMs, 300)} ms`,
      );
    }
    expect(bus.counters.openFailures).toBe(4);
    expect(log.lines.filter((line) => line.startsWith('warn'))).toEqual(
      Array(4).fill(`warn cannot open CAN interface ${MISSING_IFACE}: no such interface`),
    );
  });

  it('logs with the interface as structured fields', async () => {
    const logger = new RecordingLogger();
    const bus = canBus({
      iface: MISSING_IFACE,
      clock: new ManualClock(),
      logger,
      reconnect: { initialDelayMs: 100, maxDelayMs: 300 },
    });
    await openFailure(bus);
    const fields = { event: 'can', interface: MISSING_IFACE };
    expect(logger.lines).toEqual([
      {
        level: 'warn',
        fields: { ...fields, code: 'OPEN_FAILED' },
        message: `cannot open CAN interface ${MISSING_IFACE}: no such interface`,
      },
      {
        level: 'info',
        fields: { ...fields, reconnectAttempt: 2, delayMs: 200 },
        message: `${MISSING_IFACE} reconnect attempt 2 in 200 ms`,
      },
    ]);
  });

  it('close() is final: cancels a pending retry, completes both streams, refuses to reopen', async () => {
    const clock = new ManualClock();
    const bus = canBus({
      iface: MISSING_IFACE,
      clock,
      reconnect: { initialDelayMs: 50, maxDelayMs: 50 },
    });
    await openFailure(bus);
    expect(clock.pendingTimers).toBe(1);
    const frames = lastValueFrom(bus.frames$.pipe(toArray(), timeout(WAIT_CAP_MS)));
    const events = lastValueFrom(bus.events$.pipe(toArray(), timeout(WAIT_CAP_MS)));
    await Promise.all([bus.close(), bus.close()]);
    expect(clock.pendingTimers).toBe(0);
    // Never opened: nothing to report as closed.
    expect(await events).toEqual([]);
    expect(await frames).toEqual([]);
    await expect(bus.open()).rejects.toMatchObject({ code: 'BUS_CLOSED' });
    expect(bus.counters.openFailures).toBe(1);
  });
});
