import type { ChargeLimitsMessage } from '../victron/messages';
import { SMA_ACCEPTED_RANGES, type SmaRangedField } from './accepted-ranges';

const VOLTAGE_STEP_V = SMA_ACCEPTED_RANGES.chargeVoltageLimitV.step;

/**
 * The safe limits (V-7, V-8) made acceptable to a Sunny Island, which would drop anything else
 * silently and keep its previous value (S-3):
 * - while CCL is 0 on the wire, CVL is held at or above the pack voltage, because below it the
 *   Sunny Island discharges the pack ignoring the DCL (S-10);
 * - every field is then clamped into its accepted range, each clamp reported.
 * A non-finite value is left alone: the encoder refuses it and the safe fallback applies.
 */
export function smaAcceptedLimits(
  limits: ChargeLimitsMessage,
  packVoltageV: number,
  report: (message: string) => void,
): ChargeLimitsMessage {
  const clamp = (field: SmaRangedField, value: number) => {
    const { min, max } = SMA_ACCEPTED_RANGES[field];
    if (!Number.isFinite(value) || (value >= min && value <= max)) return value;
    const clamped = Math.min(max, Math.max(min, value));
    report(`${field} ${value} outside the range ${min}..${max} the Sunny Island accepts: sent ${clamped}`);
    return clamped;
  };
  let cvlV = limits.chargeVoltageLimitV;
  const stopsCharging =
    Math.round(limits.chargeCurrentLimitA / SMA_ACCEPTED_RANGES.chargeCurrentLimitA.step) === 0;
  // Rounded up to the field's step: rounding to the nearest could land just below the pack.
  const packHeldV = Math.ceil(packVoltageV / VOLTAGE_STEP_V) * VOLTAGE_STEP_V;
  // A pack voltage that is no (encodable) number cannot be held above; the ranges below still apply.
  if (stopsCharging && Number.isFinite(packHeldV) && packHeldV > cvlV) cvlV = packHeldV;
  return {
    kind: 'chargeLimits',
    chargeVoltageLimitV: clamp('chargeVoltageLimitV', cvlV),
    chargeCurrentLimitA: clamp('chargeCurrentLimitA', limits.chargeCurrentLimitA),
    dischargeCurrentLimitA: clamp('dischargeCurrentLimitA', limits.dischargeCurrentLimitA),
    dischargeVoltageLimitV: clamp('dischargeVoltageLimitV', limits.dischargeVoltageLimitV),
  };
}
