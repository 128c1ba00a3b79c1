import { canIdText, type MonitorEntry, type ProfileSchedule } from './monitor';

/** Seconds between two candump timestamps, to the microsecond candump writes (epoch doubles are coarser). */
const secondsBetween = (fromS: number, toS: number) => Math.round((toS - fromS) * 1e6) / 1e6;

/** A slow id is only missing from a recording long enough to hold one of its ticks, whatever the phase. */
const TICK_S = 1;

interface IdTotals {
  count: number;
  firstS: number;
  lastS: number;
  maxGapS: number;
  /** When the longest gap ended. */
  maxGapEndS: number;
  /** null until the id's second frame. */
  minGapS: number | null;
  flagged: number;
}

/**
 * Per-id counts and gaps of a recording, and what they break of the profile's schedule: an id
 * never seen, a gap too long, frames too close together or too many (V-4/V-5, P-8, S-9).
 */
export class MonitorSummary {
  private readonly perId = new Map<string, IdTotals>();
  private recordingStartS: number | null = null;
  private recordingEndS: number | null = null;
  /** Times of the battery's frames inside the rate window ending at the latest one. */
  private readonly rateWindow: number[] = [];
  private busiestWindow = { frames: 0, startS: 0 };
  unparsedLines = 0;
  flaggedFrames = 0;

  constructor(private readonly schedule: ProfileSchedule) {}

  add(entry: MonitorEntry): void {
    const timeS = entry.timestampS;
    this.recordingStartS ??= timeS;
    this.recordingEndS = timeS;
    if (entry.flags.length > 0) this.flaggedFrames++;
    if (!entry.fromInverter) this.countRate(timeS);
    const totals = this.perId.get(entry.id);
    if (!totals) {
      this.perId.set(entry.id, {
        count: 1,
        firstS: timeS,
        lastS: timeS,
        maxGapS: 0,
        maxGapEndS: timeS,
        minGapS: null,
        flagged: entry.flags.length > 0 ? 1 : 0,
      });
      return;
    }
    const gapS = secondsBetween(totals.lastS, timeS);
    totals.count++;
    if (gapS > totals.maxGapS) {
      totals.maxGapS = gapS;
      totals.maxGapEndS = timeS;
    }
    totals.minGapS = totals.minGapS === null ? gapS : Math.min(totals.minGapS, gapS);
    totals.lastS = timeS;
    if (entry.flags.length > 0) totals.flagged++;
  }

  private countRate(timeS: number): void {
    const rate = this.schedule.maxRate;
    if (rate === undefined) return;
    this.rateWindow.push(timeS);
    while (secondsBetween(this.rateWindow[0], timeS) > rate.windowS) this.rateWindow.shift();
    if (this.rateWindow.length > this.busiestWindow.frames)
      this.busiestWindow = { frames: this.rateWindow.length, startS: this.rateWindow[0] };
  }

  /** Sorted by id. */
  rows(): Array<{ id: string } & Readonly<IdTotals>> {
    return [...this.perId.entries()]
      .sort(([a], [b]) => a.length - b.length || a.localeCompare(b))
      .map(([id, totals]) => ({ id, ...totals }));
  }

  /** What the recording breaks of the profile's schedule, each starting with its rule id. */
  scheduleFindings(): string[] {
    const { everySecondIds, maxGapS, gapRule, missingRule, slowIds, minGap, maxRate } = this.schedule;
    const findings: string[] = [];
    for (const id of everySecondIds) {
      const name = canIdText(id);
      const totals = this.perId.get(name);
      if (totals === undefined) {
        findings.push(`${missingRule}: ${name} never seen; it is sent every second`);
        continue;
      }
      if (totals.maxGapS > maxGapS)
        findings.push(
          `${gapRule}: ${name} gap of ${totals.maxGapS.toFixed(3)} s up to ${totals.maxGapEndS.toFixed(6)}, more than ${maxGapS} s`,
        );
      if (minGap !== undefined && totals.minGapS !== null && totals.minGapS < minGap.seconds)
        findings.push(
          `${minGap.rule}: ${name} twice within ${totals.minGapS.toFixed(3)} s, less than ${minGap.seconds} s apart`,
        );
    }
    const spanS =
      this.recordingStartS === null || this.recordingEndS === null
        ? 0
        : secondsBetween(this.recordingStartS, this.recordingEndS);
    if (slowIds !== undefined && spanS >= slowIds.periodS + TICK_S) {
      for (const id of slowIds.ids) {
        if (!this.perId.has(canIdText(id)))
          findings.push(
            `${missingRule}: ${canIdText(id)} never seen in ${spanS.toFixed(1)} s; it is sent every ${slowIds.periodS} s`,
          );
      }
    }
    if (maxRate !== undefined && this.busiestWindow.frames > maxRate.frames)
      findings.push(
        `${maxRate.rule}: ${this.busiestWindow.frames} battery frames within ${maxRate.windowS} s from ${this.busiestWindow.startS.toFixed(6)}, more than ${maxRate.frames}`,
      );
    return findings;
  }

  /** Flagged frames and schedule findings: what `--strict` fails on. */
  violations(): number {
    return this.flaggedFrames + this.scheduleFindings().length;
  }

  format(): string[] {
    const lines = ['id         frames  max gap s  flagged'];
    for (const row of this.rows()) {
      lines.push(
        `${row.id.padEnd(10)} ${String(row.count).padStart(6)}  ${row.maxGapS.toFixed(3).padStart(9)}  ${String(row.flagged).padStart(7)}`,
      );
    }
    if (this.unparsedLines > 0) lines.push(`${this.unparsedLines} line(s) were not candump -L frames`);
    const findings = this.scheduleFindings();
    if (findings.length === 0) lines.push('schedule: no findings');
    else lines.push(...findings.map((finding) => `!! ${finding}`));
    return lines;
  }
}
