import { Subject, type Subscription } from 'rxjs';
import { CanBusError, type CanFrame, type LinkEvent } from '@tsbms/hal';
import type { CanBusSettings, CanOutputBus } from '../can-output';

/**
 * A CAN interface in memory that behaves like SocketCanBus: open() fails while the interface is
 * missing or down and then retries on the clock after the policy's initial delay; taking the
 * interface down closes the socket and retries the same way; sends fail synchronously-fast.
 */
export class FakeCanBus implements CanOutputBus {
  readonly frames$ = new Subject<CanFrame>();
  readonly events$ = new Subject<LinkEvent>();
  /** Every frame that reached the wire, with the clock time it was sent at. */
  readonly sent: Array<{ atMs: number; frame: CanFrame }> = [];
  interfaceUp: boolean;
  /** While true, sends on the open socket fail (transmit queue full, bus-off). */
  failSends = false;
  openAttempts = 0;
  closed = false;
  private socketOpen = false;
  private retry?: Subscription;
  private readonly totals = {
    framesSent: 0,
    sendErrors: 0,
    sendsWhileClosed: 0,
    busOffs: 0,
    interfaceLosses: 0,
    reopens: 0,
  };

  constructor(
    private readonly settings: CanBusSettings,
    interfaceUp = true,
  ) {
    this.interfaceUp = interfaceUp;
  }

  get isOpen(): boolean {
    return this.socketOpen;
  }

  get counters() {
    return { ...this.totals };
  }

  open(): Promise<void> {
    this.openAttempts++;
    if (!this.interfaceUp) {
      const error = new CanBusError(
        'OPEN_FAILED',
        `cannot open CAN interface ${this.settings.iface}: no such interface`,
      );
      this.events$.next({ type: 'error', error });
      this.scheduleRetry();
      return Promise.reject(error);
    }
    if (this.openAttempts > 1) this.totals.reopens++;
    this.socketOpen = true;
    this.events$.next({ type: 'open' });
    return Promise.resolve();
  }

  send(frame: CanFrame): Promise<void> {
    if (!this.socketOpen) {
      this.totals.sendsWhileClosed++;
      return Promise.reject(new CanBusError('BUS_CLOSED', `cannot send: ${this.settings.iface} is closed`));
    }
    if (this.failSends) {
      this.totals.sendErrors++;
      const error = new CanBusError(
        'SEND_FAILED',
        `send of 0x${frame.id.toString(16)} on ${this.settings.iface} failed`,
      );
      this.events$.next({ type: 'error', error });
      return Promise.reject(error);
    }
    this.totals.framesSent++;
    this.sent.push({ atMs: this.settings.clock.now(), frame });
    return Promise.resolve();
  }

  /** The interface goes down: the socket stops and the bus retries. */
  takeDown(): void {
    this.interfaceUp = false;
    if (!this.socketOpen) return;
    this.socketOpen = false;
    this.totals.interfaceLosses++;
    this.events$.next({ type: 'close', reason: 'interface down' });
    this.scheduleRetry();
  }

  /** Another node (the GX) puts a frame on the bus. */
  receive(frame: CanFrame): void {
    this.frames$.next(frame);
  }

  close(): Promise<void> {
    this.closed = true;
    this.retry?.unsubscribe();
    this.socketOpen = false;
    this.frames$.complete();
    this.events$.complete();
    return Promise.resolve();
  }

  private scheduleRetry(): void {
    this.retry?.unsubscribe();
    this.retry = this.settings.clock.schedule(() => {
      this.open().catch(() => undefined);
    }, this.settings.reconnect.initialDelayMs);
  }
}
