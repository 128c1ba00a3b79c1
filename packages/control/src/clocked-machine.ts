import { Observable, type Subscription } from 'rxjs';
import type { Clock } from '@tsbms/hal';

/**
 * A state machine driven by events and by time. `step` gets `undefined` when it is woken by the
 * clock rather than by an event; `wakeAtMs` says when the state next needs a look without any new
 * event (a sequence timer, a watchdog), or null.
 */
export interface ClockedMachine<E, S> {
  readonly initial: (nowMs: number) => S;
  readonly step: (state: S, event: E | undefined, nowMs: number) => S;
  readonly wakeAtMs: (state: S) => number | null;
}

/**
 * Runs `machine` over `events$` on `clock`: emits the initial state on subscription and then every
 * new state (a step that returns the same object emits nothing). Timers are the clock's, so
 * virtual time drives the whole machine in tests. Wakes at or before the current time are ignored.
 */
export function runClockedMachine<E, S>(
  events$: Observable<E>,
  machine: ClockedMachine<E, S>,
  clock: Clock,
): Observable<S> {
  return new Observable<S>((subscriber) => {
    let state = machine.initial(clock.now());
    let wake: Subscription | undefined;
    const advance = (event: E | undefined) => {
      wake?.unsubscribe();
      wake = undefined;
      const next = machine.step(state, event, clock.now());
      if (next !== state) {
        state = next;
        subscriber.next(state);
      }
      scheduleWake();
    };
    const scheduleWake = () => {
      // A wake at or before now is pointless: the step just taken already saw this instant.
      const atMs = machine.wakeAtMs(state);
      const nowMs = clock.now();
      if (atMs !== null && atMs > nowMs) {
        wake = clock.schedule(() => advance(undefined), atMs - nowMs);
      }
    };
    subscriber.next(state);
    scheduleWake();
    const source = events$.subscribe({
      next: (event) => advance(event),
      error: (error: unknown) => subscriber.error(error),
      complete: () => subscriber.complete(),
    });
    return () => {
      source.unsubscribe();
      wake?.unsubscribe();
    };
  });
}
