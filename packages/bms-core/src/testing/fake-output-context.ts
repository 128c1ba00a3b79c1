import { Subject } from 'rxjs';
import { ManualClock } from '@tsbms/hal';
import { RecordingLogger } from '@tsbms/hal/testing';
import type { AcknowledgeRequest, AcknowledgeResult, FaultEvent } from '@tsbms/fault-engine';
import type {
  BalanceNowResult,
  ConfigurationAccess,
  LinkStats,
  OutputContext,
  RestartDecision,
} from '../output-service';
import type { BmsStatus } from '../status';

export interface FakeOutputContextOptions<Settings> {
  /** What `settings()` returns; change it with `setSettings`. */
  readonly settings: Settings;
  /** The snapshot `status()` returns until the test publishes another. */
  readonly status: BmsStatus;
  /** Default: a ManualClock at 0. */
  readonly clock?: ManualClock;
  /** What `linkStats()` answers until `setLinkStats`; default null (a source that keeps no counters). */
  readonly linkStats?: LinkStats | null;
}

/**
 * An OutputContext for an output's own tests, without an application: fixed settings, a status and
 * fault events the test publishes, a RecordingLogger, and records of acknowledges and restart
 * requests. Acknowledges follow B-5 over the current status (only clearable latched faults are
 * accepted) unless the test sets `acknowledgeResult`. `configuration` has no file behind it:
 * `current()` is undefined, `update()` throws (an application's fake extends this with its file).
 */
export class FakeOutputContext<Settings> implements OutputContext<Settings> {
  readonly clock: ManualClock;
  readonly logger = new RecordingLogger();
  private readonly statusSubject = new Subject<BmsStatus>();
  private readonly faultSubject = new Subject<FaultEvent>();
  readonly status$ = this.statusSubject.asObservable();
  readonly faultEvents$ = this.faultSubject.asObservable();
  readonly acknowledges: AcknowledgeRequest[] = [];
  readonly restarts: { reason: string; source: string }[] = [];
  /** The sources of balance-now requests, in order. */
  readonly balanceRequests: string[] = [];
  /** The answer to balance-now requests. */
  balanceNowResult: BalanceNowResult = { accepted: true };
  /** The answer to restart requests. */
  restartDecision: RestartDecision = { accepted: true, inS: 0 };
  /** A fixed answer to every acknowledge instead of the B-5 rule. */
  acknowledgeResult: AcknowledgeResult | null = null;
  private current: BmsStatus;
  private currentSettings: Settings;
  private readonly events: FaultEvent[] = [];
  private stats: LinkStats | null;

  constructor(options: FakeOutputContextOptions<Settings>) {
    this.clock = options.clock ?? new ManualClock();
    this.current = options.status;
    this.currentSettings = options.settings;
    this.stats = options.linkStats ?? null;
  }

  settings(): Settings {
    return this.currentSettings;
  }

  setSettings(settings: Settings): void {
    this.currentSettings = settings;
  }

  readonly configuration: ConfigurationAccess = {
    current: () => undefined,
    update: () => {
      throw new Error('FakeOutputContext has no configuration to update');
    },
  };

  status(): BmsStatus {
    return this.current;
  }

  /** A new scan: the snapshot becomes current and is emitted. */
  publishStatus(status: BmsStatus): void {
    this.current = status;
    this.statusSubject.next(status);
  }

  faultEvents(): readonly FaultEvent[] {
    return this.events;
  }

  publishFault(event: FaultEvent): void {
    this.events.push(event);
    this.faultSubject.next(event);
  }

  acknowledgeFaults(request: AcknowledgeRequest): AcknowledgeResult {
    this.acknowledges.push(request);
    if (this.acknowledgeResult !== null) return this.acknowledgeResult;
    const matching = [...this.current.faults, ...this.current.alerts].filter(
      (fault) => fault.latched && (request.kind === undefined || fault.kind === request.kind),
    );
    return {
      accepted: matching.filter((fault) => fault.clearable),
      rejected: matching
        .filter((fault) => !fault.clearable)
        .map((fault) => ({ fault, reason: 'the condition is still present' })),
    };
  }

  /** Recorded and answered with `balanceNowResult`. */
  balanceNow(source: string): BalanceNowResult {
    this.balanceRequests.push(source);
    return this.balanceNowResult;
  }

  /** Recorded and answered with `restartDecision`. */
  requestRestart(reason: string, source: string): RestartDecision {
    if (this.restartDecision.accepted) this.restarts.push({ reason, source });
    return this.restartDecision;
  }

  linkStats(): LinkStats | null {
    return this.stats;
  }

  /** The source's counters from now on (they grow between scans, or start again after a restart). */
  setLinkStats(stats: LinkStats | null): void {
    this.stats = stats;
  }
}
