/**
 * Runs inside user-mode Linux with `vcan0` up (tools/with-vcan), driven by
 * socketcan-bus.vcan.spec.ts: one boot, several checks against the real kernel, candump and
 * cansend. Prints one JSON object on stdout for the spec to assert; exits 1 if a step did not
 * finish, with what was gathered so far and the reason in `failure`.
 *
 * First it runs @tsbms/hal's CanBus contract cases (the ones the in-memory bus passes in hal's
 * spec) on two SocketCanBus nodes on vcan0, fresh ones per case; `contract` holds each case's
 * result, and the spec has one test per case.
 *
 *   node --conditions=@tsbms/source -r @swc-node/register packages/hal-linux/src/testing/socketcan-guest-checks.ts
 */
import { execFileSync, spawn } from 'node:child_process';
import {
  filter,
  firstValueFrom,
  interval,
  lastValueFrom,
  map,
  ReplaySubject,
  tap,
  timeout,
  toArray,
  type Observable,
} from 'rxjs';
import { ManualClock, type CanFrame, type LinkEvent } from '@tsbms/hal';
import {
  canBusContractCases,
  runContractCases,
  type CanBusNodes,
  type ContractEnds,
  reportGuestResults,
} from '@tsbms/hal/testing';
import { SocketCanBus } from '../socketcan-bus';
import { textLogger } from './text-logger';

const IFACE = 'vcan0';
// Real kernel I/O: upper bounds only, never asserted durations.
const WAIT_CAP_MS = 5000;

/** Frames the adapter sends; the spec expects them in candump, byte for byte, in this order. */
const FRAMES_TO_SEND: readonly CanFrame[] = [
  { id: 0x351, data: Uint8Array.of(0xec, 0x01, 0xe8, 0x03, 0xe8, 0x03, 0xb0, 0x01) },
  { id: 0x35e, data: Uint8Array.of(0x74, 0x73, 0x42, 0x4d, 0x53, 0x00, 0x00, 0x00) },
  { id: 0x000, data: new Uint8Array(0) },
  { id: 0x3ff, data: new Uint8Array(8).fill(0xff) },
  { id: 0x123, data: Uint8Array.of(0x00, 0x80, 0x7f) },
];
/** Refused by validation (V-1): none of them may show up in candump. */
const INVALID_FRAMES: readonly CanFrame[] = [
  { id: 0x400, data: new Uint8Array(8) },
  { id: 0x751, data: new Uint8Array(8) },
  { id: 0x18ff50e5, data: new Uint8Array(8) },
  { id: 0x351, data: new Uint8Array(9) },
];
/** Sent with cansend; only the standard data frames may reach `frames$`. */
const CANSEND_FRAMES = ['305#0102030405060708', '12345678#AA', '305#R', '000#', '7FF#01'];
const AFTER_REOPEN_FRAME: CanFrame = {
  id: 0x355,
  data: Uint8Array.of(0x32, 0, 0x64, 0, 0x88, 0x13, 0, 0),
};
const AFTER_REOPEN_CANSEND = '306#CAFE';

/** candump -L text of a frame: `351#EC01...`. */
function candumpText(frame: CanFrame): string {
  const hex = Buffer.from(frame.data).toString('hex').toUpperCase();
  return `${frame.id.toString(16).toUpperCase().padStart(3, '0')}#${hex}`;
}

function describeEvent(event: LinkEvent): Record<string, unknown> {
  if (event.type !== 'error') return { ...event };
  const { code, context } = event.error as Error & { code?: string; context?: unknown };
  return { type: 'error', code, context, message: event.error.message };
}

async function settle(sending: Promise<void>): Promise<Record<string, unknown>> {
  try {
    await sending;
    return { ok: true };
  } catch (error) {
    const { code, message } = error as Error & { code?: string };
    return { ok: false, code, message };
  }
}

function within<T>(source: Observable<T>, what: string): Promise<T> {
  return firstValueFrom(
    source.pipe(
      timeout({
        first: WAIT_CAP_MS,
        with: () => {
          throw new Error(`no ${what} within ${WAIT_CAP_MS} ms`);
        },
      }),
    ),
  );
}

function cansend(frameText: string): void {
  execFileSync('cansend', [IFACE, frameText]);
}

function setInterfaceUp(up: boolean): void {
  execFileSync('ip', ['link', 'set', IFACE, up ? 'up' : 'down']);
}

interface Candump {
  /** Every frame line seen, without the timestamp, replayed to late subscribers. */
  readonly lines$: Observable<string>;
  readonly lines: readonly string[];
  /** Ends candump and resolves once it has exited. */
  stop(): Promise<void>;
}

/** Resent by startCandump until candump prints it; never part of `Candump.lines`. */
const CANDUMP_MARKER = '7FE#5A';

/**
 * candump -L on the interface, listening once this resolves. candump exits when the interface
 * goes down, so each up phase needs its own.
 */
async function startCandump(): Promise<Candump> {
  const dump = spawn('candump', ['-L', IFACE], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => dump.once('exit', () => resolve()));
  const lines: string[] = [];
  const lines$ = new ReplaySubject<string>();
  const markerSeen$ = new ReplaySubject<void>(1);
  let pending = '';
  dump.stdout.setEncoding('utf8');
  dump.stdout.on('data', (chunk: string) => {
    const parts = (pending + chunk).split('\n');
    pending = parts.pop() ?? '';
    for (const line of parts) {
      // "(1700000000.123456) vcan0 351#EC01E803E803B001"
      const text = line.trim().split(' ').at(-1) ?? '';
      if (text === CANDUMP_MARKER) {
        markerSeen$.next();
        continue;
      }
      lines.push(text);
      lines$.next(text);
    }
  });
  const stop = async (): Promise<void> => {
    dump.kill('SIGTERM');
    await exited;
  };
  // candump prints nothing when it is listening: resend a marker until it shows up.
  const resend = interval(50)
    .pipe(tap(() => cansend(CANDUMP_MARKER)))
    .subscribe();
  try {
    await within(markerSeen$, 'candump marker');
  } catch (error) {
    await stop();
    throw error;
  } finally {
    resend.unsubscribe();
  }
  return { lines$, lines, stop };
}

