import type { BatteryModelConfig } from './config';
import { usableAhAtFullHealth } from './soc-estimator';
import { splitTrapezoid } from './trapezoid';
import { integralDelta } from './current-integral';
import type { CurrentIntegral } from '@tsbms/pack-reading';

/**
 * Lifetime throughput of the pack, split by direction, as a battery monitor keeps it (Victron's
 * "charged/discharged energy", Home Assistant's Energy dashboard). Never decreasing.
 */
export interface EnergyTotals {
  readonly chargedAh: number;
  readonly dischargedAh: number;
  readonly chargedWh: number;
  readonly dischargedWh: number;
}

/** The published counters: the totals and the equivalent full cycles they make. */
export interface EnergyCounters extends EnergyTotals {
  /** Discharged Ah / the usable Ah at full health: one full use of the window is one cycle. */
  readonly equivalentCycles: number;
}

/** One scan's inputs. */
export interface EnergySample {
  readonly timestampMs: number;
  readonly currentA: number | null;
  readonly packVoltageV: number | null;
  /** The sensor's running integral, where the source keeps one. */
  readonly integral?: CurrentIntegral | null;
}

/**
 * How long the averaged current takes to follow a step (Victron's BMV averages time-to-go over
 * 3 minutes by default): a kettle switching on must not make the time to empty jump.
 */
export const TIME_TO_GO_AVERAGING_S = 180;

export interface EnergyState extends EnergyCounters {
  /** The current averaged over about {@link TIME_TO_GO_AVERAGING_S} (real time); null before the first. */
  readonly averageCurrentA: number | null;
  /** The last scan with both a current and a voltage: the next step counts from it. */
  readonly last: {
    readonly timestampMs: number;
    readonly currentA: number;
    readonly powerW: number;
    readonly packVoltageV: number;
    readonly integral: CurrentIntegral | null;
  } | null;
}

export const ZERO_ENERGY: EnergyTotals = Object.freeze({
  chargedAh: 0,
  dischargedAh: 0,
  chargedWh: 0,
  dischargedWh: 0,
});

const validTotal = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0;

/**
 * Starts from saved totals. A saved file from before the counters existed, or one with a field
 * that is not a non-negative number, starts that field from 0 (a counter is never invented).
 */
export function initialEnergyState(
  persisted: Partial<EnergyTotals> | null | undefined,
  config: BatteryModelConfig,
): EnergyState {
  const pick = (key: keyof EnergyTotals) => {
    const value = persisted?.[key];
    return validTotal(value) ? value : 0;
  };
  const totals = {
    chargedAh: pick('chargedAh'),
    dischargedAh: pick('dischargedAh'),
    chargedWh: pick('chargedWh'),
    dischargedWh: pick('dischargedWh'),
  };
  return {
    ...totals,
    equivalentCycles: totals.dischargedAh / usableAhAtFullHealth(config),
    averageCurrentA: null,
    last: null,
  };
}

/**
 * One scan (pure). Counts what flowed since the last scan that had both a current and a pack
 * voltage: from the sensor's own integral where the source keeps one (every sample at its time,
 * Wh at the mean of the two scans' voltages), otherwise a trapezoid of current and power over the
 * real time between the scans, not across a gap longer than `maxIntegrationGapS` (B-32: nobody
 * knows what flowed then). A scan without current or voltage counts nothing.
 */
export function stepEnergy(
  state: EnergyState,
  sample: EnergySample,
  config: BatteryModelConfig,
): EnergyState {
  const { currentA, packVoltageV, timestampMs } = sample;
  if (currentA === null || packVoltageV === null) return state;
  const integral = sample.integral ?? null;
  const next = { timestampMs, currentA, powerW: currentA * packVoltageV, packVoltageV, integral };
  const last = state.last;
  const dtS = last === null ? -1 : (timestampMs - last.timestampMs) / 1000;
  const fromIntegral = last?.integral != null && integral !== null;
  if (last === null || (!fromIntegral && (dtS <= 0 || dtS > config.maxIntegrationGapS)))
    return { ...state, averageCurrentA: currentA, last: next };
  const averageCurrentA =
    state.averageCurrentA === null || dtS <= 0 || dtS > config.maxIntegrationGapS
      ? currentA
      : state.averageCurrentA +
        (currentA - state.averageCurrentA) * (1 - Math.exp(-dtS / TIME_TO_GO_AVERAGING_S));
  let ah: { inflow: number; outflow: number };
  let wh: { inflow: number; outflow: number };
  if (fromIntegral) {
    const delta = integralDelta(last.integral as CurrentIntegral, integral);
    const meanV = (last.packVoltageV + packVoltageV) / 2;
    ah = { inflow: delta.chargedAh, outflow: delta.dischargedAh };
    wh = { inflow: delta.chargedAh * meanV, outflow: delta.dischargedAh * meanV };
  } else {
    ah = splitTrapezoid(last.currentA, currentA, dtS / 3600);
    wh = splitTrapezoid(last.powerW, next.powerW, dtS / 3600);
  }
  const dischargedAh = state.dischargedAh + ah.outflow;
  return {
    chargedAh: state.chargedAh + ah.inflow,
    dischargedAh,
    chargedWh: state.chargedWh + wh.inflow,
    dischargedWh: state.dischargedWh + wh.outflow,
    equivalentCycles: dischargedAh / usableAhAtFullHealth(config),
    averageCurrentA,
    last: next,
  };
}

/** The published counters. */
export function publishEnergy(state: EnergyState): EnergyCounters {
  return Object.freeze({
    chargedAh: state.chargedAh,
    dischargedAh: state.dischargedAh,
    chargedWh: state.chargedWh,
    dischargedWh: state.dischargedWh,
    equivalentCycles: state.equivalentCycles,
  });
}

/** What the state file keeps. */
export function persistEnergy(counters: EnergyTotals): EnergyTotals {
  return {
    chargedAh: counters.chargedAh,
    dischargedAh: counters.dischargedAh,
    chargedWh: counters.chargedWh,
    dischargedWh: counters.dischargedWh,
  };
}

/** Time to go at the averaged current: to empty while discharging, to full while charging. */
export interface TimeToGo {
  readonly toEmptyS: number | null;
  readonly toFullS: number | null;
}

/**
 * Time to go (pure). Below `restCurrentA` either way the pack is at rest and neither is known;
 * the remaining and usable Ah come from the SoC (B-31), so an unknown SoC gives nulls.
 */
export function timeToGo(
  averageCurrentA: number | null,
  remainingAh: number | null,
  usableAh: number,
  restCurrentA: number,
): TimeToGo {
  if (averageCurrentA === null || remainingAh === null || Math.abs(averageCurrentA) < restCurrentA)
    return { toEmptyS: null, toFullS: null };
  return averageCurrentA < 0
    ? { toEmptyS: (remainingAh / -averageCurrentA) * 3600, toFullS: null }
    : { toEmptyS: null, toFullS: (Math.max(0, usableAh - remainingAh) / averageCurrentA) * 3600 };
}
