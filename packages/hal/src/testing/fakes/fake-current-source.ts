import { Subject } from 'rxjs';
import type {
  CurrentSample,
  CurrentSource,
  CurrentSourceCounters,
  VoltageSample,
} from '../../current-source';

/**
 * A {@link CurrentSource} the test drives: `emit` delivers a sample (and counts it), `drop` counts
 * a reading the sensor would have dropped. Hot, as the drivers' streams are while subscribed.
 */
export class FakeCurrentSource implements CurrentSource {
  private readonly currentSubject = new Subject<CurrentSample>();
  private readonly busSubject = new Subject<VoltageSample>();
  private samples = 0;
  private dropped = 0;
  readonly current$ = this.currentSubject.asObservable();
  readonly busVoltage$ = this.busSubject.asObservable();

  constructor(readonly description = 'fake current sensor') {}

  emit(timeMs: number, currentA: number, quality: CurrentSample['quality'] = 'good'): void {
    this.samples++;
    this.currentSubject.next({ timeMs, currentA, quality });
  }

  emitBusVoltage(timeMs: number, voltageV: number): void {
    this.busSubject.next({ timeMs, voltageV });
  }

  drop(): void {
    this.dropped++;
  }

  counters(): CurrentSourceCounters {
    return { samples: this.samples, dropped: this.dropped };
  }

  async close(): Promise<void> {
    this.currentSubject.complete();
    this.busSubject.complete();
  }
}
