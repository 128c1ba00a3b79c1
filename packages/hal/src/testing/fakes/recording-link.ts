import { Observable, share, tap } from 'rxjs';
import type { ByteLink, LinkEvent } from '../../byte-link';

/**
 * Wraps any {@link ByteLink} and counts what crosses it, so byte-cost assertions work the same
 * over a ScriptedLink, a memory pair or the module emulator.
 */
export class RecordingLink implements ByteLink {
  private sent = 0;
  private received = 0;
  private readonly recorded: Uint8Array[] = [];

  readonly data$: Observable<Uint8Array>;
  readonly events$: Observable<LinkEvent>;

  constructor(private readonly inner: ByteLink) {
    this.events$ = inner.events$;
    // Shared so that several subscribers do not count a chunk twice.
    this.data$ = inner.data$.pipe(
      tap((chunk) => (this.received += chunk.length)),
      share(),
    );
  }

  get isOpen(): boolean {
    return this.inner.isOpen;
  }

  get bytesWritten(): number {
    return this.sent;
  }

  /** Bytes received while at least one subscriber listened to `data$`. */
  get bytesReceived(): number {
    return this.received;
  }

  get writes(): readonly Uint8Array[] {
    return this.recorded;
  }

  /** Starts counting from zero (e.g. after discovery, before the scan being measured). */
  resetCounts(): void {
    this.sent = 0;
    this.received = 0;
    this.recorded.length = 0;
  }

  async write(bytes: Uint8Array): Promise<void> {
    await this.inner.write(bytes);
    this.sent += bytes.length;
    this.recorded.push(Uint8Array.from(bytes));
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
