import type { Clock } from '@tsbms/hal';

export interface FailedAttemptThrottleOptions {
  /** The wait after the first failure; each further failure doubles it. */
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** Beyond this many keys the one that failed longest ago is forgotten: memory stays bounded. */
  readonly maxTrackedKeys: number;
}

/** 1 s, 2 s, 4 s … 5 min: a typo costs a second; a guesser gets about 12 tries an hour. */
export const DEFAULT_FAILED_ATTEMPT_THROTTLE: FailedAttemptThrottleOptions = Object.freeze({
  initialDelayMs: 1000,
  maxDelayMs: 5 * 60_000,
  maxTrackedKeys: 10_000,
});

interface FailureRecord {
  readonly failures: number;
  readonly retryAtMs: number;
}

/**
 * Exponential backoff of credential guesses per key (a client address): after each failure the
 * key must wait twice as long as after the one before, up to `maxDelayMs`; a success forgets it.
 * Callers ask `retryAfterMs` before checking credentials and refuse without checking while it
 * is above 0, so the (deliberately slow) scrypt check is not run for a client that must wait.
 */
export class FailedAttemptThrottle {
  /** In order of the latest failure, oldest first (a Map keeps insertion order). */
  private readonly records = new Map<string, FailureRecord>();

  constructor(
    private readonly clock: Clock,
    private readonly options: FailedAttemptThrottleOptions = DEFAULT_FAILED_ATTEMPT_THROTTLE,
  ) {}

  /** How long `key` must still wait before its next attempt; 0 = it may try now. */
  retryAfterMs(key: string): number {
    const record = this.records.get(key);
    return record === undefined ? 0 : Math.max(0, record.retryAtMs - this.clock.now());
  }

  recordFailure(key: string): void {
    const failures = (this.records.get(key)?.failures ?? 0) + 1;
    const { initialDelayMs, maxDelayMs, maxTrackedKeys } = this.options;
    // 2 ** failures becomes Infinity after 1023 failures, which the cap turns back into maxDelayMs.
    const delayMs = Math.min(maxDelayMs, initialDelayMs * 2 ** (failures - 1));
    this.records.delete(key);
    this.records.set(key, { failures, retryAtMs: this.clock.now() + delayMs });
    if (this.records.size > maxTrackedKeys) {
      const oldest = this.records.keys().next().value as string;
      this.records.delete(oldest);
    }
  }

  recordSuccess(key: string): void {
    this.records.delete(key);
  }
}
