import { Subscription, type SchedulerAction, type SchedulerLike } from 'rxjs';

interface PendingTimer {
  readonly dueMs: number;
  readonly order: number;
  readonly action: ManualAction<unknown>;
}

class ManualAction<T> extends Subscription implements SchedulerAction<T> {
  constructor(
    private readonly clock: ManualClock,
    private readonly work: (this: SchedulerAction<T>, state?: T) => void,
  ) {
    super();
  }

  schedule(state?: T, delay = 0): Subscription {
    if (!this.closed) this.clock.enqueue(this as ManualAction<unknown>, state, delay);
    return this;
  }

  run(state: unknown): void {
    this.work.call(this, state as T);
  }
}

/**
 * Virtual time for code that mixes timers with promises. Timers fire only inside
 * {@link advanceByMs}, in due-time order, and pending promise callbacks are drained after each
 * one, so an `await` between a write and its timeout behaves as it would in real time.
 */
export class ManualClock implements SchedulerLike {
  private currentMs: number;
  private sequence = 0;
  private readonly timers: Array<PendingTimer & { state: unknown }> = [];

  constructor(startMs = 0) {
    this.currentMs = startMs;
  }

  now(): number {
    return this.currentMs;
  }

  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription {
    return new ManualAction<T>(this, work).schedule(state, delay);
  }

  /** @internal used by actions to (re)arm themselves. */
  enqueue(action: ManualAction<unknown>, state: unknown, delayMs: number): void {
    // Re-arming an action replaces its pending timer, as RxJS's own async actions do.
    const armed = this.timers.findIndex((t) => t.action === action);
    if (armed >= 0) this.timers.splice(armed, 1);
    this.timers.push({
      dueMs: this.currentMs + Math.max(0, delayMs),
      order: this.sequence++,
      action,
      state,
    });
  }

  /** Number of timers armed and not cancelled. */
  get pendingTimers(): number {
    return this.timers.filter((t) => !t.action.closed).length;
  }

  /** Moves time forward, firing every timer that falls due, and settles promises in between. */
  async advanceByMs(deltaMs: number): Promise<void> {
    const targetMs = this.currentMs + deltaMs;
    await flushMicrotasks();
    while (this.fireNextDue(targetMs)) await flushMicrotasks();
    this.currentMs = targetMs;
  }

  /**
   * Moves time forward to `targetMs`, firing every timer that falls due, without waiting for
   * promises: for purely synchronous pipelines (a replay in virtual time), where it is many times
   * faster than {@link advanceByMs}. Never moves time backwards.
   */
  advanceSyncTo(targetMs: number): void {
    while (this.fireNextDue(targetMs));
    this.currentMs = Math.max(this.currentMs, targetMs);
  }

  /** Fires the earliest timer due at or before `limitMs`, at its due time; false when none is. */
  private fireNextDue(limitMs: number): boolean {
    const next = this.takeNextDue(limitMs);
    if (!next) return false;
    this.currentMs = next.dueMs;
    next.action.run(next.state);
    return true;
  }

  /** Runs whatever is due now without moving time. */
  async flush(): Promise<void> {
    await this.advanceByMs(0);
  }

  private takeNextDue(limitMs: number): (PendingTimer & { state: unknown }) | undefined {
    let best = -1;
    for (let i = 0; i < this.timers.length; i++) {
      const t = this.timers[i];
      if (t.action.closed || t.dueMs > limitMs) continue;
      const b = this.timers[best];
      if (best < 0 || t.dueMs < b.dueMs || (t.dueMs === b.dueMs && t.order < b.order)) best = i;
    }
    // Drop cancelled timers as we go so the list does not grow without bound.
    const next = best >= 0 ? this.timers.splice(best, 1)[0] : undefined;
    for (let i = this.timers.length - 1; i >= 0; i--) {
      if (this.timers[i].action.closed) this.timers.splice(i, 1);
    }
    return next;
  }
}

/** Lets every queued promise callback (and those they queue) run. */
export function flushMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
