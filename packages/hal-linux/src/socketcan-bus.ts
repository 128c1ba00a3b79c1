import { Subject, type Observable } from 'rxjs';
import type { RawChannel, RawMessage } from 'socketcan';
import {
  assertSendableCanFrame,
  validateMaxSendId,
  CanBusError,
  Reconnector,
  silentLogger,
  systemClock,
  validateReconnectPolicy,
  type CanBus,
  type CanFrame,
  type Clock,
  type LinkEvent,
  type LogFields,
  type Logger,
  type ReconnectPolicy,
} from '@tsbms/hal';
import { isValidInterfaceName, readInterfaceState, type InterfaceState } from './network-interface';
import { classifyReceivedMessage } from './socketcan-message';

export interface SocketCanBusOptions {
  /** SocketCAN interface, e.g. `can0` or `vcan0`. */
  readonly iface: string;
  /** Reopen automatically after the interface goes down or an open fails. Off when absent. */
  readonly reconnect?: ReconnectPolicy;
  /** Times the reconnect backoff. Default {@link systemClock}. */
  readonly clock?: Clock;
  /** Receives losing and regaining the interface and transmit errors. Default silent. */
  readonly logger?: Logger;
  /**
   * The highest id this bus sends: 0x3FF by default, because a Victron GX folds higher ids (V-1);
   * up to 0x7FF on a bus that carries no GX (a shunt's own bus, an emulator).
   */
  readonly maxSendId?: number;
}

/** Running totals since construction, for status output. */
export interface SocketCanBusCounters {
  /** Frames handed to the socket. */
  readonly framesSent: number;
  /** Standard data frames delivered on `frames$`. */
  readonly framesReceived: number;
  /** Sends the socket refused (SEND_FAILED): interface down, transmit queue full, bus-off. */
  readonly sendErrors: number;
  /** Sends refused because no socket was open (BUS_CLOSED). */
  readonly sendsWhileClosed: number;
  /** Sends refused by validation (INVALID_FRAME). */
  readonly invalidFrames: number;
  /** Received and dropped: 29-bit frames (tsBMS speaks CAN 2.0A only). */
  readonly ignoredExtended: number;
  /** Received and dropped: remote frames. */
  readonly ignoredRemote: number;
  /** Received and dropped: CAN FD frames with more than 8 bytes. */
  readonly ignoredOversized: number;
  /** Error frames from the controller (all classes), dropped. */
  readonly errorFrames: number;
  /** Error frames announcing bus-off. */
  readonly busOffs: number;
  /** Times the open socket stopped without close(): interface down or removed. */
  readonly interfaceLosses: number;
  /** Opens that failed (including reconnect attempts). */
  readonly openFailures: number;
  /** Successful opens after the first one. */
  readonly reopens: number;
}

type MutableCounters = { -readonly [K in keyof SocketCanBusCounters]: number };

/** One opened socket. The binding cannot restart a stopped channel, so each open makes a new one. */
interface Connection {
  readonly channel: RawChannel;
  closeRequested: boolean;
  /** Set when the adapter itself found the interface gone, before it stops the channel. */
  lossReason?: string;
}

/**
 * A {@link CanBus} over a SocketCAN raw socket (the `socketcan` package).
 *
 * Sends never block: the socket uses MSG_DONTWAIT, so a full transmit queue (nobody acknowledging
 * on the bus, bus-off) fails the send instead of stalling the event loop (V-3). Only classic
 * 11-bit data frames of at most 8 bytes come out of `frames$`; other frames are counted.
 *
 * `frames$` and `events$` outlive the sockets, so subscribers keep receiving across a reopen.
 * `close()` is final: it completes both streams. After the interface went down, `open()` can be
 * called again, or the bus retries by itself when `reconnect` is set.
 */
export class SocketCanBus implements CanBus {
  readonly iface: string;
  readonly frames$: Observable<CanFrame>;
  readonly events$: Observable<LinkEvent>;

  private readonly framesSubject = new Subject<CanFrame>();
  private readonly eventsSubject = new Subject<LinkEvent>();
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly logFields: LogFields;
  private readonly totals: MutableCounters = {
    framesSent: 0,
    framesReceived: 0,
    sendErrors: 0,
    sendsWhileClosed: 0,
    invalidFrames: 0,
    ignoredExtended: 0,
    ignoredRemote: 0,
    ignoredOversized: 0,
    errorFrames: 0,
    busOffs: 0,
    interfaceLosses: 0,
    openFailures: 0,
    reopens: 0,
  };
  private connection?: Connection;
  private opening?: Promise<void>;
  private closing?: Promise<void>;
  private readonly reconnector: Reconnector;
  private everOpened = false;
  private readonly maxSendId: number;
  /** Transmit errors in a row; only the first of a run is logged, the end of the run once. */
  private sendErrorRun = 0;

