import type { Observable } from 'rxjs';

/** Something that happened to a link, in the order it happened. */
export type LinkEvent =
  | { readonly type: 'open' }
  | { readonly type: 'close'; readonly reason: string }
  | { readonly type: 'error'; readonly error: Error };

/**
 * A duplex byte stream: a serial port, one end of a pseudo-terminal, an in-memory pipe or an
 * emulated module chain. Received bytes arrive as chunks of whatever size the device delivers,
 * so consumers must reassemble frames themselves.
 */
export interface ByteLink {
  /** Received chunks. Completes when the link is closed for good. */
  readonly data$: Observable<Uint8Array>;
  /** Open, close and error events. Errors never terminate this stream. */
  readonly events$: Observable<LinkEvent>;
  /** True while bytes can be written. */
  readonly isOpen: boolean;
  /** Resolves once the bytes have been handed to the device; rejects with a LinkError when closed. */
  write(bytes: Uint8Array): Promise<void>;
  /** Closes the link. Idempotent. */
  close(): Promise<void>;
  /**
   * The receiver's own error counts since the link opened (a serial port's UART, through the
   * kernel). Absent, or null, when the device does not report them (a pseudo-terminal, a pipe).
   */
  lineErrors?(): LineErrorCounts | null;
}

/** Errors the receiving UART flagged, since the link opened. */
export interface LineErrorCounts {
  /** Bytes whose stop bit was low: the two ends run at different rates, or noise. */
  readonly framingErrors: number;
  /** Bytes lost because the receiver was not read in time. */
  readonly overruns: number;
}

export type LinkErrorCode = 'LINK_CLOSED' | 'LINK_OPEN_FAILED' | 'LINK_WRITE_FAILED';

/** A failure of the link itself, as opposed to a protocol error on a healthy link. */
export class LinkError extends Error {
  constructor(
    readonly code: LinkErrorCode,
    message: string,
    readonly path?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'LinkError';
  }
}
