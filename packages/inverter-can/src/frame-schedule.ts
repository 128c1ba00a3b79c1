import {
  requireClock,
  requireFiniteNumber,
  requireFunction,
  requireObject,
  requireObservable,
  type CanFrame,
} from '@tsbms/hal';
import {
  type Observable,
  type SchedulerLike,
  concatMap,
  from,
  shareReplay,
  switchMap,
  take,
  timer,
  withLatestFrom,
} from 'rxjs';
import { FrameEncodeError } from './field-codec';

/** Something the schedule corrected instead of sending; the caller logs and counts it. */
export interface ScheduleAnomaly {
  readonly canId: number;
  readonly message: string;
}

export interface ScheduleOptions {
  readonly scheduler: SchedulerLike;
  readonly onAnomaly?: (anomaly: ScheduleAnomaly) => void;
}

/**
 * The publishing rhythm every profile shares (V-5, P-8, S-9): nothing before the first snapshot,
 * then at every period the frames of `framesForTick`, built from the latest snapshot, for as long
 * as it is subscribed. Snapshots arriving between ticks send nothing, so an id never goes out more
 * often than once a period.
 */
export function publishEveryPeriod<S>(
  snapshots$: Observable<S>,
  periodMs: number,
  scheduler: SchedulerLike,
  framesForTick: (tick: number, snapshot: S) => CanFrame[],
): Observable<CanFrame> {
  const latest$ = snapshots$.pipe(shareReplay({ bufferSize: 1, refCount: true }));
  return latest$.pipe(
    take(1),
    switchMap(() => timer(0, periodMs, scheduler)),
    withLatestFrom(latest$),
    concatMap(([tick, snapshot]) => from(framesForTick(tick, snapshot))),
  );
}

/** Encodes each message; a value that does not fit drops its own frame only, reported, never the tick. */
export function encodeEach<M>(
  messages: readonly M[],
  encode: (message: M) => CanFrame,
  onAnomaly?: (anomaly: ScheduleAnomaly) => void,
): CanFrame[] {
  const frames: CanFrame[] = [];
  for (const message of messages) {
    try {
      frames.push(encode(message));
    } catch (error) {
      if (!(error instanceof FrameEncodeError)) throw error;
      onAnomaly?.({ canId: error.canId, message: error.message });
    }
  }
  return frames;
}

/**
 * Plain JavaScript callers get no type checks: a wrong argument fails when the schedule is built,
 * not every second inside the stream. Without a scheduler RxJS would even fall back to real time.
 */
export function requireScheduleArguments(
  snapshots$: unknown,
  identity: unknown,
  identityKind: string,
  options: ScheduleOptions,
): void {
  requireObservable(snapshots$, 'snapshots$');
  requireObject(identity, 'identity', identityKind);
  // The discharge voltage limit and the CVL floor (V-7) are made of these two.
  requireFiniteNumber(Reflect.get(identity, 'seriesCellCount'), 'identity.seriesCellCount');
  requireFiniteNumber(Reflect.get(identity, 'cellLowVoltageV'), 'identity.cellLowVoltageV');
  requireObject(options, 'options', 'schedule options ({ scheduler, onAnomaly? })');
  requireClock(options.scheduler, 'options.scheduler');
  if (options.onAnomaly !== undefined) requireFunction(options.onAnomaly, 'options.onAnomaly');
}
