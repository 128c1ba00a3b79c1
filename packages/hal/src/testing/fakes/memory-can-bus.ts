import { Subject, Subscription, type Observable } from 'rxjs';
import type { LinkEvent } from '../../byte-link';
import {
  assertSendableCanFrame,
  CanBusError,
  validateMaxSendId,
  type CanBus,
  type CanFrame,
} from '../../can-bus';
import { systemClock, type Clock } from '../../clock';

export interface MemoryCanBusOptions {
  /** Schedules deliveries; a ManualClock makes them happen only when time is advanced. */
  readonly clock?: Clock;
  /** Delay between a send and its arrival at the other nodes (default 0, still asynchronous). */
  readonly latencyMs?: number;
  /** Each node's send limit, as SocketCanBus's `maxSendId` (default 0x3FF, V-1). */
  readonly maxSendId?: number;
}

function frozenCopy(frame: CanFrame): CanFrame {
  return Object.freeze({ id: frame.id, data: Uint8Array.from(frame.data) });
}

/**
 * One node's {@link CanBus} on a {@link MemoryCanBus}, behaving as SocketCanBus on vcan0 does (the
 * CanBus contract in `@tsbms/hal/testing` checks both): it receives every other node's frames,
 * asynchronously and never its own; frames are validated before the closed check; `close()` is
 * final and leaves the other nodes open. Attached open; like SocketCanBus, `events$` reports only
 * what happens after subscribing.
 */
export class MemoryCanNode implements CanBus {
  private readonly framesSubject = new Subject<CanFrame>();
  private readonly eventsSubject = new Subject<LinkEvent>();
  private readonly pending = new Subscription();
  private sendFailure: CanBusError | undefined;
  private open = true;

  readonly frames$: Observable<CanFrame> = this.framesSubject.asObservable();
  readonly events$: Observable<LinkEvent> = this.eventsSubject.asObservable();

  /** @internal nodes are made by {@link MemoryCanBus.attach}. */
  constructor(
    private readonly bus: MemoryCanBus,
    private readonly clock: Clock,
    private readonly latencyMs: number,
    private readonly maxSendId: number,
  ) {}

  get isOpen(): boolean {
    return this.open;
  }

  send(frame: CanFrame): Promise<void> {
    try {
      assertSendableCanFrame(frame, undefined, this.maxSendId);
    } catch (error) {
      return Promise.reject(error);
    }
    if (!this.open)
      return Promise.reject(new CanBusError('BUS_CLOSED', 'cannot send: fake CAN node is closed'));
    if (this.sendFailure) {
      // As SocketCanBus: a refused send is also reported on events$.
      this.eventsSubject.next({ type: 'error', error: this.sendFailure });
      return Promise.reject(this.sendFailure);
    }
    // Copied now: the sender may reuse its buffer once send() returns.
    this.bus.transmit(this, frozenCopy(frame));
    return Promise.resolve();
  }

  /** Makes every following send fail with SEND_FAILED (transmit queue full, bus-off), until `false`. */
  failSends(fail: boolean, message = 'transmit queue full'): void {
    this.sendFailure = fail ? new CanBusError('SEND_FAILED', `fake CAN node: ${message}`) : undefined;
  }

  /** Reports an error without closing, as SocketCanBus does for bus-off. */
  emitError(error: Error): void {
    if (this.open) this.eventsSubject.next({ type: 'error', error });
  }

  /** Detaches from the bus for good: close event, both streams complete, deliveries in flight are lost. */
  close(): Promise<void> {
    if (this.open) {
      this.open = false;
      this.pending.unsubscribe();
      this.bus.detach(this);
      this.eventsSubject.next({ type: 'close', reason: 'closed by request' });
      this.framesSubject.complete();
      this.eventsSubject.complete();
    }
    return Promise.resolve();
  }

  /** @internal called by the bus for every frame another node sent. */
  deliverLater(frame: CanFrame): void {
    if (!this.open) return;
    // Each receiver gets its own copy, as each SocketCAN socket does.
    const copy = frozenCopy(frame);
    const task = this.clock.schedule(() => {
      this.pending.remove(task);
      if (this.open) this.framesSubject.next(copy);
    }, this.latencyMs);
    this.pending.add(task);
  }
}

/**
 * A CAN bus in memory for tests: attach as many nodes as needed; each is a {@link CanBus} that
 * receives what the others send, on the clock.
 */
export class MemoryCanBus {
  private readonly nodes = new Set<MemoryCanNode>();
  private readonly wire: CanFrame[] = [];
  private readonly clock: Clock;
  private readonly maxSendId: number;

  constructor(private readonly options: MemoryCanBusOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.maxSendId = validateMaxSendId(options.maxSendId);
  }

  /** A new node on this bus, open. */
  attach(): MemoryCanNode {
    const node = new MemoryCanNode(this, this.clock, this.options.latencyMs ?? 0, this.maxSendId);
    this.nodes.add(node);
    return node;
  }

  /** Every frame any node put on the bus, oldest first. */
  get framesOnWire(): readonly CanFrame[] {
    return this.wire;
  }

  /** @internal */
  transmit(sender: MemoryCanNode, frame: CanFrame): void {
    this.wire.push(frame);
    for (const node of this.nodes) {
      if (node !== sender) node.deliverLater(frame);
    }
  }

  /** @internal */
  detach(node: MemoryCanNode): void {
    this.nodes.delete(node);
  }
}
