import type { Observable } from 'rxjs';
import type { Clock, Logger } from '@tsbms/hal';
import type { AcknowledgeRequest, AcknowledgeResult, FaultEvent } from '@tsbms/fault-engine';
import type { BmsStatus, LinkCounters, OutputStatus } from './status';

/*
 * The contract between an output (Victron CAN, MQTT, HTTP, …) and the application that runs it.
 * An output codes against this and its own settings type only; the application (apps/controller)
 * builds one OutputContext per output, with that output's part of the configuration.
 */

/**
 * What an output may see and do. It outlives a restart of the BMS core: `status$` and
 * `faultEvents$` carry on from the new core, so an output subscribes once.
 */
export interface OutputContext<Settings> {
  readonly clock: Clock;
  readonly logger: Logger;
  /**
   * The output's own settings as running: its section of the configuration (file, environment and
   * command line), and the few facts of other sections it needs, as the application hands them over.
   */
  settings(): Settings;
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
   * An operator's "balance now": the next scan chooses the cells to bleed without the
   * `balanceVoltageV` floor (a mid-SoC balance). Refused while balancing is off or a fault is active.
   */
  balanceNow(source: string): BalanceNowResult;
  /**
   * An in-process restart of the BMS core and the outputs, after the caller has answered. Refused
   * while the last restart is more recent than the restart interval (contactors are not cycled at
   * will); requests while one is pending join it.
   */
  requestRestart(reason: string, source: string): RestartDecision;
  /** The whole configuration, for an output that shows or changes it (HTTP, MQTT commands). */
  readonly configuration: ConfigurationAccess;
  /**
   * The pack source's link counters (the Tesla serial loop's T-5 counts), per module address as
   * well; null when the source keeps none. Throws, like `status()`, while no core has started.
   */
  linkStats(): LinkStats | null;
}

/** The running configuration as a whole, in the shape of the config file. */
export interface ConfigurationAccess {
  /** The running configuration (file, environment and command line). */
  current(): unknown;
  /**
   * The one validated path for run-time changes: `patch` has the file's shape. Throws
   * ConfigChangeError (INVALID_CONFIG with every issue's path and reason; PROTECTED_SETTING for a
   * setting HTTP and MQTT may not change; CONFIG_FILE when there is no config file or it cannot be
   * written) and then nothing has changed. A patch that changes nothing is a no-op. A change is
   * checked against what will actually run (file, environment, command line, output start-up
   * checks) and replaces the file atomically. Then, by the application's table of setting effects:
   * a live setting (a threshold, a limit, balancing) is applied to the running core at once; an
   * output's section restarts the outputs only; anything else restarts the controller in-process
   * (contactors open, rediscovery, outputs restarted), never before the caller has answered and at
   * most once per restart interval: a burst of changes is applied by one restart.
   */
  update(patch: unknown, source: string): ConfigUpdate;
}

/** A balance-now that the next scan will act on, or why not. */
export type BalanceNowResult =
  | { readonly accepted: true }
  | { readonly accepted: false; readonly reason: string };

/** A restart that will happen, or why not. */
export type RestartDecision =
  | { readonly accepted: true; /** Seconds until it begins. */ readonly inS: number }
  | { readonly accepted: false; readonly reason: string; readonly retryAfterS: number };

/**
 * How a saved change takes effect: `live` = applied to the running core at once (the contactors
 * stay as they are), `outputs` = the outputs restart and the core runs on, `restart` = the core
 * and the outputs restart (contactors open, rediscovery).
 */
export type SettingEffect = 'live' | 'outputs' | 'restart';

/** The outcome of an accepted config change. */
export interface ConfigUpdate {
  /** The running configuration from now on (unchanged for a no-op), in the file's shape. */
  readonly config: unknown;
  /** Dotted paths of the settings that changed; empty = nothing saved, nothing applied. */
  readonly changedPaths: readonly string[];
  /** How the change takes effect; null for a no-op. */
  readonly effect: SettingEffect | null;
  /** When the restart that applies it begins (`effect` restart); null otherwise. */
  readonly restart: RestartDecision | null;
}

/**
 * A source's link counters by name (`framesOk`, `crcErrors`, `timeouts`, `bytesSent`, …): the
 * totals, and the same per module address when the source keeps them (the Tesla loop: 0 =
 * unaddressed, 1..62 modules, 63 = broadcast).
 */
export interface LinkStats {
  readonly totals: LinkCounters;
  readonly perModule?: Readonly<Record<number, LinkCounters>>;
}

/** A running output. `stop()` releases everything it holds (sockets, timers, subscriptions). */
export interface OutputService {
  readonly name: string;
  status(): OutputStatus;
  stop(): Promise<void>;
}

/**
 * Starts an output from `context.settings()`; null when its settings switch it off. An output
 * that cannot start throws: the controller logs it and runs on without it (an output is never a
 * reason to stop the BMS).
 */
export type OutputFactory<Settings> = (context: OutputContext<Settings>) => Promise<OutputService | null>;

export type ConfigChangeErrorCode =
  /** The settings are wrong: wrong type, unknown key, out of range, inconsistent. */
  | 'INVALID_CONFIG'
  /** The file itself: missing, unreadable, empty or not valid YAML/JSON; or there is none to save to. */
  | 'CONFIG_FILE'
  /** A setting that may not be changed over HTTP or MQTT. */
  | 'PROTECTED_SETTING';

/** One rejected setting: the dotted config path (`cells.cellHighVoltageV`) and why. */
export interface ConfigIssue {
  readonly configPath: string;
  readonly reason: string;
}

/**
 * A configuration refused, by a change (`ConfigurationAccess.update`) or by an output's start-up
 * checks. By default the message has a line per issue, `PATH: REASON`; `configPath` and `reason`
 * are the first issue's. The application's own config errors are ConfigChangeErrors too, so an
 * output recognises every one with {@link isConfigChangeError}.
 */
export class ConfigChangeError extends Error {
  readonly configPath: string;
  readonly reason: string;

  constructor(
    readonly code: ConfigChangeErrorCode,
    readonly issues: readonly ConfigIssue[],
    message: string = issues.map(issueLine).join('\n'),
  ) {
    super(message);
    this.name = 'ConfigChangeError';
    this.configPath = issues[0]?.configPath ?? '';
    this.reason = issues[0]?.reason ?? '';
  }
}

function issueLine(issue: ConfigIssue): string {
  return [issue.configPath, issue.reason].filter((part) => part !== '').join(': ');
}

export function isConfigChangeError(error: unknown): error is ConfigChangeError {
  return error instanceof ConfigChangeError;
}
