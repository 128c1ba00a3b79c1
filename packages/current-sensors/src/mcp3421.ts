import {
  hexByte,
  silentLogger,
  type Clock,
  type CurrentSample,
  type CurrentSource,
  type CurrentSourceCounters,
  type I2cBus,
  type Logger,
} from '@tsbms/hal';
import { share, type Observable } from 'rxjs';
import { CurrentSensorError, requireNumberIn, requireOneOf } from './current-sensor-error';
import { hallCurrentA, type HallTransducer } from './hall-transducer';
import { describeI2cSensor } from './i2c-sensor-options';
import { lowPassCurrent } from './low-pass-filter';
import {
  decodeMcp3421Result,
  encodeMcp3421Configuration,
  isMcp3421CodeAtLimit,
  MCP3421_CONFIGURATION_BITS,
  MCP3421_GAINS,
  MCP3421_RESOLUTIONS_BITS,
  mcp3421InputVoltage,
  mcp3421ReadLength,
  mcp3421SamplesPerSecond,
  type Mcp3421Configuration,
  type Mcp3421Gain,
  type Mcp3421ResolutionBits,
} from './mcp3421-registers';
import { SensorPoller } from './sensor-poller';

export interface Mcp3421Options {
  readonly bus: I2cBus;
  /** 0x68..0x6F, fixed at the factory (MCP3421A0 is 0x68, pyBMS's default). */
  readonly address: number;
  /** The ADC's input at no current, in volts (pyBMS `current_zero_point`, 1.6025 there). */
  readonly zeroPointV: number;
  /** The current at which the transducer's output moves by `outputSwingV` (pyBMS `current_sensor_max`). */
  readonly maxCurrentA: number;
  /** The transducer's output at no current (default 5.0 V, pyBMS's C2T). */
  readonly outputZeroV?: number;
  /** The output's change at `maxCurrentA` (default 2.0 V, pyBMS's C2T). */
  readonly outputSwingV?: number;
  /** 12, 14, 16 or 18 bits at 240, 60, 15 or 3.75 conversions per second (default 18, as pyBMS). */
  readonly resolutionBits?: Mcp3421ResolutionBits;
  /** PGA gain 1, 2, 4 or 8 (default 1): the input spans ±2.048 V / gain. */
  readonly gain?: Mcp3421Gain;
  /** How often the result is read (default 500 ms, pyBMS's); at least 1.5 conversion periods. */
  readonly sampleIntervalMs?: number;
  /** The low-pass filter's time constant (default 0: none; pyBMS's ≈ 3077 ms). */
  readonly filterTimeConstantMs?: number;
  readonly clock: Clock;
  readonly logger?: Logger;
}

const DEFAULT_SAMPLE_INTERVAL_MS = 500;
/**
 * Reads at least this many conversion periods apart: the chip's own oscillator sets its rate, so a
 * read closer to the previous one than a period could find no new result although nothing is wrong.
 */
const MIN_PERIODS_PER_READ = 1.5;

interface Mcp3421Settings {
  readonly bus: I2cBus;
  readonly address: number;
  readonly config: Mcp3421Configuration;
  readonly configurationByte: number;
  readonly transducer: HallTransducer;
  readonly clock: Clock;
}

/**
 * A Microchip MCP3421 18-bit delta-sigma ADC on I2C reading a hall-effect current transducer, as
 * pyBMS does (see {@link HallTransducer}), as a {@link CurrentSource}. The chip converts
 * continuously; each read takes the result and the configuration byte after it. A result whose RDY
 * bit says it was read before is not a new sample: it is dropped and counted (NO_NEW_CONVERSION),
 * and the reads are spaced so that it only happens when the chip stopped converting. A
 * configuration byte that no longer holds the settings (a reset, a brown-out) drops the reading
 * and writes the configuration again. A code at either end of the range is `overrange`.
 */
export class Mcp3421CurrentSource implements CurrentSource {
  readonly description: string;
  readonly current$: Observable<CurrentSample>;
  private readonly poller: SensorPoller<CurrentSample>;

  private constructor(
    private readonly settings: Mcp3421Settings,
    description: string,
    options: { readonly intervalMs: number; readonly filterTimeConstantMs: number; readonly logger: Logger },
  ) {
    this.description = description;
    this.poller = new SensorPoller({
      sensor: description,
      intervalMs: options.intervalMs,
      clock: settings.clock,
      logger: options.logger,
      read: () => this.read(),
    });
    this.current$ =
      options.filterTimeConstantMs > 0
        ? this.poller.readings$.pipe(lowPassCurrent(options.filterTimeConstantMs), share())
        : this.poller.readings$;
  }

