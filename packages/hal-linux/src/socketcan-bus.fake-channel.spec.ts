import { filter, firstValueFrom, timeout } from 'rxjs';
import { ManualClock, type CanFrame, type LinkEvent } from '@tsbms/hal';
import type { ChannelOptions, RawMessage } from 'socketcan';
import type { InterfaceState } from './network-interface';
import { SocketCanBus } from './socketcan-bus';
import { textLogger } from './testing/text-logger';

/*
 * The adapter's reactions to things vcan cannot produce on demand (a full transmit queue,
 * bus-off, a stop notice the binding never delivers), against a fake of the native channel that
 * behaves as native/can.cc does. socketcan-bus.vcan.spec.ts covers the real kernel.
 */

/** Like the binding's RawChannel: stop() runs the onStopped listeners synchronously and throws once the thread is gone. */
class FakeRawChannel {
  readonly sent: Array<{ id: number; ext: boolean; rtr: boolean; data: Buffer }> = [];
  /** What send(2) returns: the frame size, or -1. */
  sendResult = 16;
  sendThrows?: Error;
  stopCalls = 0;
  private running = false;
  private readonly onMessage: Array<(message: RawMessage) => void> = [];
  private readonly onStopped: Array<() => void> = [];

  constructor(
    readonly iface: string,
    readonly options: ChannelOptions,
  ) {}

  addListener(event: 'onMessage' | 'onStopped', callback: (message: RawMessage) => void): void {
    if (event === 'onMessage') this.onMessage.push(callback);
    else this.onStopped.push(callback as () => void);
  }

  start(): void {
    this.running = true;
  }

  stop(): void {
    this.stopCalls++;
    if (!this.running) throw new Error('Channel not started');
    this.threadEnded();
  }

  send(message: { id: number; ext: boolean; rtr: boolean; data: Buffer }): number {
    if (this.sendThrows) throw this.sendThrows;
    if (this.sendResult >= 0) this.sent.push(message);
    return this.sendResult;
  }

  /** A frame from the bus. */
  receive(message: RawMessage): void {
    for (const listener of this.onMessage) listener(message);
  }

  /** The receive thread saw POLLERR (interface down) and its notice was delivered. */
  threadEnded(): void {
    this.threadEndedUnnoticed();
    for (const listener of this.onStopped) listener();
  }

  /** The receive thread ended, but its notice is still queued on the event loop. */
  threadEndedUnnoticed(): void {
    this.running = false;
  }
}

const mockChannels: FakeRawChannel[] = [];
let mockInterfaceState: InterfaceState = 'up';

jest.mock('socketcan', () => ({
  createRawChannelWithOptions: (iface: string, options: ChannelOptions) => {
    const channel = new FakeRawChannel(iface, options);
    mockChannels.push(channel);
    return channel;
  },
}));
jest.mock('./network-interface', () => ({
  ...jest.requireActual<typeof import('./network-interface')>('./network-interface'),
  readInterfaceState: () => Promise.resolve(mockInterfaceState),
}));

const WAIT_CAP_MS = 5000;
const frame: CanFrame = {
  id: 0x351,
  data: Uint8Array.of(0xec, 0x01, 0xe8, 0x03, 0xe8, 0x03, 0xb0, 0x01),
};

async function openBus(clock = new ManualClock()) {
  const log = textLogger();
  const bus = new SocketCanBus({
    iface: 'can0',
    clock,
    logger: log.logger,
    reconnect: { initialDelayMs: 100, maxDelayMs: 1000 },
  });
  const events: LinkEvent[] = [];
  bus.events$.subscribe((event) => events.push(event));
  const frames: CanFrame[] = [];
  bus.frames$.subscribe((received) => frames.push(received));
  await bus.open();
  const channel = mockChannels.at(-1);
  if (!channel) throw new Error('no channel created');
  return { bus, channel, clock, events, frames, log: log.lines };
}

function nextEvent(bus: SocketCanBus, type: LinkEvent['type']): Promise<LinkEvent> {
  return firstValueFrom(
    bus.events$.pipe(
      filter((event) => event.type === type),
      timeout(WAIT_CAP_MS),
    ),
  );
}

/** Lets every queued promise callback run: the fakes resolve at once. */
function allPendingCallbacks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

afterEach(() => {
  mockChannels.length = 0;
  mockInterfaceState = 'up';
});

