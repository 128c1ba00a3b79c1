import { Subject, type Observable } from 'rxjs';
import { SerialPortStream } from '@serialport/stream';
import type { LinuxBindingInterface } from '@serialport/bindings-cpp';
import {
  LinkError,
  Reconnector,
  silentLogger,
  systemClock,
  validateReconnectPolicy,
  type ByteLink,
  type Clock,
  type LinkEvent,
  type LineErrorCounts,
  type LogFields,
  type Logger,
  type ReconnectPolicy,
} from '@tsbms/hal';
import { hangupAwareLinuxBinding } from './hangup-aware-binding';
import { readLineErrorCounts } from './serial-line-errors';

/** The bq76PL536A loop speed, 24.5 MHz / 40 (T-1). */
export const DEFAULT_BAUD_RATE = 612500;
/** collin80's rate, which works with both old and newer board revisions (T-1). */
export const ALTERNATIVE_BAUD_RATE = 617647;

export interface SerialByteLinkOptions {
  /** Device or pseudo-terminal path, e.g. `/dev/ttyUSB0`. */
  readonly path: string;
  /** 8N1 at this rate; default {@link DEFAULT_BAUD_RATE}, see also {@link ALTERNATIVE_BAUD_RATE}. */
  readonly baudRate?: number;
  /** Reopen automatically after the device is lost or an open fails. Off when absent. */
  readonly reconnect?: ReconnectPolicy;
  /** Times the reconnect backoff. Default {@link systemClock}. */
  readonly clock?: Clock;
  /** Receives progress of losing and regaining the device. Default silent. */
  readonly logger?: Logger;
  /** Reads the UART's error counters of an open fd; default the kernel's (TIOCGICOUNT, {@link readLineErrorCounts}). */
  readonly readLineErrors?: (fd: number) => LineErrorCounts | null;
}

type SerialPort = SerialPortStream<LinuxBindingInterface>;

/** One opened port object. Each open makes a new one: a destroyed Node stream cannot be reused. */
interface Connection {
  readonly port: SerialPort;
  /** Rejecters of writes still waiting for their drain, failed when the port closes under them. */
  readonly pendingWrites: Set<(error: LinkError) => void>;
  closeRequested: boolean;
  lastError?: Error;
  /** The UART's counters when this port opened (they count from the driver's start); null: none. */
  readonly lineErrorsAtOpen: LineErrorCounts | null;
}

/**
 * A {@link ByteLink} over a serial port (USB adapter or pseudo-terminal) via serialport's stream
 * and Linux binding.
 *
 * `data$` and `events$` outlive the port objects, so subscribers keep receiving across a reopen.
 * `close()` is final: it completes both streams. After the device is lost (USB unplugged, pty peer
 * gone) `open()` can be called again, or the link retries by itself when `reconnect` is set.
 */
export class SerialByteLink implements ByteLink {
  readonly path: string;
  readonly baudRate: number;
  readonly data$: Observable<Uint8Array>;
  readonly events$: Observable<LinkEvent>;

  private readonly dataSubject = new Subject<Uint8Array>();
  private readonly eventsSubject = new Subject<LinkEvent>();
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly logFields: LogFields;
  private connection?: Connection;
  private opening?: Promise<void>;
  private closing?: Promise<void>;
  private readonly reconnector: Reconnector;
  private readonly readLineErrors: (fd: number) => LineErrorCounts | null;

  constructor(options: SerialByteLinkOptions) {
    this.path = options.path;
    this.baudRate = options.baudRate ?? DEFAULT_BAUD_RATE;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.readLineErrors = options.readLineErrors ?? ((fd) => readLineErrorCounts(fd));
    this.logFields = { event: 'serial', path: this.path };
    this.reconnector = new Reconnector({
      policy: options.reconnect && validateReconnectPolicy(options.reconnect),
      clock: this.clock,
      logger: this.logger,
      name: this.path,
      logFields: this.logFields,
      reopen: () => this.open(),
    });
    this.data$ = this.dataSubject.asObservable();
    this.events$ = this.eventsSubject.asObservable();
  }

  get isOpen(): boolean {
    return this.connection?.port.isOpen === true;
  }

