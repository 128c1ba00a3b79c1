import type { Clock, Logger } from '@tsbms/hal';
import type { PackSource } from '@tsbms/pack-reading';
import type { Subscription } from 'rxjs';
import type { Bms } from '../create-bms';
import type { ConfigUpdate, LinkStats, OutputContext, OutputService } from '../output-service';
import type { PersistedBmsState } from '../persisted-state';
import type { ContactorFeedback } from '../contactor-feedback';
import type { BmsRelays } from '../relays';
import type { OutputsStatus, StateFileStatus } from '../status';

/** The settings that last ran, to go back to; an application's checkpoint may carry more (its file text). */
export interface ConfigCheckpoint<Config> {
  readonly config: Config;
}

/** Where the running configuration comes from and where run-time changes go. */
export interface ConfigSource<
  Config,
  Checkpoint extends ConfigCheckpoint<Config> = ConfigCheckpoint<Config>,
> {
  config(): Config;
  /**
   * Validates, checks and persists a patch; throws a ConfigChangeError and changes nothing when it
   * is refused. No changed paths = a no-op, nothing saved.
   */
  update(patch: unknown): { readonly config: Config; readonly changedPaths: readonly string[] };
  /** The saved settings as they are now, to go back to with {@link restore}. */
  checkpoint(): Checkpoint;
  /** Puts the settings of `checkpoint` back (and saves them); returns the config that runs again. */
  restore(checkpoint: Checkpoint): Config;
}

/** Where latched faults and the SoC survive restarts and crashes (B-6, B-36). */
export interface StateStore {
  /** What the first core starts from: as saved, null at a first start, a stateLost fault after a loss. */
  loadState(): PersistedBmsState | null;
  save(state: PersistedBmsState): void;
  status(): StateFileStatus;
}

/** What the supervisor hands a new core: the settings it runs on and what the core before it left. */
export interface CoreStart<Config> {
  readonly config: Config;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly relays: BmsRelays;
  /** The contactors' feedback inputs, where fitted (B-14); like the relays, the same for every core. */
  readonly contactorFeedback?: ContactorFeedback;
  readonly persisted: PersistedBmsState | null;
  readonly contactorsLastOpenedAtMs: number | null;
  readonly outputStatus: () => OutputsStatus;
  readonly stateFileStatus?: () => StateFileStatus;
}

/** One session's core on its source. */
export interface SessionCore<Config = unknown> {
  readonly bms: Bms;
  readonly source: PackSource;
  /** The source's link counters for the outputs (/metrics); null for a source without a link. */
  linkStats(): LinkStats | null;
  /**
   * Applies a configuration whose changes are all live settings to the running core and its
   * source (bms.reconfigure, plus what the source takes: the boards' hardware thresholds); throws
   * when it cannot, and the supervisor restarts instead. Absent = every change restarts.
   */
  reconfigure?(config: Config): void;
}

/** Starts a session's core: createBms on the application's source for these settings. */
export type CoreStarter<Config> = (start: CoreStart<Config>) => SessionCore<Config>;

/** What an application runs beside each session's core (a recorder, a demo load); unsubscribed at its end. */
export type SessionTasks<Config> = (core: SessionCore<Config>, config: Config) => readonly Subscription[];

/** The outcome of an accepted config change, with the configuration that runs from the restart on. */
export interface SupervisedConfigUpdate<Config> extends ConfigUpdate {
  readonly config: Config;
}

/**
 * What the supervisor offers the outputs, over the whole application: bms-core's OutputContext
 * with the whole configuration. Each output gets an OutputContext of its own made from this one,
 * with its part of the configuration as `settings()` (outputService).
 */
export interface SupervisorContext<Config> extends Omit<OutputContext<Config>, 'settings' | 'configuration'> {
  /** The running configuration. */
  config(): Config;
  /** The one validated path for run-time changes (ConfigurationAccess.update). */
  updateConfig(patch: unknown, source: string): SupervisedConfigUpdate<Config>;
}

/**
 * Starts an output from the supervisor's context; null when its settings switch it off. An output
 * that cannot start throws: the supervisor logs it and runs on without it (an output is never a
 * reason to stop the BMS).
 */
export type ServiceFactory<Config> = (context: SupervisorContext<Config>) => Promise<OutputService | null>;
