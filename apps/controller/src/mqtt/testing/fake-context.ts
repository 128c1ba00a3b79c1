import { Subject } from 'rxjs';
import type { Clock } from '@tsbms/hal';
import type { AcknowledgeRequest, AcknowledgeResult, FaultEvent } from '@tsbms/fault-engine';
import { ConfigStore } from '../../config';
import type { ControllerStatus, RuntimeLogger } from '../../runtime';
import type { ControllerContext } from '../../services';
import { statusFixture } from './status-fixture';

export interface LoggedLine {
  readonly level: 'info' | 'warn' | 'error';
  readonly fields: Record<string, unknown>;
  readonly message: string;
}

/**
 * A ControllerContext over a real ConfigStore (the one validated, persisted path), recording
 * what the output asked for: acknowledges, restarts, config changes, log lines.
 */
export class FakeControllerContext implements ControllerContext {
  readonly statusSubject = new Subject<ControllerStatus>();
  readonly status$ = this.statusSubject.asObservable();
  readonly faultEvents$ = new Subject<FaultEvent>().asObservable();
  readonly acknowledges: AcknowledgeRequest[] = [];
  readonly restarts: { reason: string; source: string }[] = [];
  readonly configChanges: { patch: unknown; source: string }[] = [];
  readonly logged: LoggedLine[] = [];
  acknowledgeResult: AcknowledgeResult = { accepted: [], rejected: [] };
  latest: ControllerStatus = statusFixture();
  readonly logger: RuntimeLogger;

  constructor(
    readonly clock: Clock,
    private readonly store: ConfigStore,
  ) {
    const log = (level: LoggedLine['level']) => (fields: Record<string, unknown>, message: string) =>
      this.logged.push({ level, fields, message });
    this.logger = { info: log('info'), warn: log('warn'), error: log('error') };
  }

  config() {
    return this.store.config;
  }

  status() {
    return this.latest;
  }

  emit(status: ControllerStatus): void {
    this.latest = status;
    this.statusSubject.next(status);
  }

  faultEvents(): readonly FaultEvent[] {
    return [];
  }

  acknowledgeFaults(request: AcknowledgeRequest): AcknowledgeResult {
    this.acknowledges.push(request);
    return this.acknowledgeResult;
  }

  updateConfig(patch: unknown, source: string) {
    const config = this.store.update(patch);
    this.configChanges.push({ patch, source });
    return config;
  }

  requestRestart(reason: string, source: string): void {
    this.restarts.push({ reason, source });
  }

  commsStats(): never {
    throw new Error('not used by the MQTT output');
  }
}
