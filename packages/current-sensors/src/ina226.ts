import {
  silentLogger,
  type Clock,
  type CurrentSample,
  type CurrentSource,
  type CurrentSourceCounters,
  type I2cBus,
  type Logger,
  type VoltageSample,
} from '@tsbms/hal';
import { map, type Observable } from 'rxjs';
import { CurrentSensorError, requireNumberIn, requireOneOf } from './current-sensor-error';
import { checkIdRegisters, writeVerifiedRegister } from './register-config';
import { describeI2cSensor } from './i2c-sensor-options';
import { SensorPoller } from './sensor-poller';
import {
  decodeIna226BusVoltage,
  decodeIna226ShuntVoltage,
  encodeIna226Configuration,
  INA226_AVERAGES,
  INA226_CONVERSION_TIMES_US,
  INA226_DIE_ID,
  INA226_MANUFACTURER_ID,
  INA226_REGISTER,
  ina226ResultTimeUs,
  isIna226ShuntAtLimit,
  type Ina226Averages,
  type Ina226Configuration,
  type Ina226ConversionTimeUs,
} from './ina226-registers';

export interface Ina226Options {
  readonly bus: I2cBus;
  /** 0x40..0x4F, set by the A0/A1 pins. */
  readonly address: number;
  /** The shunt's resistance: 0.0001 Ω for a 500 A / 50 mV shunt. */
  readonly shuntOhm: number;
  /** How often the registers are read (default 100 ms). */
  readonly sampleIntervalMs?: number;
  /** Samples the chip averages per result (default 16). */
  readonly averages?: Ina226Averages;
  /** Conversion time of each shunt and bus sample (default 1100 µs). */
  readonly conversionTimeUs?: Ina226ConversionTimeUs;
  /** Link volts per volt at the VBUS pin, for a divider in front of it (default 1: none). */
  readonly busVoltageScale?: number;
  readonly clock: Clock;
  readonly logger?: Logger;
}

interface Ina226Reading {
  readonly current: CurrentSample;
  readonly busVoltage: VoltageSample;
}

const DEFAULT_SAMPLE_INTERVAL_MS = 100;

/**
 * A TI INA226 shunt monitor on I2C as a {@link CurrentSource}: the shunt voltage divided by the
 * shunt's resistance, positive when current flows from IN+ to IN− (wire IN+ on the charger's side,
 * or reverse the sign in the calibration). The calibration and current registers are not used:
 * dividing the 2.5 µV shunt reading in software is exact and needs no full-scale choice. The
 * shunt input spans ±81.92 mV; a reading at either end is `overrange`.
 *
 * Reads start with the first subscriber and stop with the last; a failed read is dropped, counted
 * and logged once per outage, never turned into a sample.
 */
export class Ina226CurrentSource implements CurrentSource {
  readonly description: string;
  readonly current$: Observable<CurrentSample>;
  readonly busVoltage$: Observable<VoltageSample>;
  private readonly poller: SensorPoller<Ina226Reading>;

  private constructor(
    private readonly options: Required<Omit<Ina226Options, 'logger'>> & { readonly logger: Logger },
    description: string,
  ) {
    this.description = description;
    this.poller = new SensorPoller({
      sensor: description,
      intervalMs: options.sampleIntervalMs,
      clock: options.clock,
      logger: options.logger,
      read: () => this.read(),
    });
    this.current$ = this.poller.readings$.pipe(map((reading) => reading.current));
    this.busVoltage$ = this.poller.readings$.pipe(map((reading) => reading.busVoltage));
  }

  /**
   * Checks the chip's ID registers (WRONG_DEVICE otherwise), writes the averaging and conversion
   * times with continuous shunt and bus conversion, and reads them back (CONFIG_NOT_APPLIED).
   * Transfer failures reject with the bus's I2cError (I2C_NO_DEVICE when nothing answers).
   */
  static async open(options: Ina226Options): Promise<Ina226CurrentSource> {
    const sensor = describeI2cSensor('INA226', options);
    const resolved = {
      bus: options.bus,
      address: requireNumberIn(sensor, 'address', options.address, 0x40, 0x4f),
      shuntOhm: requireNumberIn(sensor, 'shuntOhm', options.shuntOhm, 1e-6, 10),
      sampleIntervalMs: requireNumberIn(
        sensor,
        'sampleIntervalMs',
        options.sampleIntervalMs ?? DEFAULT_SAMPLE_INTERVAL_MS,
        10,
        60_000,
      ),
      averages: requireOneOf(sensor, 'averages', options.averages ?? 16, INA226_AVERAGES),
      conversionTimeUs: requireOneOf(
        sensor,
        'conversionTimeUs',
        options.conversionTimeUs ?? 1100,
        INA226_CONVERSION_TIMES_US,
      ),
      busVoltageScale: requireNumberIn(sensor, 'busVoltageScale', options.busVoltageScale ?? 1, 0.001, 1000),
      clock: options.clock,
      logger: options.logger ?? silentLogger,
    };
    const config: Ina226Configuration = {
      averages: resolved.averages,
      busConversionUs: resolved.conversionTimeUs,
      shuntConversionUs: resolved.conversionTimeUs,
      mode: 'shuntAndBusContinuous',
    };
    const resultMs = ina226ResultTimeUs(config) / 1000;
    if (resultMs > resolved.sampleIntervalMs)
      throw new CurrentSensorError(
        'INVALID_OPTION',
        `${sensor}: ${resolved.averages} averages of ${resolved.conversionTimeUs} µs shunt and bus conversions ` +
          `take ${resultMs.toFixed(1)} ms, longer than sampleIntervalMs ${resolved.sampleIntervalMs}: ` +
          'lower one of them or sample less often',
        { sensor, option: 'sampleIntervalMs' },
      );
    await checkIdRegisters(resolved.bus, { sensor, address: resolved.address, chip: 'INA226' }, [
      { name: 'manufacturer ID', register: INA226_REGISTER.manufacturerId, expected: INA226_MANUFACTURER_ID },
      { name: 'die ID', register: INA226_REGISTER.dieId, expected: INA226_DIE_ID },
    ]);
    await writeVerifiedRegister(
      resolved.bus,
      { sensor, address: resolved.address, register: INA226_REGISTER.configuration },
      encodeIna226Configuration(config),
    );
    return new Ina226CurrentSource(resolved, sensor);
  }

  counters(): CurrentSourceCounters {
    return this.poller.counters();
  }

  async close(): Promise<void> {
    this.poller.close();
  }

  private async read(): Promise<Ina226Reading> {
    const { bus, address, shuntOhm, busVoltageScale, clock } = this.options;
    const shuntRaw = await bus.readWord(address, INA226_REGISTER.shuntVoltage);
    const timeMs = clock.now();
    const busRaw = await bus.readWord(address, INA226_REGISTER.busVoltage);
    return {
      current: {
        timeMs,
        currentA: decodeIna226ShuntVoltage(shuntRaw) / shuntOhm,
        quality: isIna226ShuntAtLimit(shuntRaw) ? 'overrange' : 'good',
      },
      busVoltage: { timeMs, voltageV: decodeIna226BusVoltage(busRaw) * busVoltageScale },
    };
  }
}
