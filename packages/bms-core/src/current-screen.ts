import type { CurrentSample, Logger } from '@tsbms/hal';
import { concatMap, defer, type MonoTypeOperatorFunction } from 'rxjs';

/**
 * How long a sensor may report the very same non-zero current before it is taken as frozen. A
 * real shunt's last digit moves with noise and load; a hung ADC or a driver re-reading a stale
 * register repeats one value. Five minutes is far beyond any quantised steady load seen on a
 * shunt, and still catches a sensor that would hide an over-current for good.
 */
export const DEFAULT_CURRENT_FROZEN_AFTER_MS = 300_000;

/** Why a sample is not used. */
export type CurrentVerdict = 'use' | 'notANumber' | 'outOfOrder' | 'frozen';

export interface CurrentScreenState {
  /** The last usable sample's time: a sample not after it is out of order. */
  readonly lastTimeMs: number | null;
  /** The value and since when it has been repeated (non-zero, in range). */
  readonly repeated: { readonly currentA: number; readonly sinceMs: number } | null;
  readonly verdict: CurrentVerdict;
}

export const INITIAL_CURRENT_SCREEN: CurrentScreenState = Object.freeze({
  lastTimeMs: null,
  repeated: null,
  verdict: 'use',
});

/**
 * One sample's verdict (pure). A NaN or infinite value, or a time not after the last usable
 * sample's, is never used. A frozen sensor's samples are not used until its value changes; an
 * overrange or zero reading is legitimately constant (a saturated ADC, a deadband) and never counts
 * as frozen.
 */
export function screenCurrentSample(
  state: CurrentScreenState,
  sample: CurrentSample,
  frozenAfterMs: number,
): CurrentScreenState {
  if (!Number.isFinite(sample.currentA) || !Number.isFinite(sample.timeMs))
    return { ...state, verdict: 'notANumber' };
  if (state.lastTimeMs !== null && sample.timeMs <= state.lastTimeMs)
    return { ...state, verdict: 'outOfOrder' };
  const repeatable = sample.quality === 'good' && sample.currentA !== 0;
  const repeated = !repeatable
    ? null
    : state.repeated !== null && state.repeated.currentA === sample.currentA
      ? state.repeated
      : { currentA: sample.currentA, sinceMs: sample.timeMs };
  const frozen = repeated !== null && sample.timeMs - repeated.sinceMs >= frozenAfterMs;
  return { lastTimeMs: sample.timeMs, repeated, verdict: frozen ? 'frozen' : 'use' };
}

const REASONS: Record<Exclude<CurrentVerdict, 'use'>, string> = {
  notANumber: 'a current that is not a number',
  outOfOrder: 'a sample not newer than the last',
  frozen: 'the same current for too long: the sensor looks frozen',
};

/**
 * Passes the samples the pack may use (see {@link screenCurrentSample}). What it holds back makes
 * the sensor stale at the next scans, so `currentSensorLost` rises and SoC goes by voltage. One
 * log line when a run of unusable samples starts and one when usable samples return.
 */
export function screenCurrentSamples(
  sensor: string,
  logger: Logger,
  frozenAfterMs = DEFAULT_CURRENT_FROZEN_AFTER_MS,
): MonoTypeOperatorFunction<CurrentSample> {
  return (samples$) =>
    defer(() => {
      let state = INITIAL_CURRENT_SCREEN; // one per subscriber
      return samples$.pipe(
        concatMap((sample) => {
          const previous = state.verdict;
          state = screenCurrentSample(state, sample, frozenAfterMs);
          const { verdict } = state;
          if (verdict === 'use') {
            if (previous !== 'use')
              logger.info(
                { event: 'currentSensor', sensor },
                `${sensor}: usable current again (${sample.currentA} A)`,
              );
            return [sample];
          }
          if (verdict !== previous)
            logger.warn(
              { event: 'currentSensor', sensor, reason: verdict, currentA: sample.currentA },
              `${sensor}: ${REASONS[verdict]}; not used for the pack current (SoC falls back to voltage)`,
            );
          return [];
        }),
      );
    });
}
