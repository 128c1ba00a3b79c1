import type { Subscription } from 'rxjs';
import type { Clock } from '@tsbms/hal';
import type { RestartDecision } from '../output-service';

/**
 * Every restart opens the contactors, so restarts are rate-limited and coalesced: a burst of
 * commands or saves must not cycle the contactors (30 restart commands once gave 14 openings in
 * 40 s).
 */
export interface RestartPolicy {
  /** At most one restart begins per interval. */
  readonly minIntervalS: number;
  /** A saved change waits this long for further changes, so that a burst is applied by one restart. */
  readonly settleS: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = Object.freeze({ minIntervalS: 60, settleS: 2 });

/**
 * Decides when restarts begin; `begin` receives the reasons of every request the restart serves.
 * - A config change is always accepted (it is saved and must be applied): it joins the pending
 *   restart, or schedules one after the settle time and no earlier than the interval allows.
 * - An operator restart joins a pending one, begins at once otherwise, and is refused within the
 *   interval of the last restart (it has just happened).
 */
export class RestartScheduler {
  private lastBeganMs = Number.NEGATIVE_INFINITY;
  private pending: {
    readonly dueMs: number;
    readonly reasons: string[];
    readonly timer: Subscription;
  } | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly policy: RestartPolicy,
    private readonly begin: (reasons: readonly string[]) => void,
  ) {}

  /** A saved config change must take effect. */
  requestForChange(reason: string): RestartDecision {
    return this.join(reason) ?? this.schedule(reason, this.policy.settleS * 1000);
  }

  /** An operator asks for a restart. */
  requestByOperator(reason: string): RestartDecision {
    const joined = this.join(reason);
    if (joined !== null) return joined;
    const waitMs = this.earliestMs() - this.clock.now();
    if (waitMs > 0) {
      const agoS = Math.round((this.clock.now() - this.lastBeganMs) / 1000);
      return {
        accepted: false,
        reason: `the last restart began ${agoS} s ago: at most one restart every ${this.policy.minIntervalS} s`,
        retryAfterS: Math.ceil(waitMs / 1000),
      };
    }
    return this.schedule(reason, 0);
  }

  /** No restart after this (the controller stops). */
  cancel(): void {
    this.pending?.timer.unsubscribe();
    this.pending = null;
  }

  private earliestMs(): number {
    return this.lastBeganMs + this.policy.minIntervalS * 1000;
  }

  private join(reason: string): RestartDecision | null {
    if (this.pending === null) return null;
    if (!this.pending.reasons.includes(reason)) this.pending.reasons.push(reason);
    return { accepted: true, inS: Math.max(0, this.pending.dueMs - this.clock.now()) / 1000 };
  }

  /** Scheduled on the clock even when due now: the caller answers its client first. */
  private schedule(reason: string, delayMs: number): RestartDecision {
    const nowMs = this.clock.now();
    const dueMs = Math.max(nowMs + delayMs, this.earliestMs());
    const reasons = [reason];
    const timer = this.clock.schedule(() => {
      this.pending = null;
      this.lastBeganMs = this.clock.now();
      this.begin(reasons);
    }, dueMs - nowMs);
    this.pending = { dueMs, reasons, timer };
    return { accepted: true, inS: (dueMs - nowMs) / 1000 };
  }
}