  constructor(options: SocketCanBusOptions) {
    this.iface = options.iface;
    this.maxSendId = validateMaxSendId(options.maxSendId);
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.logFields = { event: 'can', interface: this.iface };
    this.reconnector = new Reconnector({
      policy: options.reconnect && validateReconnectPolicy(options.reconnect),
      clock: this.clock,
      logger: this.logger,
      name: this.iface,
      logFields: this.logFields,
      reopen: () => this.open(),
    });
    this.frames$ = this.framesSubject.asObservable();
    this.events$ = this.eventsSubject.asObservable();
  }

  get isOpen(): boolean {
    return this.connection !== undefined;
  }

  /** A snapshot of the totals. */
  get counters(): SocketCanBusCounters {
    return Object.freeze({ ...this.totals });
  }

  /**
   * Opens a socket on the interface; resolves at once if one is open. Rejects with OPEN_FAILED
   * when the interface is missing, down or not CAN (and reports an error event); with
   * `reconnect` set, a failed open also starts the retries.
   */
  open(): Promise<void> {
    if (this.closing) return Promise.reject(this.closedError('open'));
    if (this.connection) return Promise.resolve();
    this.reconnector.cancel();
    this.opening ??= this.openChannel().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  /**
   * Hands the frame to the socket (standard id, never RTR). Resolves once the kernel accepted it.
   * Rejects with INVALID_FRAME before anything else (V-1), BUS_CLOSED without an open socket,
   * SEND_FAILED when the socket refuses it; the last is also reported on `events$`.
   */
  send(frame: CanFrame): Promise<void> {
    try {
      assertSendableCanFrame(frame, this.iface, this.maxSendId);
    } catch (error) {
      this.totals.invalidFrames++;
      return Promise.reject(error);
    }
    const connection = this.connection;
    if (!connection) {
      this.totals.sendsWhileClosed++;
      return Promise.reject(this.closedError('send'));
    }
    let result: unknown;
    try {
      result = connection.channel.send({
        id: frame.id,
        ext: false,
        rtr: false,
        data: Buffer.from(frame.data),
      });
    } catch (cause) {
      result = cause;
    }
    if (typeof result === 'number' && result >= 0) {
      this.totals.framesSent++;
      this.endSendErrorRun();
      return Promise.resolve();
    }
    const error = this.sendFailedError(frame.id, result);
    this.totals.sendErrors++;
    if (this.sendErrorRun++ === 0) this.logger.warn({ ...this.logFields, canId: frame.id }, error.message);
    this.eventsSubject.next({ type: 'error', error });
    void this.dropIfInterfaceGone(connection);
    return Promise.reject(error);
  }

  /** Stops the socket for good, stops reconnecting and completes `frames$` and `events$`. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.closeForGood();
    return this.closing;
  }

  private async closeForGood(): Promise<void> {
    this.reconnector.cancel();
    await this.opening?.catch(() => undefined);
    const connection = this.connection;
    if (connection) {
      connection.closeRequested = true;
      this.stopChannel(connection);
    }
    this.framesSubject.complete();
    this.eventsSubject.complete();
  }

  private async openChannel(): Promise<void> {
    try {
      await this.assertInterfaceUp();
      // Loaded on first open: socketcan pulls in an XML parser for its databases, which a daemon
      // without CAN never needs (issue 12 footprint).
      const { createRawChannelWithOptions } = require('socketcan') as typeof import('socketcan');
      this.attach(createRawChannelWithOptions(this.iface, { non_block_send: true }));
    } catch (cause) {
      const error = this.openFailedError(cause);
      this.totals.openFailures++;
      this.reconnector.attemptFailed();
      this.logger.warn({ ...this.logFields, code: error.code }, error.message);
      this.eventsSubject.next({ type: 'error', error });
      if (!this.closing) this.reconnector.schedule();
      throw error;
    }
  }

  private async assertInterfaceUp(): Promise<void> {
    if (!isValidInterfaceName(this.iface)) throw new Error('not a valid interface name');
    const state = await readInterfaceState(this.iface);
    if (state === 'missing') throw new Error('no such interface');
    if (state === 'down') throw new Error('interface is down');
  }

  /** Starts the channel's receive thread (which may throw) before anything else changes. */
  private attach(channel: RawChannel): void {
    const connection: Connection = { channel, closeRequested: false };
    channel.addListener('onMessage', (message) => {
      if (this.connection === connection) this.onMessage(message);
    });
    channel.addListener('onStopped', () => this.onChannelStopped(connection));
    channel.start();
    this.connection = connection;
    this.reconnector.succeeded();
    if (this.everOpened) this.totals.reopens++;
    this.everOpened = true;
    this.logger.info(this.logFields, `${this.iface} open`);
    this.eventsSubject.next({ type: 'open' });
  }

  private onMessage(message: RawMessage): void {
    const received = classifyReceivedMessage(message);
    switch (received.kind) {
      case 'frame':
        this.totals.framesReceived++;
        this.framesSubject.next(received.frame);
        return;
      case 'extended':
        this.totals.ignoredExtended++;
        return;
      case 'remote':
        this.totals.ignoredRemote++;
        return;
      case 'oversized':
        this.totals.ignoredOversized++;
        return;
      case 'error':
        this.totals.errorFrames++;
        if (received.busOff) this.reportBusOff();
        return;
    }
  }

  /** Bus-off: the controller has stopped transmitting; the kernel restarts it if `restart-ms` is set. */
  private reportBusOff(): void {
    this.totals.busOffs++;
    const error = new CanBusError(
      'SEND_FAILED',
      `${this.iface} is bus-off: nothing is transmitted until the controller restarts`,
      { iface: this.iface },
    );
    this.logger.warn({ ...this.logFields, busOff: true }, error.message);
    this.eventsSubject.next({ type: 'error', error });
  }

  /**
   * The binding reports a downed interface by stopping the channel, but a send that fails first
   * can consume the socket's pending error, and then no stop ever comes. So after a transmit
   * error the interface is checked: if it is no longer up, the socket is dropped and reopened with
   * backoff; if it is up (transmit queue full, bus-off), the socket is kept.
   */
  private async dropIfInterfaceGone(connection: Connection): Promise<void> {
    let state: InterfaceState;
    try {
      state = await readInterfaceState(this.iface);
    } catch (error) {
      this.logger.error(
        { ...this.logFields, error: String(error) },
        `cannot read the state of ${this.iface}: ${String(error)}`,
      );
      return;
    }
    if (state === 'up' || this.connection !== connection) return;
    connection.lossReason = state === 'down' ? 'interface down' : 'interface removed';
    this.stopChannel(connection);
  }

  private stopChannel(connection: Connection): void {
    try {
      // Calls onStopped synchronously.
      connection.channel.stop();
    } catch {
      // "Channel not started": the receive thread already ended and its onStopped is queued.
    }
    this.onChannelStopped(connection);
  }

  /** Runs once per connection: after stop() and again if the thread's own notice was queued. */
  private onChannelStopped(connection: Connection): void {
    if (this.connection !== connection) return;
    this.connection = undefined;
    this.endSendErrorRun();
    if (connection.closeRequested) {
      this.logger.info(this.logFields, `${this.iface} closed`);
      this.eventsSubject.next({ type: 'close', reason: 'closed by request' });
      return;
    }
    this.totals.interfaceLosses++;
    const reason = connection.lossReason ?? 'interface down or removed';
    this.logger.warn({ ...this.logFields, reason }, `${this.iface} ${reason}`);
    this.eventsSubject.next({ type: 'close', reason });
    if (!this.closing) this.reconnector.schedule();
  }

  private endSendErrorRun(): void {
    if (this.sendErrorRun === 0) return;
    this.logger.info(
      { ...this.logFields, failedSends: this.sendErrorRun },
      `${this.iface} run of ${this.sendErrorRun} failed send(s) ended`,
    );
    this.sendErrorRun = 0;
  }

  private closedError(operation: 'open' | 'send'): CanBusError {
    return new CanBusError('BUS_CLOSED', `cannot ${operation}: ${this.iface} is closed`, {
      iface: this.iface,
    });
  }

  /** `result` is send(2)'s -1 or what the binding threw. */
  private sendFailedError(canId: number, result: unknown): CanBusError {
    const refused = typeof result === 'number';
    const detail = refused ? 'the socket refused the frame' : messageOf(result);
    return new CanBusError(
      'SEND_FAILED',
      `send of 0x${canId.toString(16)} on ${this.iface} failed: ${detail}`,
      { iface: this.iface, canId },
      refused ? undefined : { cause: result },
    );
  }

  private openFailedError(cause: unknown): CanBusError {
    const detail = messageOf(cause);
    return new CanBusError(
      'OPEN_FAILED',
      `cannot open CAN interface ${this.iface}: ${detail}`,
      {
        iface: this.iface,
      },
      { cause },
    );
  }
}

/** The message of an error thrown anywhere, also by native code or another realm (`instanceof Error` fails there). */
function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}
