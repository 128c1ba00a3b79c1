import { Subject, type Observable } from 'rxjs';
import type {
  ChargeSample,
  CurrentSample,
  CurrentSource,
  CurrentSourceCounters,
  VoltageSample,
} from '../../current-source';

/** Which of the optional streams the fake has, as a real sensor has them or not. */
export interface FakeCurrentSourceStreams {
  /** A link-voltage input (a consumer then verifies precharge by it). Default false. */
  readonly busVoltage?: boolean;
  /** A charge counter of its own. Default false. */
  readonly chargeAh?: boolean;
}

/**
 * A {@link CurrentSource} the test drives: `emit` delivers a sample (and counts it), `drop` counts
 * a reading the sensor would have dropped. Hot, as the drivers' streams are while subscribed.
 */
export class FakeCurrentSource implements CurrentSource {
  private readonly currentSubject = new Subject<CurrentSample>();
  private readonly busSubject = new Subject<VoltageSample>();
  private readonly chargeSubject = new Subject<ChargeSample>();
  private samples = 0;
  private dropped = 0;
  readonly current$ = this.currentSubject.asObservable();
  readonly busVoltage$?: Observable<VoltageSample>;
  readonly chargeAh$?: Observable<ChargeSample>;

  constructor(
    readonly description = 'fake current sensor',
    streams: FakeCurrentSourceStreams = {},
  ) {
    if (streams.busVoltage === true) this.busVoltage$ = this.busSubject.asObservable();
    if (streams.chargeAh === true) this.chargeAh$ = this.chargeSubject.asObservable();
  }

  emit(timeMs: number, currentA: number, quality: CurrentSample['quality'] = 'good'): void {
    this.samples++;
    this.currentSubject.next({ timeMs, currentA, quality });
  }

  emitBusVoltage(timeMs: number, voltageV: number): void {
    this.busSubject.next({ timeMs, voltageV });
  }

  emitCharge(timeMs: number, chargeAh: number): void {
    this.chargeSubject.next({ timeMs, chargeAh });
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
    this.chargeSubject.complete();
  }
}
