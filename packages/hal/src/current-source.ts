import type { Observable } from 'rxjs';

/**
 * How far a current sample can be trusted:
 * - `good`: within the sensor's range;
 * - `overrange`: the sensor was at the end of its range (an ADC at full scale, a shunt monitor's
 *   overflow flag): the true current is at least this large, in this direction.
 */
export type CurrentQuality = 'good' | 'overrange';

/** One pack current measurement. */
export interface CurrentSample {
  /** When it was measured, on the source's clock (ms). Coulomb counting integrates between these. */
  readonly timeMs: number;
  /** Pack current in amperes: positive = charging the battery, negative = discharging. */
  readonly currentA: number;
  readonly quality: CurrentQuality;
}

/** A voltage the current sensor measures too (an INA22x's bus input, a shunt's main voltage). */
export interface VoltageSample {
  readonly timeMs: number;
  readonly voltageV: number;
}

/** Charge the sensor counted itself (an INA228's accumulator, a SmartShunt's consumed Ah). */
export interface ChargeSample {
  readonly timeMs: number;
  /** Net charge into the battery since the sensor's counter started, in ampere-hours. */
  readonly chargeAh: number;
}

/** Running totals since the source started, for status output and tests. */
export interface CurrentSourceCounters {
  /** Current samples delivered on `current$`. */
  readonly samples: number;
  /** Readings the source dropped as unusable: failed transfers, bad checksums, implausible values. */
  readonly dropped: number;
}

/**
 * A pack current sensor (shunt monitor, hall sensor ADC, SmartShunt, CAN shunt). Sources never
 * deliver a value built from a failed or corrupt reading: they drop it, count it and log why, and
 * the consumer notices the silence (staleness). None of the streams errors or completes before
 * `close()`.
 */
export interface CurrentSource {
  /** What the source is, for messages: `INA226 at /dev/i2c-1 0x40`. */
  readonly description: string;
  readonly current$: Observable<CurrentSample>;
  /** The sensor's own voltage input, where it has one (the link voltage for the precharge check). */
  readonly busVoltage$?: Observable<VoltageSample>;
  /** The sensor's own charge counter, where it has one. */
  readonly chargeAh$?: Observable<ChargeSample>;
  counters(): CurrentSourceCounters;
  /** Stops sampling and completes the streams. Idempotent. */
  close(): Promise<void>;
}
