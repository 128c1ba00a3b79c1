import { EMPTY, Observable, type Subscription } from 'rxjs';
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
 *
 * Each machine of `machines$` (the same rules under new settings) replaces the running one: the
 * state carries over, the new machine's `initial` is not used, and the wake is re-scheduled from
 * the new machine's `wakeAtMs`. The replacement emits nothing itself; the new machine steps from
 * the next event or wake on. A wake the new machine already finds due (a shortened watchdog that
 * has expired) fires at once. An error on `machines$` errors the output; its completion does not.
 */
export function runClockedMachine<E, S>(
  events$: Observable<E>,
  machine: ClockedMachine<E, S>,
  clock: Clock,
  machines$: Observable<ClockedMachine<E, S>> = EMPTY,
): Observable<S> {
  return new Observable<S>((subscriber) => {
    let current = machine;
    let state = current.initial(clock.now());
    let wake: Subscription | undefined;
    const cancelWake = () => {
      wake?.unsubscribe();
      wake = undefined;
    };
    const advance = (event: E | undefined) => {
      cancelWake();
      const next = current.step(state, event, clock.now());
      if (next !== state) {
        state = next;
        subscriber.next(state);
      }
      scheduleWake('ignore');
    };
    const scheduleWake = (due: 'ignore' | 'fire') => {
      const atMs = current.wakeAtMs(state);
      if (atMs === null) return;
      const delayMs = atMs - clock.now();
      // After a step a due wake is pointless: that step just saw this instant. A replacement
      // machine has not looked at the state yet, so for it a due wake is still to be taken.
      if (delayMs > 0 || due === 'fire') {
        wake = clock.schedule(() => advance(undefined), Math.max(delayMs, 0));
      }
    };
    subscriber.next(state);
    scheduleWake('ignore');
    // Subscribed before the events, so that settings a source replays at once govern the first event.
    const replacements = machines$.subscribe({
      next: (next) => {
        cancelWake();
        current = next;
        scheduleWake('fire');
      },
      error: (error: unknown) => subscriber.error(error),
    });
    const source = events$.subscribe({
      next: (event) => advance(event),
      error: (error: unknown) => subscriber.error(error),
      complete: () => subscriber.complete(),
    });
    return () => {
      replacements.unsubscribe();
      source.unsubscribe();
      cancelWake();
    };
  });
}
