import {
  silentLogger,
  type ChargeSample,
  type Clock,
  type CurrentSample,
  type CurrentSource,
  type CurrentSourceCounters,
  type I2cBus,
  type Logger,
  type VoltageSample,
} from '@tsbms/hal';
import { filter, map, type Observable } from 'rxjs';
import { CurrentSensorError, requireNumberIn, requireOneOf } from './current-sensor-error';
import { describeI2cSensor } from './i2c-sensor-options';
import {
  decodeIna228BusVoltage,
  decodeIna228ChargeC,
  decodeIna228CurrentLsbA,
  decodeIna228ShuntVoltage,
  encodeIna228AdcConfiguration,
  encodeIna228Configuration,
  encodeIna228ShuntCalibration,
  INA228_AVERAGES,
  INA228_CHARGE_OVERFLOW_BIT,
  INA228_CONVERSION_TIMES_US,
  INA228_DEVICE_ID,
  INA228_DEVICE_ID_MASK,
  INA228_MANUFACTURER_ID,
  INA228_MATH_OVERFLOW_BIT,
  INA228_REGISTER,
  INA228_RESET_ACCUMULATORS_BIT,
  INA228_SHUNT_FULL_SCALES_V,
  ina228ResultTimeUs,
  ina228ShuntLsbV,
  isIna228ResultAtLimit,
  type Ina228AdcConfiguration,
  type Ina228Averages,
  type Ina228ConversionTimeUs,
  type Ina228ShuntFullScaleV,
} from './ina228-registers';
import { checkIdRegisters, writeVerifiedRegister } from './register-config';
import { SensorPoller } from './sensor-poller';

export interface Ina228Options {
  readonly bus: I2cBus;
  /** 0x40..0x4F, set by the A0/A1 pins. */
  readonly address: number;
  /** The shunt's resistance: 0.0001 Ω for a 500 A / 50 mV shunt. */
  readonly shuntOhm: number;
  /**
   * The largest current to measure, either way. It picks the ADC range: ±40.96 mV (four times
   * finer) when `maxCurrentA × shuntOhm` fits in it, ±163.84 mV otherwise.
   */
  readonly maxCurrentA: number;
  /** How often the registers are read (default 100 ms). */
  readonly sampleIntervalMs?: number;
  /** Samples the chip averages per result (default 16). */
  readonly averages?: Ina228Averages;
  /** Conversion time of each shunt and bus sample (default 1052 µs). */
  readonly conversionTimeUs?: Ina228ConversionTimeUs;
  /** Link volts per volt at the VBUS pin, for a divider in front of it (default 1: none). */
  readonly busVoltageScale?: number;
  readonly clock: Clock;
  readonly logger?: Logger;
}

interface Ina228Settings {
  readonly bus: I2cBus;
  readonly address: number;
  readonly shuntOhm: number;
  readonly shuntFullScaleV: Ina228ShuntFullScaleV;
  readonly currentLsbA: number;
  readonly busVoltageScale: number;
  readonly clock: Clock;
  readonly logger: Logger;
}

interface Ina228Reading {
  readonly current: CurrentSample;
  readonly busVoltage: VoltageSample;
  /** Absent once the chip has reported its charge count broken. */
  readonly charge?: ChargeSample;
}

const DEFAULT_SAMPLE_INTERVAL_MS = 100;
const SECONDS_PER_HOUR = 3600;

/**
 * A TI INA228 20-bit shunt monitor on I2C as a {@link CurrentSource}: the current is VSHUNT divided
 * by the shunt's resistance (positive from IN+ to IN−: wire IN+ on the charger's side), the bus
 * voltage VBUS (rated 85 V: a 48 V pack needs no divider), and `chargeAh$` the chip's own CHARGE
 * accumulator, which integrates every conversion, also those between two reads.
 *
 * SHUNT_CAL is set so that CURRENT_LSB is the full-scale current / 2^19: CURRENT then counts in the
 * VSHUNT's own steps (no resolution is lost, the 20-bit VSHUNT is all there is to compute from) and
 * can never overflow (MATHOF) on a current the ADC can measure. A reading at either end of the
 * shunt range is `overrange`.
 */
