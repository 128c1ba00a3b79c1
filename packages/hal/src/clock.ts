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
