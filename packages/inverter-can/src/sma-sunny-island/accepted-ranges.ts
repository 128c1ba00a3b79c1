import { FrameEncodeError } from '../field-codec';

/**
 * The ranges a Sunny Island accepts (SMA, "Connecting Batteries with external BMS to SUNNY ISLAND
 * 6.0H-11", FSS-ConnectingBat-TI-en-10, §5.3). A value outside is dropped without notice and the
 * previous one stays in force, so the encoder refuses it instead (S-3).
 */
export const SMA_ACCEPTED_RANGES = {
  chargeVoltageLimitV: { min: 41, max: 63, step: 0.1 },
  chargeCurrentLimitA: { min: 0, max: 1200, step: 0.1 },
  dischargeCurrentLimitA: { min: 0, max: 1200, step: 0.1 },
  dischargeVoltageLimitV: { min: 41, max: 48, step: 0.1 },
  stateOfChargePercent: { min: 0, max: 100, step: 1 },
  stateOfHealthPercent: { min: 0, max: 100, step: 1 },
  stateOfChargeHighResPercent: { min: 0, max: 100, step: 0.01 },
} as const;

export type SmaRangedField = keyof typeof SMA_ACCEPTED_RANGES;

/** Throws FrameEncodeError unless `value`, rounded to its field's step, is inside the accepted range. */
export function assertSmaAccepted(canId: number, field: SmaRangedField, value: number): void {
  const { min, max, step } = SMA_ACCEPTED_RANGES[field];
  if (!Number.isFinite(value)) throw new FrameEncodeError(canId, field, value, 'not a finite number');
  // Compared in wire counts: 40.96 V goes out as 41.0 V and is accepted.
  const count = Math.round(value / step);
  if (count < Math.round(min / step) || count > Math.round(max / step)) {
    throw new FrameEncodeError(
      canId,
      field,
      value,
      `outside the range ${min}..${max} the Sunny Island accepts`,
    );
  }
}
