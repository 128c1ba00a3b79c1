import type { Observable } from 'rxjs';
import type { Clock, Logger } from '@tsbms/hal';
import type { AcknowledgeRequest, AcknowledgeResult, FaultEvent } from '@tsbms/fault-engine';
import type { BusStats } from '@tsbms/tesla-protocol';
import type { ControllerConfig } from '../config';
import type { BmsStatus, OutputStatus } from '@tsbms/bms-core';

/**
 * What an output (Victron CAN, MQTT, HTTP) may see and do. It outlives a restart of the BMS
 * core: `status$` and `faultEvents$` carry on from the new core, so an output subscribes once.
 */
export interface ControllerContext {
  readonly clock: Clock;
  readonly logger: Logger;
  /** The running configuration (file, environment and command line). */
  config(): ControllerConfig;
  /** The latest status snapshot, outputs included. */
  status(): BmsStatus;
  /** A snapshot after every scan and after an accepted acknowledge; hot, no replay. */
  readonly status$: Observable<BmsStatus>;
  /** The fault log, oldest first. */
  faultEvents(): readonly FaultEvent[];
  readonly faultEvents$: Observable<FaultEvent>;
  /** Operator acknowledge of latched faults (B-5); `source` names the channel, e.g. `http`. */
  acknowledgeFaults(request: AcknowledgeRequest): AcknowledgeResult;
  /**
   * The one validated path for run-time changes: `patch` has the file's shape. Throws
   * ControllerConfigError (INVALID_CONFIG with every issue's path and reason; PROTECTED_SETTING
   * for a setting HTTP and MQTT may not change; CONFIG_FILE when there is no config file or it
   * cannot be written) and then nothing has changed. A patch that changes nothing is a no-op. A
   * change is checked against what will actually run (file, environment, command line, output
   * start-up checks), replaces the file atomically and restarts the controller in-process
   * (contactors open, rediscovery, outputs restarted), never before the caller has answered and
   * at most once per restart interval: a burst of changes is applied by one restart.
   */
  updateConfig(patch: unknown, source: string): ConfigUpdate;
  /**
   * An in-process restart of the BMS core and the outputs, after the caller has answered. Refused
   * while the last restart is more recent than the restart interval (contactors are not cycled at
   * will); requests while one is pending join it.
   */
  requestRestart(reason: string, source: string): RestartDecision;
  /** Serial-loop counters (T-5), per address as well. */
  commsStats(): BusStats;
}

/** A restart that will happen, or why not. */
export type RestartDecision =
  | { readonly accepted: true; /** Seconds until it begins. */ readonly inS: number }
  | { readonly accepted: false; readonly reason: string; readonly retryAfterS: number };

/** The outcome of an accepted config change. */
export interface ConfigUpdate {
  /** The running configuration from the restart on (unchanged for a no-op). */
  readonly config: ControllerConfig;
  /** Dotted paths of the settings that changed; empty = nothing saved, no restart. */
  readonly changedPaths: readonly string[];
  /** When the new settings take effect; null for a no-op. */
  readonly restart: RestartDecision | null;
}

/** A running output. `stop()` releases everything it holds (sockets, timers, subscriptions). */
export interface ControllerService {
  readonly name: string;
  status(): OutputStatus;
  stop(): Promise<void>;
}

/**
 * Starts an output from `context.config()`; null when its config section switches it off. An
 * output that cannot start throws: the controller logs it and runs on without it (an output is
 * never a reason to stop the BMS).
 */
export type ServiceFactory = (context: ControllerContext) => Promise<ControllerService | null>;