describe('SocketCanBus on a fake native channel', () => {
  it('opens a non-blocking channel and sends a standard data frame with a copy of the bytes', async () => {
    const { bus, channel } = await openBus();
    expect(channel.options).toEqual({ non_block_send: true });
    const data = Uint8Array.from(frame.data);
    await bus.send({ id: frame.id, data });
    data.fill(0);
    expect(channel.sent).toEqual([{ id: 0x351, ext: false, rtr: false, data: Buffer.from(frame.data) }]);
    expect(bus.counters.framesSent).toBe(1);
    await bus.close();
  });

  it('keeps the socket through transmit errors while the interface is up, logging one line per run', async () => {
    const { bus, channel, events, log } = await openBus();
    channel.sendResult = -1; // ENOBUFS: nobody acknowledges, or bus-off
    for (let i = 0; i < 3; i++) {
      await expect(bus.send(frame)).rejects.toMatchObject({
        code: 'SEND_FAILED',
        context: { iface: 'can0', canId: 0x351 },
      });
    }
    await allPendingCallbacks(); // the interface checks after each failure
    expect(bus.isOpen).toBe(true);
    expect(mockChannels).toHaveLength(1);
    expect(events.map((event) => event.type)).toEqual(['open', 'error', 'error', 'error']);

    channel.sendResult = 16;
    await bus.send(frame);
    expect(bus.counters).toMatchObject({ sendErrors: 3, framesSent: 1, interfaceLosses: 0 });
    expect(log).toEqual([
      'info can0 open',
      'warn send of 0x351 on can0 failed: the socket refused the frame',
      'info can0 run of 3 failed send(s) ended',
    ]);
    await bus.close();
  });

  it('drops the socket when a send fails on a downed interface and no stop notice comes, then reopens', async () => {
    const { bus, channel, clock, events } = await openBus();
    mockInterfaceState = 'down';
    channel.sendResult = -1;
    const lost = nextEvent(bus, 'close');
    await expect(bus.send(frame)).rejects.toMatchObject({ code: 'SEND_FAILED' });
    expect(await lost).toEqual({ type: 'close', reason: 'interface down' });
    expect(channel.stopCalls).toBe(1);
    expect(bus.isOpen).toBe(false);
    // A late notice from the old channel changes nothing.
    channel.threadEnded();
    expect(events.filter((event) => event.type === 'close')).toHaveLength(1);

    mockInterfaceState = 'up';
    const reopened = nextEvent(bus, 'open');
    await clock.advanceByMs(100);
    await reopened;
    expect(mockChannels).toHaveLength(2);
    await bus.send(frame);
    expect(mockChannels[1].sent).toHaveLength(1);
    expect(bus.counters).toMatchObject({ sendErrors: 1, interfaceLosses: 1, reopens: 1 });
    await bus.close();
  });

  it('treats the binding stopping by itself as a lost interface and retries', async () => {
    const { bus, channel, clock, log } = await openBus();
    mockInterfaceState = 'down';
    channel.threadEnded();
    expect(bus.isOpen).toBe(false);
    expect(log.slice(-2)).toEqual([
      'warn can0 interface down or removed',
      'info can0 reconnect attempt 1 in 100 ms',
    ]);
    await expect(bus.send(frame)).rejects.toMatchObject({ code: 'BUS_CLOSED' });
    const failed = nextEvent(bus, 'error');
    await clock.advanceByMs(100);
    expect(await failed).toMatchObject({ error: { code: 'OPEN_FAILED' } });
    expect(mockChannels).toHaveLength(1); // never binds to a downed interface
    await bus.close();
  });

  it('reports a send the binding throws on as SEND_FAILED with its message', async () => {
    const { bus, channel } = await openBus();
    channel.sendThrows = new Error('Invalid channel!');
    await expect(bus.send(frame)).rejects.toMatchObject({
      code: 'SEND_FAILED',
      message: 'send of 0x351 on can0 failed: Invalid channel!',
    });
    await bus.close();
  });

  it('delivers standard frames, counts the others, and reports bus-off', async () => {
    const { bus, channel, events, frames, log } = await openBus();
    channel.receive({ id: 0x305, data: Buffer.from([1, 2, 3]) });
    channel.receive({ id: 0x18ff50e5, data: Buffer.from([1]), ext: true });
    channel.receive({ id: 0x305, data: Buffer.alloc(0), rtr: true });
    channel.receive({ id: 0x305, data: Buffer.alloc(16) });
    channel.receive({ id: 0x004, data: Buffer.alloc(8), err: true }); // controller problem
    channel.receive({ id: 0x040, data: Buffer.alloc(8), err: true }); // bus-off
    expect(frames).toEqual([{ id: 0x305, data: Uint8Array.of(1, 2, 3) }]);
    expect(bus.counters).toMatchObject({
      framesReceived: 1,
      ignoredExtended: 1,
      ignoredRemote: 1,
      ignoredOversized: 1,
      errorFrames: 2,
      busOffs: 1,
    });
    expect(events.at(-1)).toMatchObject({
      type: 'error',
      error: { code: 'SEND_FAILED', context: { iface: 'can0' } },
    });
    expect(log.at(-1)).toBe('warn can0 is bus-off: nothing is transmitted until the controller restarts');
    await bus.close();
  });

  it('close() stops the channel once and reports it, also when the thread had already ended', async () => {
    const first = await openBus();
    await first.bus.close();
    expect(first.channel.stopCalls).toBe(1);
    expect(first.events.at(-1)).toEqual({ type: 'close', reason: 'closed by request' });

    // The thread saw POLLERR but its notice is still queued: stop() throws "Channel not started".
    const second = await openBus();
    second.channel.threadEndedUnnoticed();
    await second.bus.close();
    expect(second.channel.stopCalls).toBe(1);
    expect(second.events.filter((event) => event.type === 'close')).toEqual([
      { type: 'close', reason: 'closed by request' },
    ]);
    expect(second.bus.isOpen).toBe(false);
  });
});
