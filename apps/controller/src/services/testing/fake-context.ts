import { Subject } from 'rxjs';
import { ManualClock } from '@tsbms/hal';
import { RecordingLogger } from '@tsbms/hal/testing';
import type { AcknowledgeRequest, AcknowledgeResult, FaultEvent } from '@tsbms/fault-engine';
import type { BusStats } from '@tsbms/tesla-protocol';
import { ConfigStore, configFileError, type ControllerConfig } from '../../config';
import type {
  BmsStatus,
  ConfigurationAccess,
  LinkStats,
  OutputContext,
  RestartDecision,
} from '@tsbms/bms-core';
import type { CanOutputSettings } from '@tsbms/output-victron';
import type { MqttOutputSettings } from '../../mqtt';
import type { HttpOutputSettings } from '../../http';
import type { ControllerConfigUpdate } from '../controller-context';
import { canOutputSettings, httpOutputSettings, linkStatsOf, mqttOutputSettings } from '../output-services';
import { REMOTE_CHANGE_CHECKS } from '../output-settings-checks';

/** The settings of every output at once: one fake context serves each output's tests. */
export type EveryOutputSettings = CanOutputSettings & MqttOutputSettings & HttpOutputSettings;

export interface FakeContextOptions {
  /**
   * A ConfigStore over a real file (validated, persisted atomically, INVALID_CONFIG / CONFIG_FILE
   * errors), or a fixed config: a controller started without --config.
   */
  readonly config: ConfigStore | ControllerConfig;
  /** The snapshot `status()` returns until the test publishes another. */
  readonly status: BmsStatus;
  /**
   * The serial loop's counters, which `linkStats()` answers as the controller converts them;
   * absent = an output that must not ask.
   */
  readonly commsStats?: BusStats;
  /** Default: a ManualClock at 0. */
  readonly clock?: ManualClock;
}

/**
 * An OutputContext that behaves like the one the controller gives an output, recording what the
 * output asked for: acknowledges, config changes, restarts (every accepted config change requests
 * one), log lines. `settings()` is every output's settings, taken from the config as the controller
 * takes them (output-services.ts). Acknowledges follow B-5 over the current status (only clearable
 * latched faults are accepted) unless the test sets `acknowledgeResult`. Status and fault events
 * are published by the test.
 */
export class FakeControllerContext implements OutputContext<EveryOutputSettings> {
  readonly clock: ManualClock;
  readonly logger = new RecordingLogger();
  private readonly statusSubject = new Subject<BmsStatus>();
  private readonly faultSubject = new Subject<FaultEvent>();
  readonly status$ = this.statusSubject.asObservable();
  readonly faultEvents$ = this.faultSubject.asObservable();
  readonly acknowledges: AcknowledgeRequest[] = [];
  readonly configChanges: { patch: unknown; source: string }[] = [];
  readonly restarts: { reason: string; source: string }[] = [];
  /** A fixed answer to every acknowledge instead of the B-5 rule. */
  acknowledgeResult: AcknowledgeResult | null = null;
  /** The answer to restart requests (the supervisor's rate limit is tested on its own). */
  restartDecision: RestartDecision = { accepted: true, inS: 0 };
  private current: BmsStatus;
  private readonly events: FaultEvent[] = [];

  constructor(private readonly options: FakeContextOptions) {
    this.clock = options.clock ?? new ManualClock();
    this.current = options.status;
  }

  /** The config file, null without one. */
  get configFile(): string | null {
    return this.options.config instanceof ConfigStore ? this.options.config.file : null;
  }

  /** The running configuration. */
  config(): ControllerConfig {
    return this.options.config instanceof ConfigStore ? this.options.config.config : this.options.config;
  }

  settings(): EveryOutputSettings {
    const config = this.config();
    return { ...canOutputSettings(config), ...mqttOutputSettings(config), ...httpOutputSettings(config) };
  }

  readonly configuration: ConfigurationAccess = {
    current: () => this.config(),
    update: (patch, source) => this.updateConfig(patch, source),
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

  /** Through the real store and the real remote-change checks; a no-op changes and restarts nothing. */
  updateConfig(patch: unknown, source: string): ControllerConfigUpdate {
    if (!(this.options.config instanceof ConfigStore)) {
      throw configFileError('(none)', 'no config file to save to: start the controller with --config FILE');
    }
    const { config, changedPaths } = this.options.config.update(patch, REMOTE_CHANGE_CHECKS);
    if (changedPaths.length === 0) return { config, changedPaths, restart: null };
    this.configChanges.push({ patch, source });
    return { config, changedPaths, restart: this.requestRestart('configuration changed', source) };
  }

  /** Recorded and answered with `restartDecision` (accepted at once unless a test sets a refusal). */
  requestRestart(reason: string, source: string): RestartDecision {
    if (this.restartDecision.accepted) this.restarts.push({ reason, source });
    return this.restartDecision;
  }

  linkStats(): LinkStats {
    if (this.options.commsStats === undefined) throw new Error('linkStats() is not for this output');
    return linkStatsOf(this.options.commsStats);
  }
}
