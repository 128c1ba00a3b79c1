import {
  requireCanBus,
  requireClock,
  requireLogger,
  requireObject,
  silentLogger,
  type CanBus,
  type CanFrame,
  type ChargeSample,
  type Clock,
  type CurrentSample,
  type CurrentSource,
  type CurrentSourceCounters,
  type Logger,
  type VoltageSample,
} from '@tsbms/hal';
import { Subject, type Observable, type Subscription } from 'rxjs';
import { hexCanId, type CanShuntProtocol } from './can-shunt-protocol';

export interface CanShuntCurrentSourceOptions {
  /** The CAN interface the shunt sends on; it may carry other traffic, and stays the caller's to close. */
  readonly bus: CanBus;
  readonly clock: Clock;
  /** The shunt's frame format: `ivtSProtocol(…)` or `lemCabProtocol(…)`. */
  readonly protocol: CanShuntProtocol;
  /** Receives the first frame dropped in a run and the run's end. Default silent. */
  readonly logger?: Logger;
  /** For messages; default the protocol's name and ids: `IVT-S at 0x521, 0x522, 0x527`. */
  readonly description?: string;
}

/**
 * A shunt that broadcasts its measurements on CAN (Isabellenhütte IVT-S, LEM CAB300/CAB500) as a
 * {@link CurrentSource}: it listens from construction to `close()`, stamps each frame with the
 * clock when it arrives, and delivers what the protocol reads from it. A frame the protocol
 * rejects (wrong length, flagged by the shunt) is dropped and counted, never used; the first of a
 * run at an id is logged, and the frame that ends the run, so a shunt in error for a day logs
 * two lines per id. Nothing here throws on a frame.
 */
export class CanShuntCurrentSource implements CurrentSource {
  readonly description: string;
  readonly current$: Observable<CurrentSample>;
  readonly busVoltage$?: Observable<VoltageSample>;
  readonly chargeAh$?: Observable<ChargeSample>;

  private readonly currentSubject = new Subject<CurrentSample>();
  private readonly voltageSubject = new Subject<VoltageSample>();
  private readonly chargeSubject = new Subject<ChargeSample>();
  private readonly protocol: CanShuntProtocol;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly listening: Subscription;
  /** Frames dropped in a row, per id. */
  private readonly dropRuns = new Map<number, number>();
  private samples = 0;
  private dropped = 0;

  constructor(options: CanShuntCurrentSourceOptions) {
    requireObject(options, 'options', 'CAN shunt options ({ bus, clock, protocol })');
    requireCanBus(options.bus, 'options.bus');
    requireClock(options.clock, 'options.clock');
    requireObject(
      options.protocol,
      'options.protocol',
      'a CAN shunt protocol (ivtSProtocol(), lemCabProtocol())',
    );
    if (options.logger !== undefined) requireLogger(options.logger, 'options.logger');
    this.protocol = options.protocol;
    this.clock = options.clock;
    this.logger = options.logger ?? silentLogger;
    this.description =
      options.description ?? `${this.protocol.name} at ${this.protocol.canIds.map(hexCanId).join(', ')}`;
    this.current$ = this.currentSubject.asObservable();
    if (this.protocol.readsBusVoltage) this.busVoltage$ = this.voltageSubject.asObservable();
    if (this.protocol.readsCharge) this.chargeAh$ = this.chargeSubject.asObservable();
    this.listening = options.bus.frames$.subscribe((frame) => this.onFrame(frame));
  }

  counters(): CurrentSourceCounters {
    return { samples: this.samples, dropped: this.dropped };
  }

  /** Stops listening and completes the streams; the bus stays open. Idempotent. */
  close(): Promise<void> {
    if (!this.listening.closed) {
      this.listening.unsubscribe();
      this.currentSubject.complete();
      this.voltageSubject.complete();
      this.chargeSubject.complete();
    }
    return Promise.resolve();
  }

  private onFrame(frame: CanFrame): void {
    const reading = this.protocol.read(frame);
    if (reading === undefined) return;
    if (reading.kind === 'dropped') {
      this.drop(frame.id, reading.reason);
      return;
    }
    this.endDropRun(frame.id);
    const timeMs = this.clock.now();
    switch (reading.kind) {
      case 'current':
        this.samples++;
        this.currentSubject.next({ timeMs, currentA: reading.currentA, quality: reading.quality });
        return;
      case 'busVoltage':
        this.voltageSubject.next({ timeMs, voltageV: reading.voltageV });
        return;
      case 'charge':
        this.chargeSubject.next({ timeMs, chargeAh: reading.chargeAh });
        return;
    }
  }

  private drop(canId: number, reason: string): void {
    this.dropped++;
    const run = (this.dropRuns.get(canId) ?? 0) + 1;
    this.dropRuns.set(canId, run);
    if (run === 1)
      this.logger.warn(
        { event: 'currentSensor', sensor: this.description, canId, reason },
        `${this.description}: dropped a frame at ${hexCanId(canId)} (${reason}); the next ones like it are only counted`,
      );
  }

  private endDropRun(canId: number): void {
    const run = this.dropRuns.get(canId);
    if (run === undefined) return;
    this.dropRuns.delete(canId);
    this.logger.info(
      { event: 'currentSensor', sensor: this.description, canId, droppedFrames: run },
      `${this.description}: ${hexCanId(canId)} reads again after ${run} dropped frame(s)`,
    );
  }
}
