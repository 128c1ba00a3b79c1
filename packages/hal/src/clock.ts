import { asyncScheduler, type SchedulerLike } from 'rxjs';

/**
 * The one source of time for tsBMS. It is an RxJS scheduler, so the same object drives RxJS
 * operators (`timer`, `interval`, `debounceTime`) and hand-written timeouts
 * (`clock.schedule(fn, delayMs)`). `now()` is in milliseconds.
 *
 * Production code uses {@link systemClock}; tests pass a `TestScheduler` (marble tests of pure
 * streams) or a {@link ManualClock} (code that also awaits promises, such as a bus on a link).
 */
export type Clock = SchedulerLike;

export const systemClock: Clock = asyncScheduler;

/** Resolves after `delayMs` on the given clock. */
export function sleepMs(clock: Clock, delayMs: number): Promise<void> {
  return new Promise((resolve) => {
    clock.schedule(() => resolve(), delayMs);
  });
}

/**
 * Waits on a clock that a stop can cut short: a loop sleeps between its steps with {@link sleep},
 * and its stop calls {@link interrupt}, which ends the current wait and makes every later one
 * resolve at once.
 */
export class InterruptibleSleep {
  private interrupted = false;
  private wake: (() => void) | undefined;

  constructor(private readonly clock: Clock) {}

  /** Resolves after `delayMs` on the clock, or at once after {@link interrupt}. */
  sleep(delayMs: number): Promise<void> {
    if (this.interrupted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = this.clock.schedule(() => resolve(), delayMs);
      this.wake = () => {
        timer.unsubscribe();
        resolve();
      };
    }).finally(() => (this.wake = undefined));
  }

  interrupt(): void {
    this.interrupted = true;
    this.wake?.();
  }
}
