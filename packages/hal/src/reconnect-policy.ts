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
