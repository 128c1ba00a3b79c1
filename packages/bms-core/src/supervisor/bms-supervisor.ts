import { interval, Subject, type Subscription } from 'rxjs';
import {
  errorMessage,
  requireClock,
  requireFunction,
  requireLogger,
  requireObject,
  type Clock,
  type Logger,
} from '@tsbms/hal';
import type { FaultEvent } from '@tsbms/fault-engine';
import {
  requireConfigSource,
  requireContactorFeedback,
  requireFunctionList,
  requireRelays,
  requireStateStoreOrNull,
} from '../argument-guards';
import type { Bms } from '../create-bms';
import type { OutputService, SettingEffect } from '../output-service';
import type { PersistedBmsState } from '../persisted-state';
import type { ContactorFeedback } from '../contactor-feedback';
import type { BmsRelays } from '../relays';
import type { BmsStatus, OutputsStatus } from '../status';
import { changeEffect } from '../config/setting-effects';
import { DEFAULT_RESTART_POLICY, RestartScheduler, type RestartPolicy } from './restart-scheduler';
import type {
  ConfigCheckpoint,
  ConfigSource,
  CoreStarter,
  ServiceFactory,
  SessionCore,
  SessionTasks,
  StateStore,
  SupervisorContext,
} from './supervisor-ports';

export interface SupervisorOptions<Config, Checkpoint extends ConfigCheckpoint<Config>> {
  /** Starts the core of a session on its source (a module chain, a recording played in real time, …). */
  readonly startCore: CoreStarter<Config>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly configSource: ConfigSource<Config, Checkpoint>;
  /** Relays and lamps, created once: they keep their lines across restarts. */
  readonly relays: BmsRelays;
  /** The contactors' feedback inputs, where fitted (B-14), created once like the relays. */
  readonly contactorFeedback?: ContactorFeedback;
  readonly services: readonly ServiceFactory<Config>[];
  /** Null = nothing survives a restart of the process (the demo). */
  readonly stateStore: StateStore | null;
  /** What runs beside each session's core, stopped with it. */
  readonly sessionTasks?: SessionTasks<Config>;
  /** B-36: the SoC and latched faults are saved this often and at every stop. Default 60 s. */
  readonly persistIntervalS?: number;
  /** Rate limit and coalescing of restarts; default {@link DEFAULT_RESTART_POLICY}. */
  readonly restartPolicy?: RestartPolicy;
  /**
   * What each setting takes to apply, by dotted path (`SettingEffects` of the application's
   * configuration, e.g. bms-core's BMS_SETTING_EFFECTS plus the application's own sections).
   * Absent = every change restarts the core.
   */
  readonly settingEffects?: Readonly<Record<string, SettingEffect>>;
}

interface Session<Config> {
  readonly core: SessionCore<Config>;
  /** The running outputs; replaced in place when only the outputs restart. */
  readonly services: OutputService[];
  readonly subscriptions: Subscription[];
}

/**
 * Runs the BMS core (createBms on the application's source) and its outputs, and restarts both in-process when the
 * configuration changes or an operator asks. Restarts are serialised, rate-limited and coalesced
 * (RestartScheduler); the relays are switched off by the old core before anything else happens,
 * and the new core starts with them open. When an output cannot start after a config change, the
 * settings that last ran with every output are put back and run again.
 */
export class BmsSupervisor<Config, Checkpoint extends ConfigCheckpoint<Config> = ConfigCheckpoint<Config>> {
  readonly context: SupervisorContext<Config>;
  private readonly statusSubject = new Subject<BmsStatus>();
  private readonly faultEventsSubject = new Subject<FaultEvent>();
  private session: Session<Config> | null = null;
  /** The latest core, still answering status() (relays open) while a restart is under way. */
  private latestCore: SessionCore<Config> | null = null;
  /** Start, restart and stop, one at a time. */
  private transition: Promise<void> = Promise.resolve();
  private stopped = false;
  private fail: (error: unknown) => void = () => undefined;
  private readonly restarts: RestartScheduler;
  /** The settings the last session with every output started ran on. */
  private lastGoodConfig: Checkpoint | null = null;
  /** Whether every output of the running session started. */
  private outputsHealthy = false;
  /** An outputs-only restart waiting for its settle time, with the reasons it serves. */
  private outputsRestart: { readonly reasons: string[]; readonly timer: Subscription } | null = null;
  /** What a stopped core hands to the next one: its latched faults, SoC and last contactor opening. */
  private carried: {
    readonly state: PersistedBmsState;
    readonly contactorsLastOpenedAtMs: number | null;
  } | null = null;

