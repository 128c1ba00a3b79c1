import type { ChargeSample, CurrentSample, CurrentSource } from '@tsbms/hal';
import { map } from 'rxjs';
import { CurrentSensorError, requireNumberIn } from './current-sensor-error';

/**
 * What turns a sensor's amperes into the pack's: the sensor's reading at zero current
 * (`zeroOffsetA`, subtracted first), a scale error (`gain`, from comparing with a clamp meter),
 * the wiring's direction (`reversed`: IN+ on the battery's side makes charging read negative), and
 * a `deadbandA` below which the current is 0 (a hall sensor's noise would otherwise be counted as
 * charge, hour after hour).
 */
export interface CurrentCalibration {
  readonly zeroOffsetA: number;
  readonly gain: number;
  readonly reversed: boolean;
  readonly deadbandA: number;
}

export const IDENTITY_CALIBRATION: CurrentCalibration = Object.freeze({
  zeroOffsetA: 0,
  gain: 1,
  reversed: false,
  deadbandA: 0,
});

/** The calibrated current of one reading. */
export function calibrateCurrentA(rawA: number, calibration: CurrentCalibration): number {
  const corrected = (rawA - calibration.zeroOffsetA) * calibration.gain * (calibration.reversed ? -1 : 1);
  // + 0 turns a -0 from the sign flip into 0.
  return Math.abs(corrected) < calibration.deadbandA ? 0 : corrected + 0;
}

/** Checks a calibration (INVALID_OPTION naming the field) and returns it frozen. */
export function validateCalibration(
  sensor: string,
  calibration: Partial<CurrentCalibration>,
): CurrentCalibration {
  const merged = { ...IDENTITY_CALIBRATION, ...calibration };
  if (typeof merged.reversed !== 'boolean')
    throw new CurrentSensorError('INVALID_OPTION', `${sensor}: calibration.reversed must be true or false`, {
      sensor,
      option: 'calibration.reversed',
    });
  return Object.freeze({
    zeroOffsetA: requireNumberIn(sensor, 'calibration.zeroOffsetA', merged.zeroOffsetA, -1000, 1000),
    gain: requireNumberIn(sensor, 'calibration.gain', merged.gain, 0.5, 2),
    reversed: merged.reversed,
    deadbandA: requireNumberIn(sensor, 'calibration.deadbandA', merged.deadbandA, 0, 50),
  });
}

/**
 * `source` with its current calibrated; the bus voltage, counters and close are the source's own.
 * The quality is kept: an overrange reading is still at least that large. The device's own charge
 * counter takes the gain and the direction (it counted the same wrongly scaled, wrongly signed
 * current); the offset and deadband cannot be taken out of a total the device summed itself.
 */
export function calibratedCurrentSource(
  source: CurrentSource,
  calibration: CurrentCalibration,
): CurrentSource {
  return {
    description: source.description,
    current$: source.current$.pipe(
      map(
        (sample): CurrentSample => ({ ...sample, currentA: calibrateCurrentA(sample.currentA, calibration) }),
      ),
    ),
    ...(source.busVoltage$ === undefined ? {} : { busVoltage$: source.busVoltage$ }),
    ...(source.chargeAh$ === undefined
      ? {}
      : {
          chargeAh$: source.chargeAh$.pipe(
            map(
              (sample): ChargeSample => ({
                ...sample,
                // + 0 turns a -0 from the sign flip into 0.
                chargeAh: sample.chargeAh * calibration.gain * (calibration.reversed ? -1 : 1) + 0,
              }),
            ),
          ),
        }),
    counters: () => source.counters(),
    close: () => source.close(),
  };
}
