import { Subject, type Observable } from 'rxjs';
import { InterruptibleSleep, type Clock, type ManualClock } from '@tsbms/hal';
import type { PackSource, SourceReading } from '@tsbms/pack-reading';
import { decodeRecordingLine, RecordingError, shiftReading } from './recording-format';

/**
 * How fast a recording plays. `fast`: on a virtual clock that the replay moves from scan to scan
 * (timers in between fire at their times), so a day of scans takes seconds and decides exactly as
 * the live run did. `realtime`: on a real clock, each scan at its original spacing, its timestamp
 * moved to today.
 */
export type ReplayPace = { readonly fast: ManualClock } | { readonly realtime: Clock };

export interface ReplayOptions {
  /** The recording's lines, without line ends (e.g. node:readline over the file). */
  readonly lines: AsyncIterable<string> | Iterable<string>;
  readonly pace: ReplayPace;
  /**
   * A line that is not a scan (or not after the one before) is skipped and reported here with its
   * line number; the replay goes on. A recording of another format stops the replay instead.
   */
  readonly onSkippedLine?: (error: RecordingError) => void;
}

/** Totals of a replay so far. */
export interface ReplayProgress {
  readonly scans: number;
  readonly skippedLines: number;
  /** Recording time of the first and the latest scan; null before the first. */
  readonly firstMs: number | null;
  readonly latestMs: number | null;
}

/**
 * A recorded readings log as a {@link PackSource}: another source for the same core, to
 * reproduce a night's trip or try a config change against last week's data. Balancing decisions
 * change nothing (the recording already holds what the cells did). `readings$` completes after
 * the last line, errors when the recording cannot be read.
 */
export class ReplaySource implements PackSource {
  private readonly subject = new Subject<SourceReading>();
  private started = false;
  private stopping = false;
  /** Real-time waits, which stop() cuts short (a recording may hold a gap of hours). */
  private readonly sleeper: InterruptibleSleep | null;
  private scans = 0;
  private skippedLines = 0;
  private firstMs: number | null = null;
  private latestMs: number | null = null;
  private finished: Promise<unknown> = Promise.resolve(null);
  readonly readings$: Observable<SourceReading> = this.subject.asObservable();

  constructor(private readonly options: ReplayOptions) {
    this.sleeper = 'realtime' in options.pace ? new InterruptibleSleep(options.pace.realtime) : null;
  }

  get progress(): ReplayProgress {
    return {
      scans: this.scans,
      skippedLines: this.skippedLines,
      firstMs: this.firstMs,
      latestMs: this.latestMs,
    };
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.finished = this.play().then(
      () => {
        this.subject.complete();
        return null;
      },
      (error: unknown) => {
        this.subject.error(error);
        return error ?? new Error('the replay failed');
      },
    );
  }

  /**
   * Resolves once every line has been played or the replay stopped, with what ended it early (a
   * recording of another format, a file that could not be read) or null; never rejects.
   */
  whenFinished(): Promise<unknown> {
    return this.finished;
  }

  /** Changes nothing: a recording already holds what the cells did. */
  setBalancing(): void {
    return;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.sleeper?.interrupt();
    await this.whenFinished();
    this.subject.complete();
  }

  private async play(): Promise<void> {
    const { pace } = this.options;
    const clock = 'fast' in pace ? pace.fast : pace.realtime;
    let offsetMs: number | null = null;
    let lineNumber = 0;
    for await (const text of this.options.lines) {
      lineNumber++;
      if (this.stopping) return;
      let scan: SourceReading;
      try {
        const line = decodeRecordingLine(text, lineNumber);
        if (line.kind !== 'scan') continue;
        scan = line.scan;
        if (this.latestMs !== null && scan.reading.timestampMs <= this.latestMs) {
          throw new RecordingError('MALFORMED_LINE', lineNumber, 'timestamp not after the scan before it');
        }
      } catch (error) {
        if (!(error instanceof RecordingError) || error.code !== 'MALFORMED_LINE') throw error;
        this.skippedLines++;
        this.options.onSkippedLine?.(error);
        continue;
      }
      const recordedMs = scan.reading.timestampMs;
      this.firstMs ??= recordedMs;
      this.latestMs = recordedMs;
      if ('fast' in pace) {
        // Recorded timestamps stand as they are: the virtual clock goes to each scan's time,
        // firing the core's timers in between (start it at the first scan: firstScanMs()).
        offsetMs ??= 0;
        pace.fast.advanceSyncTo(recordedMs);
      } else {
        offsetMs ??= clock.now() - recordedMs;
        const waitMs = recordedMs + offsetMs - clock.now();
        if (waitMs > 0) await this.sleeper?.sleep(waitMs);
        if (this.stopping) return;
      }
      this.scans++;
      this.subject.next({ ...scan, reading: shiftReading(scan.reading, offsetMs) });
    }
  }
}

/**
 * The recording time of the first scan, for a virtual clock to start at (a core created at
 * another time would see a gap before the first scan), and the same lines to play in full.
 */
export async function firstScanMs(
  lines: AsyncIterable<string> | Iterable<string>,
): Promise<{ readonly firstMs: number | null; readonly lines: AsyncIterable<string> }> {
  const iterator = Symbol.asyncIterator in lines ? lines[Symbol.asyncIterator]() : toAsync(lines);
  const seen: string[] = [];
  let firstMs: number | null = null;
  for (let result = await iterator.next(); !result.done; result = await iterator.next()) {
    seen.push(result.value);
    try {
      const line = decodeRecordingLine(result.value, seen.length);
      if (line.kind === 'scan') {
        firstMs = line.scan.reading.timestampMs;
        break;
      }
    } catch {
      // Reported when the replay reaches it.
    }
  }
  async function* replayed(): AsyncGenerator<string> {
    yield* seen;
    for (let result = await iterator.next(); !result.done; result = await iterator.next()) yield result.value;
  }
  return { firstMs, lines: replayed() };
}

function toAsync(lines: Iterable<string>): AsyncIterator<string> {
  const inner = lines[Symbol.iterator]();
  return { next: async () => inner.next() };
}
