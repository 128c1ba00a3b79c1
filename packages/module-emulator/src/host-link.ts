import { Observable, ReplaySubject, Subject } from 'rxjs';
import { LinkError, type ByteLink, type LinkEvent } from '@tsbms/hal';

/**
 * The host's end of an emulated loop, as a {@link ByteLink}. Writes go to `sendToChain`; the
 * chain pushes received chunks with {@link deliver}. Chunks are always delivered from a clock
 * callback, never inside `write()`, as a serial device would.
 */
export class HostLink implements ByteLink {
  private readonly chunks = new Subject<Uint8Array>();
  private readonly events = new ReplaySubject<LinkEvent>();
  private open = true;

  readonly data$: Observable<Uint8Array> = this.chunks.asObservable();
  readonly events$: Observable<LinkEvent> = this.events.asObservable();

  constructor(
    private readonly sendToChain: (bytes: Uint8Array) => void,
    private readonly onClose: () => void,
  ) {
    this.events.next({ type: 'open' });
  }

  get isOpen(): boolean {
    return this.open;
  }

  write(bytes: Uint8Array): Promise<void> {
    if (!this.open) {
      return Promise.reject(new LinkError('LINK_CLOSED', 'emulated link is closed'));
    }
    // Copy: the caller may reuse its buffer once write() resolves.
    this.sendToChain(Uint8Array.from(bytes));
    return Promise.resolve();
  }

  close(): Promise<void> {
    if (this.open) {
      this.open = false;
      this.onClose();
      this.events.next({ type: 'close', reason: 'closed by host' });
      this.chunks.complete();
    }
    return Promise.resolve();
  }

  /** Called by the chain when a chunk reaches the host. Ignored once closed. */
  deliver(chunk: Uint8Array): void {
    if (this.open) this.chunks.next(chunk);
  }
}
