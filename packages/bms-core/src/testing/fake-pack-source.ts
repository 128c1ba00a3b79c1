import { EMPTY, Subject, Subscription, type Observable } from 'rxjs';
import type { BalanceMasks, PackReading, PackSource, SourceReading } from '@tsbms/pack-reading';

/**
 * A {@link PackSource} for tests: it plays `readings$` (a marble `cold(...)`, or `timer`-driven
 * stream on a ManualClock) once started, or takes readings pushed with {@link emit}. It records
 * what the core asked of it: every balancing decision, start and stop.
 */
export class FakePackSource implements PackSource {
  private readonly subject = new Subject<SourceReading>();
  private readonly playing = new Subscription();
  private lastTimestampMs = Number.NEGATIVE_INFINITY;
  /** Every `setBalancing` call, in order. */
  readonly balancing: BalanceMasks[] = [];
  started = false;
  stopped = false;
  readonly readings$: Observable<SourceReading> = this.subject.asObservable();

  constructor(
    private readonly script: Observable<PackReading> = EMPTY,
    /** What discovery found, reported with each reading. */
    private readonly discoveredModules: number | null = null,
  ) {}

  start(): void {
    if (this.started) return;
    this.started = true;
    this.playing.add(this.script.subscribe((reading) => this.emit(reading)));
  }

  /** Delivers one reading, as a scan would; like every source, never two in one instant. */
  emit(reading: PackReading, discoveredModules: number | null = this.discoveredModules): void {
    if (reading.timestampMs <= this.lastTimestampMs) {
      throw new Error(`reading at ${reading.timestampMs} ms is not after the previous one`);
    }
    this.lastTimestampMs = reading.timestampMs;
    this.subject.next({ reading, discoveredModules });
  }

  /** The source fails for good (e.g. the link vanished for ever). */
  fail(error: Error): void {
    this.subject.error(error);
  }

  setBalancing(masks: BalanceMasks): void {
    this.balancing.push(masks);
  }

  stop(): Promise<void> {
    this.stopped = true;
    this.playing.unsubscribe();
    this.subject.complete();
    return Promise.resolve();
  }
}
