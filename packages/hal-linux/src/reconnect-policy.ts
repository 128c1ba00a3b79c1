import type { Subscription } from 'rxjs';
import type { Clock } from '@tsbms/hal';
import type { LinkLogger } from './link-logger';

/** How a lost link is retried: the wait doubles after every failed attempt, up to a ceiling. */
export interface ReconnectPolicy {
  /** Wait before the first attempt after the device is lost. */
  readonly initialDelayMs: number;
  /** Ceiling for the wait, so a device that comes back is found within this time. */
  readonly maxDelayMs: number;
}

/** Rejects a policy that would spin (zero wait) or never wait long enough to matter. */
export function validateReconnectPolicy(policy: ReconnectPolicy): ReconnectPolicy {
  const { initialDelayMs, maxDelayMs } = policy;
  if (!Number.isFinite(initialDelayMs) || initialDelayMs <= 0) {
    throw new RangeError(`reconnect.initialDelayMs must be a positive number, got ${initialDelayMs}`);
  }
  if (!Number.isFinite(maxDelayMs) || maxDelayMs < initialDelayMs) {
    throw new RangeError(
      `reconnect.maxDelayMs must be at least initialDelayMs (${initialDelayMs}), got ${maxDelayMs}`,
    );
  }
  return Object.freeze({ initialDelayMs, maxDelayMs });
}

/** The wait before the next attempt, given how many attempts in a row have already failed. */
export function reconnectDelayMs(policy: ReconnectPolicy, failedAttempts: number): number {
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, failedAttempts));
}

export interface ReconnectorOptions {
  /** No policy: never retries by itself. */
  readonly policy?: ReconnectPolicy;
  readonly clock: Clock;
  readonly logger: LinkLogger;
  /** The device, for the log: a path or an interface name. */
  readonly name: string;
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
    const { policy, clock, logger, name, reopen } = this.options;
    if (!policy || this.timer) return;
    const delayMs = reconnectDelayMs(policy, this.failedAttempts);
    const attempt = `${name} reconnect attempt ${this.failedAttempts + 1}`;
    logger.info(`${attempt} in ${delayMs} ms`);
    this.timer = clock.schedule(() => {
      this.timer = undefined;
      logger.info(`${attempt} now`);
      // A failure is reported and rescheduled inside reopen().
      reopen().catch(() => undefined);
    }, delayMs);
  }

  cancel(): void {
    this.timer?.unsubscribe();
    this.timer = undefined;
  }
}
