import { Observable, ReplaySubject, Subject, Subscription } from 'rxjs';
import { LinkError, type ByteLink, type LinkEvent } from '../../byte-link';
import type { Clock } from '../../clock';

/**
 * The receiving half shared by the in-memory fakes: chunks are delivered from clock callbacks,
 * never inside `write()`, as a serial device would; `close()` completes `data$` and `events$` and
 * cancels deliveries still in flight, as SerialByteLink's does.
 */
export abstract class FakeLinkEnd implements ByteLink {
  private readonly chunks = new Subject<Uint8Array>();
  private readonly events = new ReplaySubject<LinkEvent>();
  private readonly pending = new Subscription();
  private open = true;
  private received = 0;

  readonly data$: Observable<Uint8Array> = this.chunks.asObservable();
  readonly events$: Observable<LinkEvent> = this.events.asObservable();

  protected constructor(protected readonly clock: Clock) {
    this.events.next({ type: 'open' });
  }

  get isOpen(): boolean {
    return this.open;
  }

  /** Bytes delivered to `data$` so far. */
  get bytesReceived(): number {
    return this.received;
  }

  abstract write(bytes: Uint8Array): Promise<void>;

  /** Closes for good: a close event (unless already shut down), then `data$` and `events$` complete. */
  close(): Promise<void> {
    this.shutDown('closed by host');
    this.events.complete();
    return Promise.resolve();
  }

  /** Reports an error without closing, as a port does for a framing or overrun error. */
  emitError(error: Error): void {
    if (this.open) this.events.next({ type: 'error', error });
  }

  protected closedError(): LinkError {
    return new LinkError('LINK_CLOSED', 'fake link is closed');
  }

  /** Delivers `bytes` after `delayMs`, split into chunks of the given sizes (the rest in one). */
  protected deliverLater(bytes: Uint8Array, delayMs: number, chunkSizes: readonly number[] = []): void {
    if (bytes.length === 0 || !this.open) return;
    const task = this.clock.schedule(() => {
      this.pending.remove(task);
      let at = 0;
      for (const size of chunkSizes) {
        if (at >= bytes.length) break;
        this.deliverNow(bytes.slice(at, at + Math.max(1, size)));
        at += Math.max(1, size);
      }
      if (at < bytes.length) this.deliverNow(bytes.slice(at));
    }, delayMs);
    this.pending.add(task);
  }

  protected shutDown(reason: string): void {
    if (!this.open) return;
    this.open = false;
    this.pending.unsubscribe();
    this.events.next({ type: 'close', reason });
    this.chunks.complete();
  }

  private deliverNow(chunk: Uint8Array): void {
    if (!this.open) return;
    this.received += chunk.length;
    this.chunks.next(chunk);
  }
}
