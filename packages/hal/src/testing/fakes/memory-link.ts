import { systemClock, type Clock } from '../../clock';
import type { ByteLink } from '../../byte-link';
import { FakeLinkEnd } from './fake-link-end';

export interface MemoryLinkOptions {
  /** Schedules deliveries; a ManualClock makes them happen only when time is advanced. */
  readonly clock?: Clock;
  /** Delay between a write on one end and its arrival at the other (default 0, still asynchronous). */
  readonly latencyMs?: number;
  /** Split every write into chunks of at most this many bytes (default: one chunk per write). */
  readonly maxChunkBytes?: number;
}

class MemoryLinkEnd extends FakeLinkEnd {
  peer: MemoryLinkEnd | undefined;
  private sent = 0;

  constructor(
    clock: Clock,
    private readonly options: MemoryLinkOptions,
  ) {
    super(clock);
  }

  get bytesWritten(): number {
    return this.sent;
  }

  write(bytes: Uint8Array): Promise<void> {
    if (!this.isOpen) return Promise.reject(this.closedError());
    this.sent += bytes.length;
    // Copy: the writer may reuse its buffer once write() resolves.
    this.peer?.receive(Uint8Array.from(bytes));
    return Promise.resolve();
  }

  /** The connection is gone (see {@link MemoryLinkPair.disconnect}). */
  lose(reason: string): void {
    this.shutDown(reason);
  }

  private receive(bytes: Uint8Array): void {
    const max = this.options.maxChunkBytes;
    const sizes = max && max > 0 ? new Array<number>(Math.ceil(bytes.length / max)).fill(max) : [];
    this.deliverLater(bytes, this.options.latencyMs ?? 0, sizes);
  }
}

export interface MemoryLinkPair {
  readonly a: ByteLink & {
    readonly bytesWritten: number;
    readonly bytesReceived: number;
  };
  readonly b: ByteLink & {
    readonly bytesWritten: number;
    readonly bytesReceived: number;
  };
  /**
   * The connection vanishes (socat exits, the adapter is unplugged): both ends report a close
   * with `reason`, `data$` completes, writes reject with LINK_CLOSED and deliveries in flight are lost.
   */
  disconnect(reason?: string): void;
}

/**
 * Two connected in-memory links: what one writes the other receives, asynchronously. They behave
 * as two SerialByteLinks on a socat pty pair do (the ByteLink contract in `@tsbms/hal/testing`
 * checks both): closing one end leaves the other open, its writes then go nowhere.
 */
export function createMemoryLinkPair(options: MemoryLinkOptions = {}): MemoryLinkPair {
  const clock = options.clock ?? systemClock;
  const a = new MemoryLinkEnd(clock, options);
  const b = new MemoryLinkEnd(clock, options);
  a.peer = b;
  b.peer = a;
  const disconnect = (reason = 'device lost'): void => {
    a.lose(reason);
    b.lose(reason);
  };
  return { a, b, disconnect };
}
