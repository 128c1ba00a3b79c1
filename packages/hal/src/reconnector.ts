import type { Subscription } from 'rxjs';
import type { Clock } from './clock';
import type { LogFields, Logger } from './logger';
import { reconnectDelayMs, type ReconnectPolicy } from './reconnect-policy';

export interface ReconnectorOptions {
  /** No policy: never retries by itself. */
  readonly policy?: ReconnectPolicy;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The device, for the log messages: a path or an interface name. */
  readonly name: string;
  /** The device's fields on every log line, e.g. `{ event: 'serial', path }`. */
  readonly logFields: LogFields;
  /** Opens the device again; a failure must call {@link Reconnector.attemptFailed} and reschedule. */
  readonly reopen: () => Promise<void>;
}

/** Retries a lost device on the clock with the policy's backoff, one pending attempt at a time. */
export class Reconnector {
  private timer?: Subscription;
  private failedAttempts = 0;

  constructor(private readonly options: ReconnectorOptions) {}

  /** An open attempt failed: the next wait doubles. */
  attemptFailed(): void {
    this.failedAttempts++;
  }

  /** The device is open again: the next loss starts from the initial wait. */
  succeeded(): void {
    this.failedAttempts = 0;
  }

  schedule(): void {
    const { policy, clock, logger, name, logFields, reopen } = this.options;
    if (!policy || this.timer) return;
    const delayMs = reconnectDelayMs(policy, this.failedAttempts);
    const reconnectAttempt = this.failedAttempts + 1;
    const attempt = `${name} reconnect attempt ${reconnectAttempt}`;
    logger.info({ ...logFields, reconnectAttempt, delayMs }, `${attempt} in ${delayMs} ms`);
    this.timer = clock.schedule(() => {
      this.timer = undefined;
      logger.info({ ...logFields, reconnectAttempt }, `${attempt} now`);
      // A failure is reported and rescheduled inside reopen().
      reopen().catch(() => undefined);
    }, delayMs);
  }

  cancel(): void {
    this.timer?.unsubscribe();
    this.timer = undefined;
  }
}
