import {
  combineLatest,
  distinctUntilChanged,
  interval,
  map,
  startWith,
  type Observable,
  type Subscription,
} from 'rxjs';
import type { Clock } from '@tsbms/hal';

/** The part of the emulated chain the cycle drives. */
export interface PackCurrentSink {
  setPackCurrent(currentA: number): void;
}

export interface ChargeCycleOptions {
  readonly clock: Clock;
  /** Peak current, A: charging at +amplitude, discharging at −amplitude. */
  readonly amplitudeA: number;
  readonly periodS: number;
  /** How often the current is updated (default 1 s). */
  readonly updateIntervalS?: number;
}

/** A sine starting upward: charge for the first half period, discharge for the second. */
export function cycleCurrentA(elapsedS: number, amplitudeA: number, periodS: number): number {
  return amplitudeA * Math.sin((2 * Math.PI * elapsedS) / periodS);
}

/**
 * The demo's gentle charge/discharge: the emulated pack carries the cycle's current only while the
 * contactors are closed, as a real pack does; with them open no current flows. The cycle's phase
 * counts from the start, so it keeps running while open.
 */
export function runChargeCycle(
  pack: PackCurrentSink,
  contactorsClosed$: Observable<boolean>,
  options: ChargeCycleOptions,
): Subscription {
  const startMs = options.clock.now();
  const tick$ = interval((options.updateIntervalS ?? 1) * 1000, options.clock).pipe(startWith(0));
  return combineLatest([tick$, contactorsClosed$.pipe(distinctUntilChanged())])
    .pipe(
      map(([, closed]) =>
        closed
          ? cycleCurrentA((options.clock.now() - startMs) / 1000, options.amplitudeA, options.periodS)
          : 0,
      ),
    )
    .subscribe((currentA) => pack.setPackCurrent(currentA));
}