export class Ina228CurrentSource implements CurrentSource {
  readonly description: string;
  readonly current$: Observable<CurrentSample>;
  readonly busVoltage$: Observable<VoltageSample>;
  readonly chargeAh$: Observable<ChargeSample>;
  private readonly poller: SensorPoller<Ina228Reading>;
  private chargeBroken = false;

  private constructor(
    private readonly settings: Ina228Settings,
    description: string,
    intervalMs: number,
  ) {
    this.description = description;
    this.poller = new SensorPoller({
      sensor: description,
      intervalMs,
      clock: settings.clock,
      logger: settings.logger,
      read: () => this.read(),
    });
    this.current$ = this.poller.readings$.pipe(map((reading) => reading.current));
    this.busVoltage$ = this.poller.readings$.pipe(map((reading) => reading.busVoltage));
    this.chargeAh$ = this.poller.readings$.pipe(
      map((reading) => reading.charge),
      filter((charge): charge is ChargeSample => charge !== undefined),
    );
  }

  /**
   * Checks the ID registers (WRONG_DEVICE), writes SHUNT_CAL and ADC_CONFIG (continuous shunt and
   * bus conversion) and reads them back (CONFIG_NOT_APPLIED), clears the charge accumulator, then
   * writes CONFIG with the ADC range. Transfer failures reject with the bus's I2cError
   * (I2C_NO_DEVICE when nothing answers).
   */
  static async open(options: Ina228Options): Promise<Ina228CurrentSource> {
    const sensor = describeI2cSensor('INA228', options);
    const address = requireNumberIn(sensor, 'address', options.address, 0x40, 0x4f);
    const shuntOhm = requireNumberIn(sensor, 'shuntOhm', options.shuntOhm, 1e-6, 10);
    const maxCurrentA = requireNumberIn(sensor, 'maxCurrentA', options.maxCurrentA, 1e-3, 100_000);
    const intervalMs = requireNumberIn(
      sensor,
      'sampleIntervalMs',
      options.sampleIntervalMs ?? DEFAULT_SAMPLE_INTERVAL_MS,
      10,
      60_000,
    );
    const conversionUs = requireOneOf(
      sensor,
      'conversionTimeUs',
      options.conversionTimeUs ?? 1052,
      INA228_CONVERSION_TIMES_US,
    );
    const adcConfig: Ina228AdcConfiguration = {
      mode: 'shuntAndBusContinuous',
      busConversionUs: conversionUs,
      shuntConversionUs: conversionUs,
      temperatureConversionUs: conversionUs,
      averages: requireOneOf(sensor, 'averages', options.averages ?? 16, INA228_AVERAGES),
    };
    const busVoltageScale = requireNumberIn(
      sensor,
      'busVoltageScale',
      options.busVoltageScale ?? 1,
      0.001,
      1000,
    );
    const shuntFullScaleV = pickShuntRange(sensor, maxCurrentA, shuntOhm);
    const resultMs = ina228ResultTimeUs(adcConfig) / 1000;
    if (resultMs > intervalMs)
      throw new CurrentSensorError(
        'INVALID_OPTION',
        `${sensor}: ${adcConfig.averages} averages of ${conversionUs} µs shunt and bus conversions ` +
          `take ${resultMs.toFixed(1)} ms, longer than sampleIntervalMs ${intervalMs}: ` +
          'lower one of them or sample less often',
        { sensor, option: 'sampleIntervalMs' },
      );

    const { bus } = options;
    await checkIdRegisters(bus, { sensor, address, chip: 'INA228' }, [
      { name: 'manufacturer ID', register: INA228_REGISTER.manufacturerId, expected: INA228_MANUFACTURER_ID },
      {
        name: 'device ID',
        register: INA228_REGISTER.deviceId,
        expected: INA228_DEVICE_ID,
        mask: INA228_DEVICE_ID_MASK,
      },
    ]);
    const fullScaleLsbA = ina228ShuntLsbV(shuntFullScaleV) / shuntOhm;
    const shuntCalibration = encodeIna228ShuntCalibration(fullScaleLsbA, shuntOhm, shuntFullScaleV);
    const at = (register: number) => ({ sensor, address, register });
    await writeVerifiedRegister(bus, at(INA228_REGISTER.shuntCalibration), shuntCalibration);
    await writeVerifiedRegister(
      bus,
      at(INA228_REGISTER.adcConfiguration),
      encodeIna228AdcConfiguration(adcConfig),
    );
    // The accumulator may hold charge counted before, in another CURRENT_LSB: start it at zero. The
    // datasheet does not say whether RSTACC clears itself, so CONFIG is written again without it.
    const config = encodeIna228Configuration({
      conversionDelayMs: 0,
      temperatureCompensation: false,
      shuntFullScaleV,
    });
    await bus.writeWord(address, INA228_REGISTER.configuration, config | INA228_RESET_ACCUMULATORS_BIT);
    await writeVerifiedRegister(bus, at(INA228_REGISTER.configuration), config);
    return new Ina228CurrentSource(
      {
        bus,
        address,
        shuntOhm,
        shuntFullScaleV,
        currentLsbA: decodeIna228CurrentLsbA(shuntCalibration, shuntOhm, shuntFullScaleV),
        busVoltageScale,
        clock: options.clock,
        logger: options.logger ?? silentLogger,
      },
      sensor,
      intervalMs,
    );
  }

