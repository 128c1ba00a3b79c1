import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Subject } from 'rxjs';
import { ManualClock } from '@tsbms/hal';
import type { AcknowledgeRequest, AcknowledgeResult, FaultEvent } from '@tsbms/fault-engine';
import type { BusStats } from '@tsbms/tesla-protocol';
import { ConfigStore, configFileError, parseControllerConfig, type ControllerConfig } from '../../config';
import type { ControllerStatus, RuntimeLogger } from '../../runtime';
import type { ControllerContext } from '../../services';
import { statusFixture, busStatsFixture } from './status-fixture';

export interface LoggedLine {
  readonly level: 'info' | 'warn' | 'error';
  readonly fields: Record<string, unknown>;
  readonly message: string;
}

export class RecordingLogger implements RuntimeLogger {
  readonly lines: LoggedLine[] = [];
  info(fields: Record<string, unknown>, message: string): void {
    this.lines.push({ level: 'info', fields, message });
  }
  warn(fields: Record<string, unknown>, message: string): void {
    this.lines.push({ level: 'warn', fields, message });
  }
  error(fields: Record<string, unknown>, message: string): void {
    this.lines.push({ level: 'error', fields, message });
  }
}

/**
 * A ControllerContext that behaves like the supervisor's: the config goes through a real
 * ConfigStore on a file in `dir` (validated, persisted atomically, INVALID_CONFIG / CONFIG_FILE
 * errors), acknowledges follow B-5 (only clearable latched faults are accepted), and every
 * accepted change requests a restart. Status and fault events are pushed by the test.
 */
export class FakeControllerContext implements ControllerContext {
  readonly clock = new ManualClock(1_700_000_000_000);
  readonly logger = new RecordingLogger();
  readonly statusSubject = new Subject<ControllerStatus>();
  readonly faultSubject = new Subject<FaultEvent>();
  readonly status$ = this.statusSubject.asObservable();
  readonly faultEvents$ = this.faultSubject.asObservable();
  readonly restarts: { reason: string; source: string }[] = [];
  readonly acknowledges: AcknowledgeRequest[] = [];
  private current: ControllerStatus = statusFixture();
  private readonly events: FaultEvent[] = [];
  private readonly store: ConfigStore | null;
  private readonly fixedConfig: ControllerConfig | null;
  readonly configFile: string | null;

  /** `fileConfig` is written to `dir/bms.json`; `dir` null = a controller started without --config. */
  constructor(dir: string | null, fileConfig: Record<string, unknown>) {
    if (dir === null) {
      this.store = null;
      this.configFile = null;
      this.fixedConfig = parseControllerConfig(fileConfig, 'test');
    } else {
      this.configFile = path.join(dir, 'bms.json');
      writeFileSync(this.configFile, JSON.stringify(fileConfig, null, 2));
      this.store = ConfigStore.open(this.configFile, {});
      this.fixedConfig = null;
    }
  }

  config(): ControllerConfig {
    return this.store?.config ?? (this.fixedConfig as ControllerConfig);
  }

  status(): ControllerStatus {
    return this.current;
  }

  /** A new scan: the snapshot becomes current and is emitted. */
  publishStatus(status: ControllerStatus): void {
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

  updateConfig(patch: unknown, source: string): ControllerConfig {
    if (this.store === null) {
      throw configFileError('(none)', 'no config file to save to: start the controller with --config FILE');
    }
    const config = this.store.update(patch);
    this.restarts.push({ reason: 'configuration changed', source });
    return config;
  }

  requestRestart(reason: string, source: string): void {
    this.restarts.push({ reason, source });
  }

  commsStats(): BusStats {
    return busStatsFixture();
  }
}
