/**
 * One measured quantity (a cell voltage, a thermistor, a module voltage) as the model tracks it:
 * the last good value with its age, never a zero or a NaN standing in for "unknown" (B-43, T-21).
 */
export interface MeasuredValue {
  /** The last good value while it is at most `commsTimeoutS` old; null = unknown. */
  readonly value: number | null;
  /** When the value was measured; null if never. */
  readonly measuredAtMs: number | null;
  /** Seconds since it was measured; null if never. */
  readonly ageS: number | null;
  /** Not measured in this scan (the value, if any, is a kept last good value). */
  readonly stale: boolean;
  /** This scan's raw value was rejected: implausible (T-13), NaN or missing. */
  readonly implausible: boolean;
  /** Consecutive scans with a rejected value. */
  readonly implausibleScans: number;
  /** Lifetime extremes of the good values. */
  readonly lowest: number | null;
  readonly highest: number | null;
}

export const UNKNOWN_VALUE: MeasuredValue = Object.freeze({
  value: null,
  measuredAtMs: null,
  ageS: null,
  stale: true,
  implausible: false,
  implausibleScans: 0,
  lowest: null,
  highest: null,
});

/**
 * How a raw value arrived this scan: a number, `null` because the module did not answer, or
 * rejected (flagged implausible, NaN, or missing from a module that did answer).
 */
export type RawValue =
  | { readonly kind: 'good'; readonly value: number }
  | { readonly kind: 'noReply' }
  | { readonly kind: 'rejected' };

export function classifyRaw(
  raw: number | null | undefined,
  commsOk: boolean,
  flaggedImplausible: boolean,
): RawValue {
  if (!commsOk) return { kind: 'noReply' };
  if (flaggedImplausible || typeof raw !== 'number' || !Number.isFinite(raw)) return { kind: 'rejected' };
  return { kind: 'good', value: raw };
}

export function updateMeasured(
  prev: MeasuredValue,
  raw: RawValue,
  nowMs: number,
  timeoutS: number,
): MeasuredValue {
  if (raw.kind === 'good') {
    return Object.freeze({
      value: raw.value,
      measuredAtMs: nowMs,
      ageS: 0,
      stale: false,
      implausible: false,
      implausibleScans: 0,
      lowest: prev.lowest === null ? raw.value : Math.min(prev.lowest, raw.value),
      highest: prev.highest === null ? raw.value : Math.max(prev.highest, raw.value),
    });
  }
  const ageS = prev.measuredAtMs === null ? null : (nowMs - prev.measuredAtMs) / 1000;
  const rejected = raw.kind === 'rejected';
  return Object.freeze({
    value: ageS !== null && ageS <= timeoutS ? prev.value : null,
    measuredAtMs: prev.measuredAtMs,
    ageS,
    stale: true,
    implausible: rejected,
    implausibleScans: rejected ? prev.implausibleScans + 1 : prev.implausibleScans,
    lowest: prev.lowest,
    highest: prev.highest,
  });
}
