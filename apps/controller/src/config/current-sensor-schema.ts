import { z } from 'zod';
import {
  ADS1115_DATA_RATES_SPS,
  ADS1115_FULL_SCALES_V,
  ADS1115_INPUTS,
  INA226_AVERAGES,
  INA226_CONVERSION_TIMES_US,
  INA228_AVERAGES,
  INA228_CONVERSION_TIMES_US,
  GX_MQTT_DEFAULT_KEEPALIVE_INTERVAL_MS,
  GX_MQTT_DEFAULT_READ_INTERVAL_MS,
  LEM_CAB_DEFAULT_CAN_ID,
  MCP3421_GAINS,
  MCP3421_RESOLUTIONS_BITS,
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

/**
 * The chip's VBUS pin is wired to the link (the inverter's side of the contactors): precharge is
 * then verified by it (B-12) instead of timed. Off by default: on the battery's side it would
 * read the pack voltage at once and pass every precharge.
 */
const linkVoltage = z.boolean().default(false);
const busVoltageScale = z.number().min(0.001).max(1000).default(1);
/** A SocketCAN interface name (at most 15 characters, as the kernel's IFNAMSIZ allows). */
const canInterface = z.string().regex(/^[A-Za-z0-9_.-]{1,15}$/, 'a network interface name such as can1');
const canId = z.number().int().min(0).max(0x7ff);

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
      busVoltageScale,
      linkVoltage,
      calibration,
    }),
    z.strictObject({
      type: z.literal('ina228'),
      i2cBus: i2cBusNumber.default(1),
      address: z.number().int().min(0x40).max(0x4f).default(0x40),
      shuntOhm: z.number().min(1e-6).max(10),
      /** The largest current either way; picks the ±40.96 mV range when it fits. */
      maxCurrentA: z.number().min(0.001).max(100_000),
      sampleIntervalMs,
      averages: oneOf(INA228_AVERAGES).default(16),
      conversionTimeUs: oneOf(INA228_CONVERSION_TIMES_US).default(1052),
      busVoltageScale,
      linkVoltage,
      calibration,
    }),
    z.strictObject({
      /** The pyBMS seed's sensor: an MCP3421 ADC on a hall transducer (names as in pyBMS's config). */
      type: z.literal('mcp3421'),
      i2cBus: i2cBusNumber.default(1),
      address: z.number().int().min(0x68).max(0x6f).default(0x68),
      /** pyBMS `current_zero_point`. */
      zeroPointV: z.number().min(0.001).max(2.048).default(1.6025),
      /** pyBMS `current_sensor_max`. */
      maxCurrentA: z.number().min(0.001).max(100_000).default(200),
      outputZeroV: z.number().min(0.001).max(100).default(5),
      outputSwingV: z.number().min(0.001).max(100).default(2),
      resolutionBits: oneOf(MCP3421_RESOLUTIONS_BITS).default(18),
      gain: oneOf(MCP3421_GAINS).default(1),
      sampleIntervalMs: z.number().min(10).max(60_000).default(500),
      /** 0 = no filter; pyBMS's fixed 0.85 per 500 ms read is about 3077 ms. */
      filterTimeConstantMs: z.number().min(0).max(600_000).default(0),
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
      type: z.literal('ivt-s'),
      /** The SocketCAN interface the shunt is on, e.g. can1 (the IVT-S sends at 500 kbit/s). */
      iface: canInterface,
      /** Ids given to the shunt with its Set_CAN_ID commands, where they differ from 0x521…. */
      canIds: z
        .strictObject({
          current: canId.optional(),
          voltage1: canId.optional(),
          voltage2: canId.optional(),
          voltage3: canId.optional(),
          charge: canId.optional(),
        })
        .prefault({}),
      /** The voltage input (U1..U3) wired to the link: precharge is verified by it. None by default. */
      linkVoltageInput: z.enum(['voltage1', 'voltage2', 'voltage3']).nullable().default(null),
      calibration,
    }),
    z.strictObject({
      type: z.literal('lem-cab'),
      /** The SocketCAN interface the CAB300/CAB500 is on, e.g. can1. */
      iface: canInterface,
      canId: canId.default(LEM_CAB_DEFAULT_CAN_ID),
      calibration,
    }),
    z.strictObject({
      type: z.literal('vedirect'),
      /** The VE.Direct-USB cable's serial device, e.g. /dev/ttyUSB1 (19200 baud, set by the driver). */
      path: z.string().min(1),
      calibration,
    }),
    z.strictObject({
      /** A battery monitor (SmartShunt, BMV) as a Victron GX publishes it on its own MQTT broker. */
      type: z.literal('gx-mqtt'),
      /** The GX's address; its MQTT service on (Settings → Services → MQTT). */
      host: z
        .string()
        .regex(/^[A-Za-z0-9.:_-]+$/, 'a host name or IP address such as 192.168.1.20 or venus.local'),
      port: z.number().int().min(1).max(65535).default(1883),
      /** The GX's VRM portal ID; null: the one whose ID the broker holds (found at start). */
      portalId: z
        .string()
        .regex(/^[^/+#\s]+$/, 'one MQTT topic level')
        .nullable()
        .default(null),
      /** The monitor's VRM instance (the GX's Device list → the monitor → Device), e.g. 279. */
      deviceInstance: z.number().int().min(0).max(65535),
      keepAliveIntervalMs: z.number().min(1000).max(55_000).default(GX_MQTT_DEFAULT_KEEPALIVE_INTERVAL_MS),
      readIntervalMs: z.number().min(100).max(10_000).default(GX_MQTT_DEFAULT_READ_INTERVAL_MS),
      calibration,
    }),
  ])
  .prefault({ type: 'none' });
