import { type BatteryModelConfig, usableWindowFraction } from './config';
import { windowSocPercent } from './ocv-table';
import type { CurrentIntegral } from '@tsbms/pack-reading';
import { integralDelta } from './current-integral';

/** What to persist across restarts (B-36, B-37); the app writes it every 60 s and at shutdown. */
export interface PersistedSoc {
  readonly socPercent: number;
  readonly sohPercent: number;
  readonly timestampMs: number;
}

/** One scan's inputs to the SoC estimator. */
export interface SocSample {
  readonly timestampMs: number;
  /** Mean, highest and lowest known cell voltage; null when no cell is known. */
  readonly meanCellV: number | null;
  readonly maxCellV: number | null;
  readonly minCellV: number | null;
  /** Valid current this scan (+ = charging); null = no sensor or no valid reading. */
  readonly currentA: number | null;
  /**
   * The sensor's running integral of all its samples, where the source keeps one: counting takes
   * its change since the last scan (every sample at its own time) instead of a trapezoid between
   * the scans' currents.
   */
  readonly integral?: CurrentIntegral | null;
}

export type SocMethod = 'none' | 'coulombCounting' | 'voltageBased';

/** The published SoC/SoH (percent of the usable window, B-30). */
export interface SocState {
  /** Null until a cell voltage has been seen. */
  readonly socPercent: number | null;
  readonly method: SocMethod;
  /** True after a counting gap (B-32) until the next full/empty reset. */
  readonly uncertain: boolean;
  readonly atRest: boolean;
  readonly startedFrom: 'persisted' | 'ocv' | null;
  readonly lastReset: 'full' | 'empty' | null;
  readonly sohPercent: number;
  readonly sohSampleCount: number;
  /** Net ampere-hours integrated since start (+ = charged). */
  readonly countedAh: number;
  readonly toPersist: PersistedSoc | null;
}

/** The estimator's full state: the published part plus what it needs for the next step. */
export interface SocEstimatorState extends SocState {
  readonly persisted: PersistedSoc | null;
  readonly lastSampleMs: number | null;
  readonly lastCurrent: { readonly currentA: number; readonly timestampMs: number } | null;
  readonly lastIntegral: CurrentIntegral | null;
  readonly highSinceMs: number | null;
  readonly lowSinceMs: number | null;
  readonly restSinceMs: number | null;
  /** Ah counted since the last full/empty reset without a gap (B-37); null when not counting. */
  readonly sohRun: { readonly from: 'full' | 'empty'; readonly ah: number } | null;
}

export function initialSocState(persisted?: PersistedSoc | null): SocEstimatorState {
  const soh =
    persisted && Number.isFinite(persisted.sohPercent) && persisted.sohPercent > 0
      ? persisted.sohPercent
      : 100;
  return {
    socPercent: null,
    method: 'none',
    uncertain: false,
    atRest: false,
    startedFrom: null,
    lastReset: null,
    sohPercent: soh,
    sohSampleCount: 0,
    countedAh: 0,
    toPersist: null,
    persisted: persisted ?? null,
    lastSampleMs: null,
    lastCurrent: null,
    lastIntegral: null,
    highSinceMs: null,
    lowSinceMs: null,
    restSinceMs: null,
    sohRun: null,
  };
}

const clampPercent = (v: number): number => Math.min(100, Math.max(0, v));

/** First-order filter step toward `target` over `dtS` with time constant `tauS` (real elapsed time). */
const relax = (value: number, target: number, dtS: number, tauS: number): number =>
  value + (target - value) * (1 - Math.exp(-dtS / tauS));

/** Nameplate usable Ah at SoH 100 % (B-31 without the SoH factor). */
export function usableAhAtFullHealth(config: BatteryModelConfig): number {
  return config.moduleCapacityAh * config.parallelStringCount * usableWindowFraction(config);
}

function startSoc(
  state: SocEstimatorState,
  estimate: number,
  nowMs: number,
  config: BatteryModelConfig,
): Pick<SocState, 'socPercent' | 'startedFrom'> {
  const p = state.persisted;
  const usable =
    p !== null &&
    Number.isFinite(p.socPercent) &&
    nowMs - p.timestampMs >= 0 &&
    nowMs - p.timestampMs < config.persistedMaxAgeS * 1000 &&
    Math.abs(p.socPercent - estimate) <= config.persistedMaxDeviationPercent;
  return usable
    ? { socPercent: clampPercent(p.socPercent), startedFrom: 'persisted' }
    : { socPercent: estimate, startedFrom: 'ocv' };
}

