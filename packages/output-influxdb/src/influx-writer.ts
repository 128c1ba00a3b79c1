import { interval, type Subscription } from 'rxjs';
import { errorMessage, reconnectDelayMs, type Clock, type Logger, type ReconnectPolicy } from '@tsbms/hal';
import { InfluxWriteError, postLines, type InfluxWriteTarget } from './influx-write-request';

/*
 * Batching and delivery: lines wait in a bounded buffer and are posted once per flush interval,
 * one request at a time. A write that may pass later (the network, a timeout, 5xx, 429) keeps its
 * lines at the head of the buffer and is retried with a doubling delay (at least what Retry-After
 * asks); a write InfluxDB refuses (any other 4xx: a wrong token, bucket or line) drops its lines
 * with an error naming the status and InfluxDB's message. When the buffer is full the oldest lines
 * are dropped. Everything is counted; nothing here throws at the caller or makes it wait.
 */

export interface InfluxWriterOptions {
  readonly target: InfluxWriteTarget;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly fetch: typeof globalThis.fetch;
  /** A POST of what is buffered this often. */
  readonly flushIntervalMs: number;
  /** The most lines held (buffered and in flight); beyond, the oldest are dropped. */
  readonly maxBufferedLines: number;
  /** The most one write may take. */
  readonly timeoutMs: number;
  /** The most lines in one POST (default 5000, InfluxDB's recommended batch). */
  readonly maxBatchLines?: number;
  /** Retry delays: from initialDelayMs, doubling to maxDelayMs (default 2 s to 5 min). */
  readonly retry?: ReconnectPolicy;
}

/** What the writer has done since it started. */
export interface InfluxWriterCounters {
  /** Lines InfluxDB accepted (2xx). */
  readonly linesWritten: number;
  /** Lines given up: refused by InfluxDB (4xx), pushed out of a full buffer, or left at stop. */
  readonly linesDropped: number;
  /** POSTs that failed, retried or not. */
  readonly batchesFailed: number;
  /** Why the latest POST failed; null before any failed. */
  readonly lastError: string | null;
  /** Clock time of the latest accepted POST; null before one. */
  readonly lastWriteAtMs: number | null;
  /** Lines waiting (in flight included). */
  readonly bufferedLines: number;
  /** The latest POST failed and nothing has been written since. */
  readonly failing: boolean;
}

export const DEFAULT_MAX_BATCH_LINES = 5000;
export const DEFAULT_RETRY_POLICY: ReconnectPolicy = { initialDelayMs: 2000, maxDelayMs: 300_000 };
/** A Retry-After beyond this is taken as this: lines an hour late are still worth writing. */
export const MAX_RETRY_AFTER_MS = 3_600_000;

export class InfluxWriter {
  private buffer: string[] = [];
  private inFlight: Promise<void> | null = null;
  private inFlightLines = 0;
  private retryTimer: Subscription | null = null;
  /** Retryable failures in a row: the backoff's exponent. */
  private failuresInRow = 0;
  /** A drop for a full buffer has been logged since the last good write. */
  private overflowLogged = false;
  private stopping: Promise<void> | null = null;
  private readonly ticker: Subscription;
  private readonly batchLimit: number;
  private readonly retryPolicy: ReconnectPolicy;
  private readonly totals = {
    linesWritten: 0,
    linesDropped: 0,
    batchesFailed: 0,
    lastError: null as string | null,
    lastWriteAtMs: null as number | null,
    failing: false,
  };

  constructor(private readonly options: InfluxWriterOptions) {
    this.batchLimit = Math.max(
      1,
      Math.min(options.maxBatchLines ?? DEFAULT_MAX_BATCH_LINES, options.maxBufferedLines),
    );
    this.retryPolicy = options.retry ?? DEFAULT_RETRY_POLICY;
    this.ticker = interval(options.flushIntervalMs, options.clock).subscribe(() => this.flush());
  }

  /** Adds lines to the buffer (dropping the oldest when full); ignored once stopped. Never throws. */
  enqueue(lines: readonly string[]): void {
    if (this.stopping !== null || lines.length === 0) return;
    for (const line of lines) this.buffer.push(line);
    this.trim();
  }

  counters(): InfluxWriterCounters {
    return { ...this.totals, bufferedLines: this.buffer.length + this.inFlightLines };
  }