  /**
   * Opens the port; resolves at once if it is already open. Rejects with LINK_OPEN_FAILED (and
   * reports an error event); with `reconnect` set, a failed open also starts the retries.
   */
  open(): Promise<void> {
    if (this.closing) return Promise.reject(this.closedError('open'));
    if (this.isOpen) return Promise.resolve();
    if (this.connection) {
      return Promise.reject(
        new LinkError('LINK_OPEN_FAILED', `${this.path} is still closing; open it again later`, this.path),
      );
    }
    this.reconnector.cancel();
    this.opening ??= this.openPort().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  /** Resolves once the bytes have been transmitted (`drain`). */
  write(bytes: Uint8Array): Promise<void> {
    const connection = this.connection;
    if (!connection || !connection.port.isOpen) return Promise.reject(this.closedError('write'));
    return new Promise<void>((resolve, reject) => {
      const fail = (error: LinkError): void => {
        if (connection.pendingWrites.delete(fail)) reject(error);
      };
      const succeed = (): void => {
        if (connection.pendingWrites.delete(fail)) resolve();
      };
      connection.pendingWrites.add(fail);
      connection.port.write(Buffer.from(bytes), (writeError) => {
        if (writeError) return fail(this.writeFailedError(writeError));
        connection.port.drain((drainError) =>
          drainError ? fail(this.writeFailedError(drainError)) : succeed(),
        );
      });
    });
  }

  /** Closes the port for good, stops reconnecting and completes `data$` and `events$`. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.closeForGood();
    return this.closing;
  }

  private async closeForGood(): Promise<void> {
    this.reconnector.cancel();
    await this.opening?.catch(() => undefined);
    const connection = this.connection;
    if (connection) await this.closePort(connection);
    this.dataSubject.complete();
    this.eventsSubject.complete();
  }

  private openPort(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const failed = (cause: unknown): void => {
        const error = this.openFailedError(cause);
        this.reconnector.attemptFailed();
        this.logger.warn({ ...this.logFields, code: error.code }, error.message);
        this.eventsSubject.next({ type: 'error', error });
        if (!this.closing) this.reconnector.schedule();
        reject(error);
      };
      let port: SerialPort;
      try {
        port = new SerialPortStream({
          binding: hangupAwareLinuxBinding,
          path: this.path,
          baudRate: this.baudRate,
          dataBits: 8,
          parity: 'none',
          stopBits: 1,
          autoOpen: false,
        });
      } catch (cause) {
        failed(cause);
        return;
      }
      port.open((openError) => {
        if (openError) return failed(openError);
        this.attach(port);
        resolve();
      });
    });
  }

  /**
   * Framing errors and overruns the UART counted since this port opened; null when the device
   * does not count them (a pseudo-terminal) or the port is not open.
   */
  lineErrors(): LineErrorCounts | null {
    const connection = this.connection;
    const fd = connection === undefined ? null : fdOf(connection.port);
    if (connection === undefined || fd === null || connection.lineErrorsAtOpen === null) return null;
    const now = this.readLineErrors(fd);
    if (now === null) return null;
    return {
      framingErrors: now.framingErrors - connection.lineErrorsAtOpen.framingErrors,
      overruns: now.overruns - connection.lineErrorsAtOpen.overruns,
    };
  }

  private attach(port: SerialPort): void {
    const fd = fdOf(port);
    const connection: Connection = {
      port,
      pendingWrites: new Set(),
      closeRequested: false,
      lineErrorsAtOpen: fd === null ? null : this.readLineErrors(fd),
    };
    port.on('data', (chunk: Buffer) => {
      if (this.connection === connection) this.dataSubject.next(Uint8Array.from(chunk));
    });
    // Kept on stale ports too: an 'error' without a listener would crash the process.
    port.on('error', (error: Error) => {
      connection.lastError = error;
      if (this.connection === connection) this.eventsSubject.next({ type: 'error', error });
    });
    port.on('close', (disconnect?: Error | null) => this.onPortClosed(connection, disconnect ?? undefined));
    this.connection = connection;
    this.reconnector.succeeded();
    this.logger.info(
      { ...this.logFields, baudRate: this.baudRate },
      `${this.path} open at ${this.baudRate} baud`,
    );
    this.eventsSubject.next({ type: 'open' });
  }

  private closePort(connection: Connection): Promise<void> {
    connection.closeRequested = true;
    return new Promise<void>((resolve) => {
      if (!connection.port.isOpen) {
        this.onPortClosed(connection);
        resolve();
        return;
      }
      connection.port.close((closeError) => {
        if (closeError) this.eventsSubject.next({ type: 'error', error: closeError });
        this.onPortClosed(connection);
        resolve();
      });
    });
  }

  /** Runs once per connection; a stream can report 'close' twice (destroy, then the binding). */
  private onPortClosed(connection: Connection, disconnect?: Error): void {
    if (this.connection !== connection) return;
    this.connection = undefined;
    const writeError = this.closedError('write');
    for (const fail of [...connection.pendingWrites]) fail(writeError);
    // A stream destroyed by a failed write leaves the file descriptor open.
    if (connection.port.isOpen) connection.port.close(() => undefined);
    if (connection.closeRequested) {
      this.logger.info(this.logFields, `${this.path} closed`);
      this.eventsSubject.next({ type: 'close', reason: 'closed by request' });
      return;
    }
    const cause = disconnect ?? connection.lastError;
    const reason = cause ? `device lost: ${cause.message}` : 'device lost';
    this.logger.warn({ ...this.logFields, reason }, `${this.path} ${reason}`);
    this.eventsSubject.next({ type: 'close', reason });
    if (!this.closing) this.reconnector.schedule();
  }

  private closedError(operation: 'open' | 'write'): LinkError {
    return new LinkError('LINK_CLOSED', `cannot ${operation}: ${this.path} is closed`, this.path);
  }

  private writeFailedError(cause: Error): LinkError {
    const message = `write to ${this.path} failed: ${cause.message}`;
    return new LinkError('LINK_WRITE_FAILED', message, this.path, { cause });
  }

  private openFailedError(cause: unknown): LinkError {
    const detail = cause instanceof Error ? cause.message : String(cause);
    return new LinkError(
      'LINK_OPEN_FAILED',
      `cannot open ${this.path} at ${this.baudRate} baud: ${detail}`,
      this.path,
      { cause },
    );
  }
}

/** The open port's file descriptor (serialport's Linux binding keeps it), null when closed. */
function fdOf(port: SerialPort): number | null {
  return port.port?.fd ?? null;
}