/** One estimator step per scan (B-30..B-37). Pure: returns the next state. */
export function stepSoc(
  state: SocEstimatorState,
  sample: SocSample,
  config: BatteryModelConfig,
): SocEstimatorState {
  const t = sample.timestampMs;
  const dtS = state.lastSampleMs === null ? 0 : Math.max(0, (t - state.lastSampleMs) / 1000);
  const estimate =
    sample.meanCellV === null
      ? null
      : windowSocPercent(config.ocvTable, sample.meanCellV, config.cellLowVoltageV, config.cellHighVoltageV);

  let soc = state.socPercent;
  let startedFrom = state.startedFrom;
  const justStarted = soc === null;
  if (soc === null && estimate !== null) {
    ({ socPercent: soc, startedFrom } = startSoc(state, estimate, t, config));
  }

  const current = sample.currentA;
  let uncertain = state.uncertain;
  let countedAh = state.countedAh;
  let sohRun = state.sohRun;
  let lastCurrent = state.lastCurrent;
  const usableAh = usableAhAtFullHealth(config) * (state.sohPercent / 100);

  const integral = sample.integral ?? null;
  const count = (dAh: number) => {
    countedAh += dAh;
    if (soc !== null) soc += (dAh / usableAh) * 100;
    if (sohRun !== null) sohRun = { from: sohRun.from, ah: sohRun.ah + dAh };
  };
  const gap = () => {
    uncertain = true;
    sohRun = null;
  };
  if (integral !== null && state.lastIntegral !== null) {
    // The sensor's own samples, each at its time (B-32): nothing between scans is missed.
    const delta = integralDelta(state.lastIntegral, integral);
    count(delta.chargedAh - delta.dischargedAh);
    if (delta.gap) gap();
  } else if (current !== null && lastCurrent !== null) {
    const dtCurrentS = (t - lastCurrent.timestampMs) / 1000;
    // Trapezoid over the real elapsed time (B-32, seed bug B-24(3)).
    if (dtCurrentS >= 0 && dtCurrentS <= config.maxIntegrationGapS)
      count(((current + lastCurrent.currentA) / 2) * (dtCurrentS / 3600));
    else gap();
  }
  if (current !== null) lastCurrent = { currentA: current, timestampMs: t };
  else if (!justStarted && soc !== null && estimate !== null)
    soc = relax(soc, estimate, dtS, config.voltageSocTimeConstantS); // B-35

  const restSinceMs =
    current !== null && Math.abs(current) < config.restCurrentA ? (state.restSinceMs ?? t) : null;
  const atRest = restSinceMs !== null && t - restSinceMs >= config.restHoldS * 1000;
  if (atRest && soc !== null && estimate !== null) soc = relax(soc, estimate, dtS, config.restTimeConstantS); // B-34

  // B-33 resets, once per hold period; B-37 SoH sample between opposite resets.
  const highSinceMs =
    sample.maxCellV !== null && sample.maxCellV >= config.cellHighVoltageV ? (state.highSinceMs ?? t) : null;
  const lowSinceMs =
    sample.minCellV !== null && sample.minCellV <= config.cellLowVoltageV ? (state.lowSinceMs ?? t) : null;
  const holdMs = config.socResetHoldS * 1000;
  const resetTo = (since: number | null, prevSince: number | null): boolean =>
    since !== null &&
    t - since >= holdMs &&
    (prevSince === null || state.lastSampleMs === null || state.lastSampleMs - prevSince < holdMs);
  let lastReset = state.lastReset;
  let sohPercent = state.sohPercent;
  let sohSampleCount = state.sohSampleCount;
  const reset = resetTo(highSinceMs, state.highSinceMs)
    ? 'full'
    : resetTo(lowSinceMs, state.lowSinceMs)
      ? 'empty'
      : null;
  if (reset !== null && soc !== null) {
    soc = reset === 'full' ? 100 : 0;
    uncertain = false;
    lastReset = reset;
    if (sohRun !== null && sohRun.from !== reset) {
      const samplePercent = (Math.abs(sohRun.ah) / usableAhAtFullHealth(config)) * 100;
      if (samplePercent >= 50 && samplePercent <= 110) {
        sohPercent = 0.75 * sohPercent + 0.25 * samplePercent;
        sohSampleCount += 1;
      }
    }
    sohRun = current !== null ? { from: reset, ah: 0 } : null;
  }

  const socPercent = soc === null ? null : clampPercent(soc);
  return {
    socPercent,
    method: socPercent === null ? 'none' : current !== null ? 'coulombCounting' : 'voltageBased',
    uncertain,
    atRest,
    startedFrom,
    lastReset,
    sohPercent,
    sohSampleCount,
    countedAh,
    toPersist: socPercent === null ? null : { socPercent, sohPercent, timestampMs: t },
    persisted: state.persisted,
    lastSampleMs: t,
    lastCurrent,
    lastIntegral: integral ?? state.lastIntegral,
    highSinceMs,
    lowSinceMs,
    restSinceMs,
    sohRun,
  };
}

/** The published part of the estimator state. */
export function publishSoc(state: SocEstimatorState): SocState {
  return Object.freeze({
    socPercent: state.socPercent,
    method: state.method,
    uncertain: state.uncertain,
    atRest: state.atRest,
    startedFrom: state.startedFrom,
    lastReset: state.lastReset,
    sohPercent: state.sohPercent,
    sohSampleCount: state.sohSampleCount,
    countedAh: state.countedAh,
    toPersist: state.toPersist,
  });
}