function collect<T>(source: Observable<T>): T[] {
  const items: T[] = [];
  source.subscribe((item) => items.push(item));
  return items;
}

async function runChecks(results: Record<string, unknown>): Promise<void> {
  const clock = new ManualClock();
  const log: string[] = [];
  results['log'] = log;
  const bus = new SocketCanBus({
    iface: IFACE,
    clock,
    logger: textLogger(log).logger,
    reconnect: { initialDelayMs: 100, maxDelayMs: 400 },
  });
  results['events'] = collect(bus.events$.pipe(map(describeEvent)));
  const received = collect(bus.frames$);
  const nextEvent = (type: LinkEvent['type']) =>
    within(bus.events$.pipe(filter((event) => event.type === type)), `${type} event`);
  const receivedCount = (count: number, what: string) =>
    within(bus.frames$.pipe(filter(() => received.length >= count)), what);
  const dumped = (candump: Candump, frame: CanFrame) =>
    within(
      candump.lines$.pipe(filter((line) => line === candumpText(frame))),
      `${candumpText(frame)} in candump`,
    );
  const candumps: Candump[] = [];
  try {
    const before = await startCandump();
    candumps.push(before);
    await bus.open();
    results['openedIsOpen'] = bus.isOpen;

    // Invalid frames between valid ones: candump must show exactly the valid ones.
    const sendResults: Record<string, unknown>[] = [];
    for (const [index, frame] of FRAMES_TO_SEND.entries()) {
      sendResults.push(await settle(bus.send(frame)));
      const invalid = INVALID_FRAMES[index];
      if (invalid) sendResults.push(await settle(bus.send(invalid)));
    }
    results['sendResults'] = sendResults;
    await dumped(before, FRAMES_TO_SEND[FRAMES_TO_SEND.length - 1]);
    results['dumpedBeforeLoss'] = before.lines;

    const receivedAll = receivedCount(3, 'cansend frames on frames$');
    CANSEND_FRAMES.forEach(cansend);
    await receivedAll;
    results['receivedFromCansend'] = received.map(candumpText);
    results['countersAfterTraffic'] = bus.counters;
    // candump would exit with "read: Network is down" on its own.
    await before.stop();

    // execFileSync blocks the event loop, so this send reaches the socket before the binding can
    // deliver any notice of the downed interface: it is a real transmit error.
    const lost = nextEvent('close');
    setInterfaceUp(false);
    results['sendAsInterfaceGoesDown'] = await settle(bus.send(FRAMES_TO_SEND[0]));
    await lost;
    results['isOpenAfterLoss'] = bus.isOpen;
    results['sendAfterLoss'] = await settle(bus.send(FRAMES_TO_SEND[0]));

    // Reconnect on the manual clock: the first attempt finds the interface down.
    const failedAttempt = nextEvent('error');
    await clock.advanceByMs(99);
    results['attemptedBeforeDue'] = log.some((line) => line.includes('reconnect attempt 1 now'));
    await clock.advanceByMs(1);
    await failedAttempt;

    setInterfaceUp(true);
    const after = await startCandump();
    candumps.push(after);
    const reopened = nextEvent('open');
    await clock.advanceByMs(200);
    await reopened;
    results['isOpenAfterReopen'] = bus.isOpen;
    results['sendAfterReopen'] = await settle(bus.send(AFTER_REOPEN_FRAME));
    await dumped(after, AFTER_REOPEN_FRAME);
    const receivedAfterReopen = receivedCount(4, 'cansend frame after reopen');
    cansend(AFTER_REOPEN_CANSEND);
    await receivedAfterReopen;
    results['receivedAfterReopen'] = received.slice(3).map(candumpText);
    results['dumpedAfterReopen'] = after.lines;

    const framesDone = lastValueFrom(bus.frames$.pipe(toArray()));
    const eventsDone = lastValueFrom(bus.events$.pipe(toArray()));
    await bus.close();
    await Promise.all([framesDone, eventsDone]);
    results['isOpenAfterClose'] = bus.isOpen;
    results['counters'] = bus.counters;
  } finally {
    // Also on failure: an open channel or a running candump would keep the guest alive.
    await bus.close();
    await Promise.all(candumps.map((candump) => candump.stop()));
  }
}

/** Two nodes on vcan0 for one contract case; each case closes what it needs, teardown the rest. */
async function openContractNodes(): Promise<ContractEnds<CanBusNodes>> {
  const a = new SocketCanBus({ iface: IFACE });
  const b = new SocketCanBus({ iface: IFACE });
  const teardown = async (): Promise<void> => {
    await Promise.all([a.close(), b.close()]);
  };
  try {
    await a.open();
    await b.open();
  } catch (error) {
    await teardown();
    throw error;
  }
  return { a, b, teardown };
}

void reportGuestResults(async (results) => {
  // Before the checks below take vcan0 down and up; the cases wait for all their own frames.
  results['contract'] = await runContractCases(canBusContractCases, openContractNodes);
  await runChecks(results);
});
