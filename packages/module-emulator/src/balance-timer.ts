import { CELL_MASK, CbTime } from '@tsbms/tesla-protocol';

/** Safety-timer length encoded in CB_TIME: b5..0 = 0..63, b7 = minutes (else seconds). */
export function balanceTimeMs(cbTime: number): number {
  return (cbTime & CbTime.VALUE_MASK) * (cbTime & CbTime.MINUTES ? 60_000 : 1_000);
}

/**
 * The bq76PL536A cell-balancing safety timer (tesla-bq76pl536a.md §8, T-24), in virtual time.
 * The timer starts when CB_CTRL goes from 0 to non-zero (and restarts on every such
 * transition), keeps running when one non-zero mask replaces another, stops when 0 is written,
 * and on expiry switches the FETs off and clears CB_CTRL. With CB_TIME = 0 no FET turns on.
 */
export class BalanceTimer {
  private cbCtrl = 0;
  private cbTime = 0;
  private expiresAtMs: number | undefined;

  /** CB_CTRL as the register reads. */
  get cbCtrlRegister(): number {
    return this.cbCtrl;
  }

  get cbTimeRegister(): number {
    return this.cbTime;
  }

  /** True while the timer runs (DEVICE_STATUS[CBT]). */
  get running(): boolean {
    return this.expiresAtMs !== undefined;
  }

  /** FETs switched on now: bit i = cell i + 1. */
  get outputMask(): number {
    return this.running ? this.cbCtrl : 0;
  }

  /** When the running timer will expire, if it runs. */
  get deadlineMs(): number | undefined {
    return this.expiresAtMs;
  }

  writeCbTime(value: number): void {
    this.cbTime = value & (CbTime.MINUTES | CbTime.VALUE_MASK);
  }

  writeCbCtrl(value: number, nowMs: number): void {
    const mask = value & CELL_MASK;
    if (mask === 0) {
      this.expiresAtMs = undefined;
    } else if (this.cbCtrl === 0) {
      const durationMs = balanceTimeMs(this.cbTime);
      this.expiresAtMs = durationMs > 0 ? nowMs + durationMs : undefined;
    }
    this.cbCtrl = mask;
  }

  /** Applies an expiry that is due at or before `nowMs`; returns true if it expired. */
  expireIfDue(nowMs: number): boolean {
    if (this.expiresAtMs === undefined || this.expiresAtMs > nowMs) return false;
    this.expiresAtMs = undefined;
    this.cbCtrl = 0;
    return true;
  }

  reset(): void {
    this.cbCtrl = 0;
    this.cbTime = 0;
    this.expiresAtMs = undefined;
  }
}
