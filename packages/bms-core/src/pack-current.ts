import type { CurrentSample, CurrentSource, VoltageSample } from '@tsbms/hal';
import type { SourceReading } from '@tsbms/pack-reading';
import {
  EMPTY,
  map,
  scan,
  startWith,
  withLatestFrom,
  type MonoTypeOperatorFunction,
  type Observable,
} from 'rxjs';
import {
  INITIAL_CURRENT_INTEGRAL,
  stepCurrentIntegral,
  type CurrentIntegralState,
} from '@tsbms/battery-model';

/**
 * How old a current sample may be at a scan and still count as the pack's current. A SmartShunt
 * sends once a second; an I2C sensor is read every 100 ms. Older than this, the scan has no current
 * (SoC stops counting, `currentSensorLost` starts its 2 s debounce).
 */
export const DEFAULT_CURRENT_STALE_AFTER_MS = 2000;

const freshAt = <Sample extends { readonly timeMs: number }>(
  sample: Sample | null,
  timestampMs: number,
  staleAfterMs: number,
): Sample | null => (sample !== null && timestampMs - sample.timeMs <= staleAfterMs ? sample : null);

/** The latest sample and the running integral of all samples so far. */
interface SensorState {
  readonly latest: CurrentSample;
  readonly integral: CurrentIntegralState;
}

/**
 * Puts a current sensor's latest sample into each scan's reading (`currentA`, and `busVoltageV`
 * from the sensor's own voltage input when the source has none), provided it is no older than
 * `staleAfterMs` at the scan's timestamp; otherwise the reading says `currentA: null`. With
 * `integrationGapS`, each reading also carries `currentIntegral`: every sample integrated at its
 * own time (gaps longer than that not integrated), so SoC and energy miss nothing between scans. A
 * reading that already carries a current keeps it. Subscribing subscribes to the sensor once;
 * never waits for it: scans flow whether or not the sensor ever answers.
 */
export function joinPackCurrent(
  sensor: Pick<CurrentSource, 'current$' | 'busVoltage$'>,
  staleAfterMs = DEFAULT_CURRENT_STALE_AFTER_MS,
  integrationGapS?: number,
): MonoTypeOperatorFunction<SourceReading> {
  const sensor$: Observable<SensorState | null> = sensor.current$.pipe(
    scan<CurrentSample, SensorState, null>(
      (state, sample) => ({
        latest: sample,
        integral:
          integrationGapS === undefined
            ? INITIAL_CURRENT_INTEGRAL
            : stepCurrentIntegral(state?.integral ?? INITIAL_CURRENT_INTEGRAL, sample, integrationGapS),
      }),
      null,
    ),
    startWith(null),
  );
  const busVoltage$: Observable<VoltageSample | null> = (sensor.busVoltage$ ?? EMPTY).pipe(startWith(null));
  return (readings$) =>
    readings$.pipe(
      withLatestFrom(sensor$, busVoltage$),
      map(([sourceReading, state, bus]) => {
        const { reading } = sourceReading;
        const at = reading.timestampMs;
        return {
          ...sourceReading,
          reading: {
            ...reading,
            currentA: reading.currentA ?? freshAt(state?.latest ?? null, at, staleAfterMs)?.currentA ?? null,
            busVoltageV: reading.busVoltageV ?? freshAt(bus, at, staleAfterMs)?.voltageV ?? null,
            ...(integrationGapS === undefined || reading.currentIntegral != null
              ? {}
              : { currentIntegral: state?.integral.integral ?? null }),
          },
        };
      }),
    );
}

/**
 * Puts a second sensor's latest sample, when no older than `staleAfterMs`, into each scan's
 * reading as `checkCurrentA`: it cross-checks the first (`currentSensorDisagreement`) and is never
 * the pack's current. Never waits for the sensor.
 */
export function joinCheckCurrent(
  sensor: Pick<CurrentSource, 'current$'>,
  staleAfterMs = DEFAULT_CURRENT_STALE_AFTER_MS,
): MonoTypeOperatorFunction<SourceReading> {
  const latest$: Observable<CurrentSample | null> = sensor.current$.pipe(startWith(null));
  return (readings$) =>
    readings$.pipe(
      withLatestFrom(latest$),
      map(([sourceReading, latest]) => ({
        ...sourceReading,
        reading: {
          ...sourceReading.reading,
          checkCurrentA: freshAt(latest, sourceReading.reading.timestampMs, staleAfterMs)?.currentA ?? null,
        },
      })),
    );
}
