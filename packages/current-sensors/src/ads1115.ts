import {
  silentLogger,
  type Clock,
  type CurrentSample,
  type CurrentSource,
  type CurrentSourceCounters,
  type I2cBus,
  type Logger,
} from '@tsbms/hal';
import type { Observable } from 'rxjs';
import {
  ADS1115_DATA_RATES_SPS,
  ADS1115_FULL_SCALES_V,
  ADS1115_INPUTS,
  ADS1115_OS_BIT,
  ADS1115_REGISTER,
  decodeAds1115Conversion,
  encodeAds1115Configuration,
  isAds1115ConversionAtLimit,
  type Ads1115Configuration,
  type Ads1115DataRateSps,
  type Ads1115FullScaleV,
  type Ads1115Input,
} from './ads1115-registers';
import { CurrentSensorError, requireNumberIn, requireOneOf } from './current-sensor-error';
import { writeVerifiedRegister } from './register-config';
import { describeI2cSensor } from './i2c-sensor-options';
import { SensorPoller } from './sensor-poller';

/**
 * How the measured voltage becomes amperes:
 * - a shunt across a differential input: volts / `shuntOhm`;
 * - a hall-effect transducer's output on a single-ended input: (volts − `zeroV`) / `voltsPerAmpere`
 *   (the zero-current output, often half the supply, and the sensitivity from its datasheet).
 */
export type Ads1115Transducer =
  | { readonly kind: 'shunt'; readonly shuntOhm: number }
  | { readonly kind: 'hall'; readonly zeroV: number; readonly voltsPerAmpere: number };

export interface Ads1115Options {
  readonly bus: I2cBus;
  /** 0x48..0x4B, set by the ADDR pin. */
  readonly address: number;
  readonly transducer: Ads1115Transducer;
  /** Default: `ain0-ain1` for a shunt, `ain0` for a hall sensor. */
  readonly input?: Ads1115Input;
  /** PGA full scale: ±0.256 V suits a 50-75 mV shunt (default), ±6.144 V a 0-5 V hall output. */
  readonly fullScaleV?: Ads1115FullScaleV;
  /** Conversions per second (default 128); the chip filters each over its period. */
  readonly dataRateSps?: Ads1115DataRateSps;
  /** How often the conversion register is read (default 100 ms). */
  readonly sampleIntervalMs?: number;
  readonly clock: Clock;
  readonly logger?: Logger;
}

/**
 * A TI ADS1115 16-bit ADC on I2C as a {@link CurrentSource}, converting continuously; the driver
 * reads the latest conversion every interval. The chip has no ID register: `open` writes the
 * configuration and reads it back, which finds a missing chip (I2C_NO_DEVICE) or one that does not
 * keep it (CONFIG_NOT_APPLIED), not a different chip at the address. A conversion at either end
 * of the range is `overrange`.
 */
export class Ads1115CurrentSource implements CurrentSource {
  readonly description: string;
  readonly current$: Observable<CurrentSample>;
  private readonly poller: SensorPoller<CurrentSample>;

  private constructor(
    private readonly settings: {
      readonly bus: I2cBus;
      readonly address: number;
      readonly transducer: Ads1115Transducer;
      readonly fullScaleV: Ads1115FullScaleV;
      readonly clock: Clock;
    },
    description: string,
    intervalMs: number,
    logger: Logger,
  ) {
    this.description = description;
    this.poller = new SensorPoller({
      sensor: description,
      intervalMs,
      clock: settings.clock,
      logger,
      read: () => this.read(),
    });
    this.current$ = this.poller.readings$;
  }

  static async open(options: Ads1115Options): Promise<Ads1115CurrentSource> {
    const sensor = describeI2cSensor('ADS1115', options);
    const address = requireNumberIn(sensor, 'address', options.address, 0x48, 0x4b);
    const transducer = checkTransducer(sensor, options.transducer);
    const config: Ads1115Configuration = {
      input: requireOneOf(
        sensor,
        'input',
        options.input ?? (transducer.kind === 'shunt' ? 'ain0-ain1' : 'ain0'),
        ADS1115_INPUTS,
      ),
      fullScaleV: requireOneOf(sensor, 'fullScaleV', options.fullScaleV ?? 0.256, ADS1115_FULL_SCALES_V),
      continuous: true,
      dataRateSps: requireOneOf(sensor, 'dataRateSps', options.dataRateSps ?? 128, ADS1115_DATA_RATES_SPS),
    };
    const intervalMs = requireNumberIn(
      sensor,
      'sampleIntervalMs',
      options.sampleIntervalMs ?? 100,
      10,
      60_000,
    );
    if (1000 / config.dataRateSps > intervalMs)
      throw new CurrentSensorError(
        'INVALID_OPTION',
        `${sensor}: one conversion at ${config.dataRateSps} SPS takes longer than sampleIntervalMs ${intervalMs}`,
        { sensor, option: 'sampleIntervalMs' },
      );
    // OS reads as the conversion state, not as written: the rest must match.
    await writeVerifiedRegister(
      options.bus,
      { sensor, address, register: ADS1115_REGISTER.config },
      encodeAds1115Configuration(config),
      0xffff & ~ADS1115_OS_BIT,
    );
    return new Ads1115CurrentSource(
      { bus: options.bus, address, transducer, fullScaleV: config.fullScaleV, clock: options.clock },
      sensor,
      intervalMs,
      options.logger ?? silentLogger,
    );
  }

  counters(): CurrentSourceCounters {
    return this.poller.counters();
  }

  async close(): Promise<void> {
    this.poller.close();
  }

  private async read(): Promise<CurrentSample> {
    const { bus, address, transducer, fullScaleV, clock } = this.settings;
    const raw = await bus.readWord(address, ADS1115_REGISTER.conversion);
    const volts = decodeAds1115Conversion(raw, fullScaleV);
    const currentA =
      transducer.kind === 'shunt'
        ? volts / transducer.shuntOhm
        : (volts - transducer.zeroV) / transducer.voltsPerAmpere;
    return { timeMs: clock.now(), currentA, quality: isAds1115ConversionAtLimit(raw) ? 'overrange' : 'good' };
  }
}

function checkTransducer(sensor: string, transducer: unknown): Ads1115Transducer {
  const value = transducer as Partial<Record<string, unknown>> | undefined;
  if (value?.kind === 'shunt')
    return {
      kind: 'shunt',
      shuntOhm: requireNumberIn(sensor, 'transducer.shuntOhm', value.shuntOhm, 1e-6, 10),
    };
  if (value?.kind === 'hall')
    return {
      kind: 'hall',
      zeroV: requireNumberIn(sensor, 'transducer.zeroV', value.zeroV, -6.144, 6.144),
      voltsPerAmpere: requireNumberIn(sensor, 'transducer.voltsPerAmpere', value.voltsPerAmpere, 1e-6, 10),
    };
  throw new CurrentSensorError(
    'INVALID_OPTION',
    `${sensor}: transducer must be { kind: 'shunt', shuntOhm } or { kind: 'hall', zeroV, voltsPerAmpere }`,
    { sensor, option: 'transducer' },
  );
}
