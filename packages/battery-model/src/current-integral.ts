import type { CurrentIntegral } from '@tsbms/pack-reading';
import { splitTrapezoid } from './trapezoid';

/** The integral and the sample it ends at. */
export interface CurrentIntegralState {
  readonly integral: CurrentIntegral;
  readonly last: { readonly timeMs: number; readonly currentA: number } | null;
}

export const INITIAL_CURRENT_INTEGRAL: CurrentIntegralState = Object.freeze({
  integral: Object.freeze({ chargedAh: 0, dischargedAh: 0, gaps: 0 }),
  last: null,
});

/**
 * Adds one sensor sample (pure): the trapezoid from the previous sample, at the samples' own
 * times. A silence longer than `maxGapS` is not integrated (nobody knows what flowed, B-32) and is
 * counted as a gap; a sample not after the previous one adds nothing.
 */
export function stepCurrentIntegral(
  state: CurrentIntegralState,
  sample: { readonly timeMs: number; readonly currentA: number },
  maxGapS: number,
): CurrentIntegralState {
  const { last, integral } = state;
  if (last !== null && sample.timeMs <= last.timeMs) return state;
  const next = { timeMs: sample.timeMs, currentA: sample.currentA };
  if (last === null) return { integral, last: next };
  const dtS = (sample.timeMs - last.timeMs) / 1000;
  if (dtS > maxGapS) return { integral: { ...integral, gaps: integral.gaps + 1 }, last: next };
  const { inflow, outflow } = splitTrapezoid(last.currentA, sample.currentA, dtS / 3600);
  return {
    integral: {
      chargedAh: integral.chargedAh + inflow,
      dischargedAh: integral.dischargedAh + outflow,
      gaps: integral.gaps,
    },
    last: next,
  };
}

/** What flowed between two integrals of the same sensor, and whether a gap lies between them. */
export interface IntegralDelta {
  readonly chargedAh: number;
  readonly dischargedAh: number;
  readonly gap: boolean;
}

/**
 * The change from `from` to `to`. An integral that went backwards belongs to a sensor that was
 * started again: nothing is known of what flowed, so it is a gap.
 */
export function integralDelta(from: CurrentIntegral, to: CurrentIntegral): IntegralDelta {
  const chargedAh = to.chargedAh - from.chargedAh;
  const dischargedAh = to.dischargedAh - from.dischargedAh;
  if (chargedAh < 0 || dischargedAh < 0 || to.gaps < from.gaps)
    return { chargedAh: 0, dischargedAh: 0, gap: true };
  return { chargedAh, dischargedAh, gap: to.gaps !== from.gaps };
}