  constructor(private readonly options: SupervisorOptions<Config, Checkpoint>) {
    requireSupervisorOptions(options);
    this.restarts = new RestartScheduler(
      options.clock,
      options.restartPolicy ?? DEFAULT_RESTART_POLICY,
      (reasons) => this.enqueueRestart(reasons.join('; ')),
    );
    this.context = this.createContext();
  }

  /** Starts the core and the outputs; resolves after {@link stop}, rejects when the core fails. */
  run(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.fail = reject;
      this.done = resolve;
      // Started at once (not queued), so the context answers status() from the first tick.
      this.transition = this.startSession().then(
        () => undefined,
        (error: unknown) => this.fail(error),
      );
    });
  }

  /** Relays off, balancing stopped, state saved, outputs closed. Idempotent. */
  stop(): Promise<void> {
    if (!this.stopped) {
      this.stopped = true;
      this.restarts.cancel();
      this.outputsRestart?.timer.unsubscribe();
      this.outputsRestart = null;
      this.enqueue(async () => {
        await this.stopSession();
        this.statusSubject.complete();
        this.faultEventsSubject.complete();
        this.done();
      });
    }
    return this.transition;
  }

  private enqueueRestart(reason: string): void {
    this.enqueue(async () => {
      if (this.stopped) return;
      this.options.logger.info(
        { event: 'restart', reason },
        `restarting the BMS core and outputs: ${reason}`,
      );
      await this.stopSession();
      if (this.stopped) return;
      const failed = await this.startSession();
      if (!this.putBackLastGood(failed)) return;
      await this.stopSession();
      if (!this.stopped) await this.startSession();
    });
  }

  /**
   * An output's section changed: the outputs restart, the core and its contactors run on. It waits
   * for the settle time (the caller has answered, a burst joins one restart) and takes its turn
   * with the other transitions; when an output cannot start, the last good settings come back.
   */
  private requestOutputsRestart(reason: string): void {
    if (this.outputsRestart !== null) {
      this.outputsRestart.reasons.push(reason);
      return;
    }
    const reasons = [reason];
    const settleMs = (this.options.restartPolicy ?? DEFAULT_RESTART_POLICY).settleS * 1000;
    const timer = this.options.clock.schedule(() => {
      this.outputsRestart = null;
      this.enqueue(() => this.restartOutputs(reasons.join('; ')));
    }, settleMs);
    this.outputsRestart = { reasons, timer };
  }

  private async restartOutputs(reason: string): Promise<void> {
    const session = this.session;
    if (this.stopped || session === null) return;
    this.options.logger.info(
      { event: 'restart', reason, scope: 'outputs' },
      `restarting the outputs (the core runs on, the contactors stay as they are): ${reason}`,
    );
    await this.stopOutputs(session);
    const failed = await this.startOutputs(session, this.options.configSource.checkpoint());
    if (!this.putBackLastGood(failed)) return;
    await this.stopOutputs(session);
    await this.startOutputs(session, this.options.configSource.checkpoint());
  }

  /**
   * After outputs failed to start on new settings: puts back the settings that last ran with every
   * output; true when they are back (the caller starts again on them), false when there is nothing
   * to put back or it failed (the new settings stay; the BMS runs on without that output, as at a start).
   */
  private putBackLastGood(failed: readonly string[]): boolean {
    const good = this.lastGoodConfig;
    if (failed.length === 0 || good === null || good.config === this.options.configSource.config())
      return false;
    this.options.logger.error(
      { event: 'config', errors: failed },
      `the new configuration left an output unable to start (${failed.join('; ')}): putting the previous configuration back`,
    );
    try {
      this.options.configSource.restore(good);
      return true;
    } catch (error) {
      this.options.logger.error(
        { event: 'config', error: errorMessage(error) },
        `the previous configuration could not be put back: ${errorMessage(error)}`,
      );
      return false;
    }
  }

  /**
   * A change of live settings only: applied to the running core now. False when it must restart
   * instead (a core that cannot take it); no session = the next one starts on the saved settings.
   */
  private applyLive(config: Config): boolean {
    const session = this.session;
    if (session === null) return true;
    if (session.core.reconfigure === undefined) return false;
    try {
      session.core.reconfigure(config);
    } catch (error) {
      this.options.logger.warn(
        { event: 'config', error: errorMessage(error) },
        `the change could not be applied to the running core (${errorMessage(error)}): restarting instead`,
      );
      return false;
    }
    // The outputs run on these settings too: they are what to come back to.
    if (this.outputsHealthy) this.lastGoodConfig = this.options.configSource.checkpoint();
    return true;
  }

  private done: () => void = () => undefined;

  private enqueue(step: () => Promise<void>): void {
    this.transition = this.transition.then(step).catch((error: unknown) => this.fail(error));
  }

  private createContext(): SupervisorContext<Config> {
    const { clock, logger, configSource } = this.options;
    const latest = (): SessionCore => {
      if (this.latestCore === null) throw new Error('the BMS core has not started');
      return this.latestCore;
    };
    const running = (): Bms => {
      if (this.session === null) throw new Error('the BMS core is restarting: try again in a moment');
      return this.session.core.bms;
    };
    return {
      clock,
      logger,
      config: () => configSource.config(),
      status: () => latest().bms.status(),
      status$: this.statusSubject.asObservable(),
      faultEvents: () => latest().bms.faultEvents(),
      faultEvents$: this.faultEventsSubject.asObservable(),
      acknowledgeFaults: (request) => {
        const result = running().acknowledgeFaults(request);
        logger.info(
          { event: 'acknowledge', source: request.source, accepted: result.accepted.length },
          `acknowledge from ${request.source}: ${result.accepted.length} fault(s) cleared, ${result.rejected.length} still present`,
        );
        return result;
      },
      balanceNow: (source) => running().balanceNow(source),
      updateConfig: (patch, source) => {
        const { config, changedPaths } = configSource.update(patch);
        if (changedPaths.length === 0) {
          logger.info({ event: 'config', source }, `configuration change by ${source} changed nothing`);
          return { config, changedPaths, effect: null, restart: null };
        }
        const changed = changedPaths.join(', ');
        const fields = { event: 'config', source, changed: changedPaths };
        const effect = changeEffect(this.options.settingEffects ?? {}, changedPaths);
        if (effect === 'live' && this.applyLive(config)) {
          logger.info(
            { ...fields, effect },
            `configuration changed by ${source}, saved and applied to the running core (no restart): ${changed}`,
          );
          return { config, changedPaths, effect, restart: null };
        }
        if (effect === 'outputs') {
          logger.info(
            { ...fields, effect },
            `configuration changed by ${source} and saved; the outputs restart with it: ${changed}`,
          );
          this.requestOutputsRestart(`configuration changed by ${source}`);
          return { config, changedPaths, effect, restart: null };
        }
        logger.info(
          { ...fields, effect: 'restart' },
          `configuration changed by ${source} and saved: ${changed}`,
        );
        const restart = this.restarts.requestForChange(`configuration changed by ${source}`);
        return { config, changedPaths, effect: 'restart', restart };
      },
      requestRestart: (reason, source) => {
        const decision = this.restarts.requestByOperator(`${reason} (${source})`);
        if (!decision.accepted) {
          logger.warn(
            { event: 'restart', source, refused: decision.reason },
            `restart refused: ${decision.reason}`,
          );
        }
        return decision;
      },
      linkStats: () => latest().linkStats(),
    };
  }

  /** Starts the core, then the outputs; resolves with why each output that could not start failed. */
  private async startSession(): Promise<string[]> {
    const { options } = this;
    const checkpoint = options.configSource.checkpoint();
    const { config } = checkpoint;
    const { stateStore } = options;
    const services: OutputService[] = [];
    const core = options.startCore({
      config,
      clock: options.clock,
      logger: options.logger,
      relays: options.relays,
      contactorFeedback: options.contactorFeedback,
      persisted: this.carried?.state ?? this.loadState(),
      contactorsLastOpenedAtMs: this.carried?.contactorsLastOpenedAtMs ?? null,
      ...(stateStore === null ? {} : { stateFileStatus: () => stateStore.status() }),
      outputStatus: () => outputsStatus(services),
    });
    const { bms } = core;
    const subscriptions = [
      bms.status$.subscribe((status) => this.statusSubject.next(status)),
      bms.events$.subscribe((event) => this.faultEventsSubject.next(event)),
    ];
    if (options.sessionTasks !== undefined) subscriptions.push(...options.sessionTasks(core, config));
    if (stateStore !== null) {
      const save = () => stateStore.save(bms.persistedState());
      // At once (a stateLost fault, or a first start's file, is on disk before anything else), the
      // moment a fault latches or a latched one is acknowledged (B-6), and every interval (B-36).
      save();
      subscriptions.push(
        bms.latched$.subscribe(save),
        interval((options.persistIntervalS ?? 60) * 1000, options.clock).subscribe(save),
      );
    }
    const session = { core, services, subscriptions };
    this.session = session;
    this.latestCore = core;
    bms.done.catch((error: unknown) => this.fail(error));
    return this.startOutputs(session, checkpoint);
  }

  /** Starts every output into the session; resolves with why each one that could not start failed. */
  private async startOutputs(session: Session<Config>, checkpoint: Checkpoint): Promise<string[]> {
    const failed: string[] = [];
    for (const start of this.options.services) {
      try {
        const service = await start(this.context);
        if (service !== null) session.services.push(service);
      } catch (error) {
        failed.push(errorMessage(error));
        this.options.logger.error(
          { event: 'output', error: errorMessage(error) },
          `an output could not start (the BMS runs on without it): ${errorMessage(error)}`,
        );
      }
    }
    this.outputsHealthy = failed.length === 0;
    if (this.outputsHealthy) this.lastGoodConfig = checkpoint;
    return failed;
  }

  /** The first core starts from the state store; later ones from the core before them. */
  private loadState(): PersistedBmsState | null {
    return this.options.stateStore?.loadState() ?? null;
  }

  private async stopSession(): Promise<void> {
    const session = this.session;
    if (session === null) return;
    // The core first: relays off in this tick, CB_CTRL = 0; then the state and the outputs.
    await session.core.bms.stop();
    const state = session.core.bms.persistedState();
    this.options.stateStore?.save(state);
    this.carried = { state, contactorsLastOpenedAtMs: session.core.bms.contactorsLastOpenedAtMs() };
    for (const subscription of session.subscriptions) subscription.unsubscribe();
    await this.stopOutputs(session);
    this.session = null;
  }

  /** Stops every output of the session (one that does not stop cleanly is logged) and forgets them. */
  private async stopOutputs(session: Session<Config>): Promise<void> {
    const services = session.services.splice(0);
    await Promise.all(
      services.map((service) =>
        service
          .stop()
          .catch((error: unknown) =>
            this.options.logger.warn(
              { event: 'output', output: service.name, error: errorMessage(error) },
              `output ${service.name} did not stop cleanly: ${errorMessage(error)}`,
            ),
          ),
      ),
    );
  }
}