  /**
   * Writes the configuration byte and reads it back after the result (CONFIG_NOT_APPLIED when it
   * differs). The MCP3421 has no ID: a different chip at the address is not detected; a missing one
   * is the bus's I2C_NO_DEVICE.
   */
  static async open(options: Mcp3421Options): Promise<Mcp3421CurrentSource> {
    const sensor = describeI2cSensor('MCP3421', options);
    const address = requireNumberIn(sensor, 'address', options.address, 0x68, 0x6f);
    const config: Mcp3421Configuration = {
      resolutionBits: requireOneOf(
        sensor,
        'resolutionBits',
        options.resolutionBits ?? 18,
        MCP3421_RESOLUTIONS_BITS,
      ),
      gain: requireOneOf(sensor, 'gain', options.gain ?? 1, MCP3421_GAINS),
      continuous: true,
    };
    const transducer: HallTransducer = {
      zeroPointV: requireNumberIn(sensor, 'zeroPointV', options.zeroPointV, 0.001, 2.048 / config.gain),
      maxCurrentA: requireNumberIn(sensor, 'maxCurrentA', options.maxCurrentA, 0.001, 100_000),
      outputZeroV: requireNumberIn(sensor, 'outputZeroV', options.outputZeroV ?? 5, 0.001, 100),
      outputSwingV: requireNumberIn(sensor, 'outputSwingV', options.outputSwingV ?? 2, 0.001, 100),
    };
    const intervalMs = requireNumberIn(
      sensor,
      'sampleIntervalMs',
      options.sampleIntervalMs ?? DEFAULT_SAMPLE_INTERVAL_MS,
      10,
      60_000,
    );
    const conversionMs = 1000 / mcp3421SamplesPerSecond(config.resolutionBits);
    if (intervalMs < conversionMs * MIN_PERIODS_PER_READ)
      throw new CurrentSensorError(
        'INVALID_OPTION',
        `${sensor}: at ${config.resolutionBits} bits a conversion takes ${conversionMs.toFixed(1)} ms; ` +
          `sampleIntervalMs must be at least ${Math.ceil(conversionMs * MIN_PERIODS_PER_READ)}, got ${intervalMs}`,
        { sensor, option: 'sampleIntervalMs' },
      );
    const filterTimeConstantMs = requireNumberIn(
      sensor,
      'filterTimeConstantMs',
      options.filterTimeConstantMs ?? 0,
      0,
      3_600_000,
    );

    const configurationByte = encodeMcp3421Configuration(config);
    const settings: Mcp3421Settings = {
      bus: options.bus,
      address,
      config,
      configurationByte,
      transducer,
      clock: options.clock,
    };
    await options.bus.write(address, Uint8Array.of(configurationByte));
    const readBack = await readResult(settings);
    if (!holdsConfiguration(readBack.configurationByte, configurationByte))
      throw new CurrentSensorError(
        'CONFIG_NOT_APPLIED',
        `${sensor}: wrote configuration ${hexByte(configurationByte)}, read back ${hexByte(readBack.configurationByte)}`,
        { sensor },
      );
    return new Mcp3421CurrentSource(settings, sensor, {
      intervalMs,
      filterTimeConstantMs,
      logger: options.logger ?? silentLogger,
    });
  }

  counters(): CurrentSourceCounters {
    return this.poller.counters();
  }

  async close(): Promise<void> {
    this.poller.close();
  }

  private async read(): Promise<CurrentSample> {
    const { bus, address, config, configurationByte, transducer, clock } = this.settings;
    const result = await readResult(this.settings);
    const timeMs = clock.now();
    if (!holdsConfiguration(result.configurationByte, configurationByte)) {
      await bus.write(address, Uint8Array.of(configurationByte));
      throw new CurrentSensorError(
        'CONFIG_NOT_APPLIED',
        `${this.description}: the chip reports configuration ${hexByte(result.configurationByte)}, ` +
          `not ${hexByte(configurationByte)} (was it reset?): configured again`,
        { sensor: this.description },
      );
    }
    if (!result.fresh)
      throw new CurrentSensorError(
        'NO_NEW_CONVERSION',
        `${this.description}: no new conversion since the last read (RDY set): is it still converting?`,
        { sensor: this.description },
      );
    return {
      timeMs,
      currentA: hallCurrentA(mcp3421InputVoltage(result.code, config), transducer),
      quality: isMcp3421CodeAtLimit(result.code, config.resolutionBits) ? 'overrange' : 'good',
    };
  }
}

async function readResult({ bus, address, config }: Mcp3421Settings) {
  const bytes = await bus.read(address, mcp3421ReadLength(config.resolutionBits));
  return decodeMcp3421Result(bytes, config.resolutionBits);
}

/** RDY and the unused channel bits aside, the chip holds the settings written. */
const holdsConfiguration = (read: number, written: number): boolean =>
  (read & MCP3421_CONFIGURATION_BITS) === (written & MCP3421_CONFIGURATION_BITS);
