import type { BmsStatus } from '@tsbms/bms-core';

/** One chart point: pack volts and SoC percent (null when unknown) at a scan time. */
export interface HistoryPoint {
  readonly timestampMs: number;
  readonly packVoltageV: number | null;
  readonly socPercent: number | null;
}

export interface StatusHistoryOptions {
  readonly historyHours: number;
  readonly historyIntervalS: number;
}

/**
 * The pack voltage and SoC of the last `historyHours`, one point per `historyIntervalS` plus
 * the latest snapshot, for the dashboard chart. Bounded by age and by count, so a clock jump
 * or a fast scan rate cannot grow it.
 */
export class StatusHistory {
  private readonly samples: HistoryPoint[] = [];
  private latest: HistoryPoint | null = null;
  private readonly windowMs: number;
  private readonly intervalMs: number;
  readonly capacity: number;

  constructor(readonly options: StatusHistoryOptions) {
    this.windowMs = options.historyHours * 3_600_000;
    this.intervalMs = options.historyIntervalS * 1000;
    this.capacity = Math.ceil(this.windowMs / this.intervalMs) + 1;
  }

  record(status: BmsStatus): void {
    if (status.timestampMs === null) return;
    const point: HistoryPoint = Object.freeze({
      timestampMs: status.timestampMs,
      packVoltageV: status.packVoltageV,
      socPercent: status.socPercent,
    });
    const last = this.samples.at(-1);
    // The same scan again (an output restarted and recorded the current snapshot): nothing new.
    if (point.timestampMs === (this.latest ?? last)?.timestampMs) return;
    if (last !== undefined && point.timestampMs < last.timestampMs) {
      // The clock went back: the old points would sort after the new ones.
      this.samples.length = 0;
    }
    const previous = this.samples.at(-1);
    if (previous === undefined || point.timestampMs - previous.timestampMs >= this.intervalMs) {
      this.samples.push(point);
      this.latest = null;
    } else {
      this.latest = point;
    }
    const oldestMs = point.timestampMs - this.windowMs;
    const expired = this.samples.findIndex((sample) => sample.timestampMs >= oldestMs);
    this.samples.splice(0, expired < 0 ? this.samples.length : expired);
    if (this.samples.length > this.capacity) this.samples.splice(0, this.samples.length - this.capacity);
  }

  /** Whether this history was made with these settings (else it is replaced, not resized). */
  hasOptions(options: StatusHistoryOptions): boolean {
    return (
      options.historyHours === this.options.historyHours &&
      options.historyIntervalS === this.options.historyIntervalS
    );
  }

  /** Oldest first, the latest snapshot last. */
  points(): readonly HistoryPoint[] {
    return this.latest === null ? [...this.samples] : [...this.samples, this.latest];
  }
}