/** Plain JavaScript callers get no type checks: a wrong part fails here, not at a restart. */
function requireSupervisorOptions<Config, Checkpoint extends ConfigCheckpoint<Config>>(
  options: SupervisorOptions<Config, Checkpoint>,
): void {
  requireObject(
    options,
    'options',
    'BmsSupervisor options ({ startCore, clock, logger, configSource, relays, services, stateStore, ... })',
  );
  requireFunction(options.startCore, 'options.startCore', 'a CoreStarter function');
  requireClock(options.clock, 'options.clock');
  requireLogger(options.logger, 'options.logger');
  requireConfigSource(options.configSource, 'options.configSource');
  requireRelays(options.relays, 'options.relays');
  if (options.contactorFeedback !== undefined)
    requireContactorFeedback(options.contactorFeedback, 'options.contactorFeedback');
  requireFunctionList(options.services, 'options.services', 'ServiceFactory function');
  requireStateStoreOrNull(options.stateStore, 'options.stateStore');
  if (options.sessionTasks !== undefined) requireFunction(options.sessionTasks, 'options.sessionTasks');
  if (options.settingEffects !== undefined)
    requireObject(options.settingEffects, 'options.settingEffects', 'a table of setting paths to effects');
}

function outputsStatus(services: readonly OutputService[]): OutputsStatus {
  return Object.fromEntries(services.map((service) => [service.name, service.status()]));
}
