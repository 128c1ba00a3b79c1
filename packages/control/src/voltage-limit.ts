import { seriesCellCount, type ControlConfig } from './config';
import { isKnown } from './inputs';
import { ceilToStep, clamp, floorToStep } from './rounding';

/** State of the CVL closed loop (B-16..B-19). Voltages in V, times in clock ms. */
export interface VoltageLimitState {
  /** Highest cell, exponentially filtered; null until the first known value. */
  readonly filteredCellV: number | null;
  readonly filteredAtMs: number;
  /** R of B-17: how far the loop has pulled CVL below CVLnom. */
  readonly reductionV: number;
  readonly loopAtMs: number | null;
  readonly lastPositiveErrorAtMs: number;
  /** Unrounded CVL; null before the first evaluation. */
  readonly cvlV: number | null;
  /** Charging is blocked and CVL is held (B-18). */
  readonly frozen: boolean;
  readonly atMs: number;
}

export const initialVoltageLimit: VoltageLimitState = {
  filteredCellV: null,
  filteredAtMs: 0,
  reductionV: 0,
  loopAtMs: null,
  lastPositiveErrorAtMs: -Infinity,
  cvlV: null,
  frozen: false,
  atMs: 0,
};

export interface VoltageLimitInputs {
  readonly highestCellV: number | null;
  readonly packVoltageV: number | null;
  /** CCL is forced to 0 (B-18). */
  readonly chargeBlocked: boolean;
  /** A module is stale: CVL may fall but not rise (B-41). */
  readonly fallOnly: boolean;
}

export function voltageLimitRangeV(config: ControlConfig): {
  minV: number;
  nominalV: number;
} {
  const ns = seriesCellCount(config);
  return {
    minV: ns * config.cellLowVoltageV,
    nominalV: ns * config.cellHighVoltageV,
  };
}

function filterHighestCell(
  state: VoltageLimitState,
  cellV: number | null,
  config: ControlConfig,
  nowMs: number,
): Pick<VoltageLimitState, 'filteredCellV' | 'filteredAtMs'> {
  if (!isKnown(cellV))
    return {
      filteredCellV: state.filteredCellV,
      filteredAtMs: state.filteredAtMs,
    };
  if (state.filteredCellV === null) return { filteredCellV: cellV, filteredAtMs: nowMs };
  const weight = 1 - Math.exp(-(nowMs - state.filteredAtMs) / 1000 / config.cvlFilterTauS);
  return {
    filteredCellV: state.filteredCellV + weight * (cellV - state.filteredCellV),
    filteredAtMs: nowMs,
  };
}

function runLoop(
  state: VoltageLimitState,
  filteredCellV: number | null,
  config: ControlConfig,
  nowMs: number,
): Pick<VoltageLimitState, 'reductionV' | 'loopAtMs' | 'lastPositiveErrorAtMs'> {
  const unchanged = {
    reductionV: state.reductionV,
    loopAtMs: state.loopAtMs,
    lastPositiveErrorAtMs: state.lastPositiveErrorAtMs,
  };
  if (filteredCellV === null) return unchanged;
  if (state.loopAtMs === null) return { ...unchanged, loopAtMs: nowMs };
  const dtS = (nowMs - state.loopAtMs) / 1000;
  if (dtS < config.cvlLoopPeriodS) return unchanged;
  const { minV, nominalV } = voltageLimitRangeV(config);
  const errorV = filteredCellV - config.cellHighVoltageV;
  let reductionV = state.reductionV;
  let lastPositiveErrorAtMs = state.lastPositiveErrorAtMs;
  if (errorV > 0) {
    reductionV += config.cvlGainPerS * errorV * dtS;
    lastPositiveErrorAtMs = nowMs;
  } else if (
    errorV < -config.cvlDeadbandV &&
    nowMs - lastPositiveErrorAtMs >= config.cvlRecoveryDelayS * 1000
  ) {
    reductionV -= config.cvlRecoveryRateVps * dtS;
  }
  return {
    reductionV: clamp(reductionV, 0, nominalV - minV),
    loopAtMs: nowMs,
    lastPositiveErrorAtMs,
  };
}

/** Highest allowed value of CVL given the pack voltage now: it, rounded down, within the range. */
function packVoltageFloorV(packVoltageV: number | null, config: ControlConfig): number | null {
  if (!isKnown(packVoltageV)) return null;
  const { minV, nominalV } = voltageLimitRangeV(config);
  return clamp(floorToStep(packVoltageV, 0.1), minV, nominalV);
}

/** One evaluation of CVL. */
export function stepVoltageLimit(
  state: VoltageLimitState,
  inputs: VoltageLimitInputs,
  config: ControlConfig,
  nowMs: number,
): VoltageLimitState {
  const filtered = filterHighestCell(state, inputs.highestCellV, config, nowMs);
  const loop = runLoop(state, filtered.filteredCellV, config, nowMs);
  const { minV, nominalV } = voltageLimitRangeV(config);
  const targetV = nominalV - loop.reductionV;
  const packFloorV = packVoltageFloorV(inputs.packVoltageV, config);
  let cvlV: number;
  if (state.cvlV === null) {
    // B-19: start at the pack voltage (CVLmin when unknown), so the first CVL never asks for a jump.
    cvlV = Math.min(targetV, packFloorV ?? minV);
  } else if (targetV < state.cvlV) {
    cvlV = targetV;
  } else {
    cvlV = Math.min(targetV, state.cvlV + (config.cvlMaxRiseVps * (nowMs - state.atMs)) / 1000);
  }
  if (state.cvlV !== null && inputs.fallOnly) cvlV = Math.min(cvlV, state.cvlV);
  let frozen = false;
  if (inputs.chargeBlocked) {
    frozen = true;
    if (state.frozen && state.cvlV !== null) {
      cvlV = state.cvlV;
    } else {
      // B-18: freeze at the pack voltage if that is lower, so the inverter stops pushing.
      const held = state.cvlV ?? cvlV;
      cvlV = packFloorV === null ? held : Math.min(held, packFloorV);
    }
  }
  return {
    ...filtered,
    ...loop,
    cvlV: clamp(cvlV, minV, nominalV),
    frozen,
    atMs: nowMs,
  };
}

/** CVL as published: rounded down to 0.1 V, inside [CVLmin, CVLnom], never 0 (B-19). */
export function publishedVoltageLimitV(state: VoltageLimitState, config: ControlConfig): number {
  const { minV, nominalV } = voltageLimitRangeV(config);
  const lowV = ceilToStep(minV, 0.1);
  return clamp(floorToStep(state.cvlV ?? minV, 0.1), lowV, Math.max(lowV, floorToStep(nominalV, 0.1)));
}
