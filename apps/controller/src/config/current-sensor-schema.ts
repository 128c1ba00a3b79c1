import { z } from 'zod';
import {
  ADS1115_DATA_RATES_SPS,
  ADS1115_FULL_SCALES_V,
  ADS1115_INPUTS,
  INA226_AVERAGES,
  INA226_CONVERSION_TIMES_US,
} from '@tsbms/current-sensors';

/*
 * The `currentSensor` section: which pack current sensor is fitted and how. The drivers check the
 * same ranges again (their errors name the option); here they are refused with the config path.
 */

const i2cBusNumber = z.number().int().min(0).max(255);
const sampleIntervalMs = z.number().min(10).max(60_000).default(100);
/** current-sensors' CurrentCalibration: zero offset, gain, wiring direction, deadband. */
const calibration = z
  .strictObject({
    /** The sensor's reading at zero current, subtracted first. */
    zeroOffsetA: z.number().min(-1000).max(1000).default(0),
    /** Scale correction, e.g. from a clamp meter: 1.02 when it reads 2 % low. */
    gain: z.number().min(0.5).max(2).default(1),
    /** IN+ (or the shunt's sense lead) on the battery's side: charging would read negative. */
    reversed: z.boolean().default(false),
    /** Below this many amperes the current is 0 (sensor noise is not counted as charge). */
    deadbandA: z.number().min(0).max(50).default(0),
  })
  .prefault({});

const oneOf = <T extends number | string>(values: readonly [T, ...T[]]) => z.literal(values);

export const currentSensorConfigSchema = z
  .discriminatedUnion('type', [
    /** No sensor: SoC from cell voltages (B-35); on the demo's emulated pack, an emulated INA226. */
    z.strictObject({ type: z.literal('none') }),
    z.strictObject({
      type: z.literal('ina226'),
      /** The N of /dev/i2c-N (1 on a Raspberry Pi). */
      i2cBus: i2cBusNumber.default(1),
      address: z.number().int().min(0x40).max(0x4f).default(0x40),
      /** 0.0001 for a 500 A / 50 mV shunt. */
      shuntOhm: z.number().min(1e-6).max(10),
      sampleIntervalMs,
      averages: oneOf(INA226_AVERAGES).default(16),
      conversionTimeUs: oneOf(INA226_CONVERSION_TIMES_US).default(1100),
      busVoltageScale: z.number().min(0.001).max(1000).default(1),
      calibration,
    }),
    z.strictObject({
      type: z.literal('ads1115'),
      i2cBus: i2cBusNumber.default(1),
      address: z.number().int().min(0x48).max(0x4b).default(0x48),
      transducer: z.discriminatedUnion('kind', [
        z.strictObject({ kind: z.literal('shunt'), shuntOhm: z.number().min(1e-6).max(10) }),
        z.strictObject({
          kind: z.literal('hall'),
          zeroV: z.number().min(-6.144).max(6.144),
          voltsPerAmpere: z.number().min(1e-6).max(10),
        }),
      ]),
      input: oneOf(ADS1115_INPUTS).optional(),
      fullScaleV: oneOf(ADS1115_FULL_SCALES_V).default(0.256),
      dataRateSps: oneOf(ADS1115_DATA_RATES_SPS).default(128),
      sampleIntervalMs,
      calibration,
    }),
    z.strictObject({
      type: z.literal('vedirect'),
      /** The VE.Direct-USB cable's serial device, e.g. /dev/ttyUSB1 (19200 baud, set by the driver). */
      path: z.string().min(1),
      calibration,
    }),
  ])
  .prefault({ type: 'none' });