  /**
   * Stops the timers, waits for the request in flight, then posts what is left once (best effort,
   * bounded by the timeout); lines still unwritten then are counted as dropped. Never rejects.
   */
  stop(): Promise<void> {
    this.stopping ??= this.finish();
    return this.stopping;
  }

  private async finish(): Promise<void> {
    this.ticker.unsubscribe();
    this.retryTimer?.unsubscribe();
    this.retryTimer = null;
    await this.inFlight;
    if (this.buffer.length > 0) {
      this.send();
      await this.inFlight;
    }
    const left = this.buffer.length;
    if (left > 0) {
      this.buffer = [];
      this.totals.linesDropped += left;
      this.options.logger.warn(
        { event: 'influxdb', lines: left },
        `influxdb: ${left} line(s) not written at stop`,
      );
    }
  }

  /** The flush interval's tick: a POST unless one is in flight or a retry is waiting. */
  private flush(): void {
    if (this.inFlight !== null || this.retryTimer !== null || this.buffer.length === 0) return;
    this.send();
  }

  private send(): void {
    const batch = this.buffer.splice(0, this.batchLimit);
    this.inFlightLines = batch.length;
    const { target, fetch, clock, timeoutMs } = this.options;
    this.inFlight = postLines({ target, body: batch.join('\n'), fetch, clock, timeoutMs })
      .then(
        () => this.written(batch),
        (error: unknown) => this.failed(batch, error),
      )
      .catch((error: unknown) => {
        // Only a bug of this class's own could land here; a logger that throws, say.
        this.totals.lastError = errorMessage(error);
      })
      .finally(() => {
        this.inFlight = null;
      });
  }

  private written(batch: readonly string[]): void {
    this.inFlightLines = 0;
    this.totals.linesWritten += batch.length;
    this.totals.lastWriteAtMs = this.options.clock.now();
    if (this.totals.failing) this.options.logger.info({ event: 'influxdb' }, 'influxdb: writing again');
    this.totals.failing = false;
    this.failuresInRow = 0;
    this.overflowLogged = false;
  }

  private failed(batch: string[], error: unknown): void {
    this.inFlightLines = 0;
    const failure =
      error instanceof InfluxWriteError
        ? error
        : new InfluxWriteError('UNREACHABLE', errorMessage(error), true);
    const { logger } = this.options;
    this.totals.batchesFailed++;
    this.totals.lastError = failure.message;
    this.totals.failing = true;
    const fields = { event: 'influxdb', status: failure.status, error: failure.message, lines: batch.length };
    if (!failure.retryable) {
      this.totals.linesDropped += batch.length;
      this.failuresInRow = 0;
      logger.error(fields, `influxdb: write refused (${failure.message}); ${batch.length} line(s) dropped`);
      return;
    }
    // Back at the head of the buffer, where a full buffer drops from first.
    this.buffer = [...batch, ...this.buffer];
    this.trim();
    this.failuresInRow++;
    if (this.stopping !== null) return;
    const delayMs = Math.max(
      reconnectDelayMs(this.retryPolicy, this.failuresInRow - 1),
      Math.min(failure.retryAfterMs ?? 0, MAX_RETRY_AFTER_MS),
    );
    // One line when writes start failing, not one per retry.
    if (this.failuresInRow === 1)
      logger.warn(
        { ...fields, retryInMs: delayMs },
        `influxdb: write failed (${failure.message}); retrying in ${delayMs / 1000} s`,
      );
    this.retryTimer = this.options.clock.schedule(() => {
      this.retryTimer = null;
      if (this.buffer.length > 0) this.send();
    }, delayMs);
  }

  /** Drops the oldest waiting lines while more than the bound are held. */
  private trim(): void {
    const excess = this.buffer.length + this.inFlightLines - this.options.maxBufferedLines;
    if (excess <= 0) return;
    const dropped = Math.min(excess, this.buffer.length);
    this.buffer.splice(0, dropped);
    this.totals.linesDropped += dropped;
    if (!this.overflowLogged)
      this.options.logger.warn(
        { event: 'influxdb', dropped, maxBufferedLines: this.options.maxBufferedLines },
        `influxdb: buffer full (${this.options.maxBufferedLines} lines); dropping the oldest`,
      );
    this.overflowLogged = true;
  }
}
