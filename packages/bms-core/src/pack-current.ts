import type { CurrentSample, CurrentSource, VoltageSample } from '@tsbms/hal';
import type { SourceReading } from '@tsbms/pack-reading';
import { EMPTY, map, startWith, withLatestFrom, type MonoTypeOperatorFunction, type Observable } from 'rxjs';

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

/**
 * Puts a current sensor's latest sample into each scan's reading (`currentA`, and `busVoltageV`
 * from the sensor's own voltage input when the source has none), provided it is no older than
 * `staleAfterMs` at the scan's timestamp; otherwise the reading says `currentA: null`. A reading
 * that already carries a current keeps it. Subscribing subscribes to the sensor; never waits for it:
 * scans flow whether or not the sensor ever answers.
 */
export function joinPackCurrent(
  sensor: Pick<CurrentSource, 'current$' | 'busVoltage$'>,
  staleAfterMs = DEFAULT_CURRENT_STALE_AFTER_MS,
): MonoTypeOperatorFunction<SourceReading> {
  const current$: Observable<CurrentSample | null> = sensor.current$.pipe(startWith(null));
  const busVoltage$: Observable<VoltageSample | null> = (sensor.busVoltage$ ?? EMPTY).pipe(startWith(null));
  return (readings$) =>
    readings$.pipe(
      withLatestFrom(current$, busVoltage$),
      map(([sourceReading, current, bus]) => {
        const { reading } = sourceReading;
        const at = reading.timestampMs;
        return {
          ...sourceReading,
          reading: {
            ...reading,
            currentA: reading.currentA ?? freshAt(current, at, staleAfterMs)?.currentA ?? null,
            busVoltageV: reading.busVoltageV ?? freshAt(bus, at, staleAfterMs)?.voltageV ?? null,
          },
        };
      }),
    );
}