  counters(): CurrentSourceCounters {
    return this.poller.counters();
  }

  async close(): Promise<void> {
    this.poller.close();
  }

  private async read(): Promise<Ina228Reading> {
    const { bus, address, shuntOhm, shuntFullScaleV, currentLsbA, busVoltageScale, clock } = this.settings;
    // DIAG_ALRT first: reading CHARGE clears its overflow flag.
    const diagnostics = await bus.readWord(address, INA228_REGISTER.diagnostics);
    const shunt = await bus.readBlock(address, INA228_REGISTER.shuntVoltage, 3);
    const timeMs = clock.now();
    const vbus = await bus.readBlock(address, INA228_REGISTER.busVoltage, 3);
    const charge = await bus.readBlock(address, INA228_REGISTER.charge, 5);
    this.noteChargeHealth(diagnostics);
    return {
      current: {
        timeMs,
        currentA: decodeIna228ShuntVoltage(shunt, shuntFullScaleV) / shuntOhm,
        quality: isIna228ResultAtLimit(shunt) ? 'overrange' : 'good',
      },
      busVoltage: { timeMs, voltageV: decodeIna228BusVoltage(vbus) * busVoltageScale },
      ...(this.chargeBroken
        ? {}
        : { charge: { timeMs, chargeAh: decodeIna228ChargeC(charge, currentLsbA) / SECONDS_PER_HOUR } }),
    };
  }

  /**
   * A CHARGE that wrapped (CHARGEOF) or missed conversions (MATHOF) no longer counts from open():
   * `chargeAh$` stops for good rather than deliver a wrong total; current and voltage go on.
   */
  private noteChargeHealth(diagnostics: number): void {
    if (this.chargeBroken || (diagnostics & (INA228_CHARGE_OVERFLOW_BIT | INA228_MATH_OVERFLOW_BIT)) === 0)
      return;
    this.chargeBroken = true;
    this.settings.logger.warn(
      { event: 'currentSensor', sensor: this.description, diagnostics },
      `${this.description}: the charge accumulator overflowed (DIAG_ALRT 0x${diagnostics.toString(16)}), ` +
        'no charge from it until the sensor is opened again',
    );
  }
}

/** ±40.96 mV when the largest current's shunt voltage fits in it (four times finer steps). */
function pickShuntRange(sensor: string, maxCurrentA: number, shuntOhm: number): Ina228ShuntFullScaleV {
  const [wide, narrow] = INA228_SHUNT_FULL_SCALES_V;
  const maxShuntV = maxCurrentA * shuntOhm;
  if (maxShuntV <= narrow) return narrow;
  if (maxShuntV <= wide) return wide;
  throw new CurrentSensorError(
    'INVALID_OPTION',
    `${sensor}: maxCurrentA ${maxCurrentA} A across ${shuntOhm} Ω is ${(maxShuntV * 1000).toFixed(1)} mV, ` +
      'beyond the INA228’s ±163.84 mV shunt input: use a smaller shunt',
    { sensor, option: 'maxCurrentA' },
  );
}
