import { interval, map, Subject, type Subscription } from 'rxjs';
import type { Clock, Logger } from '@tsbms/hal';
import type { EmulatedChain } from '@tsbms/module-emulator';
import type { FaultEvent } from '@tsbms/fault-engine';
import { errorMessage, type ConfigChange, type ConfigCheckpoint, type ControllerConfig } from '../config';
import { runChargeCycle } from '../demo/charge-cycle';
import type { Bms, BmsRelays, BmsStatus, OutputsStatus, PersistedBmsState } from '@tsbms/bms-core';
import type { CoreStarter, SessionCore } from '../runtime';
import { ReadingsRecorder } from '../recording';
import type { ControllerContext, ControllerService, ServiceFactory } from '../services';
import { DEFAULT_RESTART_POLICY, RestartScheduler, type RestartPolicy } from './restart-scheduler';
import { stateAfterLoad, type RuntimeStateFile } from './runtime-state-file';

/** Where the running configuration comes from and where run-time changes go. */
export interface ConfigSource {
  config(): ControllerConfig;
  /**
   * Validates, checks (remote-change policy, output start-up checks) and persists a patch; throws
   * ControllerConfigError. No changed paths = a no-op, nothing saved.
   */
  update(patch: unknown): ConfigChange;
  /** The saved settings as they are now, to go back to with {@link restore}. */
  checkpoint(): ConfigCheckpoint;
  /** Puts the settings of `checkpoint` back (file included); returns the config that runs again. */
  restore(checkpoint: ConfigCheckpoint): ControllerConfig;
}

export interface SupervisorOptions {
  /** Starts the core of a session on its source: the Tesla chain, or a recording played in real time. */
  readonly startCore: CoreStarter;
  /** The in-process emulated pack of the demo, which gets the charge/discharge cycle. */
  readonly chain: EmulatedChain | null;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly configSource: ConfigSource;
  /** Relays and lamps, created once: they keep their lines across restarts. */
  readonly outputs: BmsRelays;
  readonly services: readonly ServiceFactory[];
  readonly stateFile: RuntimeStateFile | null;
  /** B-36: the SoC and latched faults are saved this often and at every stop. Default 60 s. */
  readonly persistIntervalS?: number;
  /** Rate limit and coalescing of restarts; default {@link DEFAULT_RESTART_POLICY}. */
  readonly restartPolicy?: RestartPolicy;
}

interface Session {
  readonly core: SessionCore;
  readonly services: ControllerService[];
  readonly subscriptions: Subscription[];
}

/**
 * Runs the BMS core (createBms on the Tesla scan loop) and its outputs, and restarts both in-process when the
 * configuration changes or an operator asks. Restarts are serialised, rate-limited and coalesced
 * (RestartScheduler); the relays are switched off by the old core before anything else happens,
 * and the new core starts with them open. When an output cannot start after a config change, the
 * settings that last ran with every output are put back and run again.
 */
export class BmsSupervisor {
  readonly context: ControllerContext;
  private readonly statusSubject = new Subject<BmsStatus>();
  private readonly faultEventsSubject = new Subject<FaultEvent>();
  private session: Session | null = null;
  /** The latest core, still answering status() (relays open) while a restart is under way. */
  private latestCore: SessionCore | null = null;
  /** Start, restart and stop, one at a time. */
  private transition: Promise<void> = Promise.resolve();
  private stopped = false;
  private fail: (error: unknown) => void = () => undefined;
  private readonly restarts: RestartScheduler;
  /** `recordFile`: kept across sessions, so a restart goes on appending to the same recording. */
  private recorder: ReadingsRecorder | null = null;
  /** The settings the last session with every output started ran on. */
  private lastGoodConfig: ConfigCheckpoint | null = null;
  /** What a stopped core hands to the next one: its latched faults, SoC and last contactor opening. */
  private carried: {
    readonly state: PersistedBmsState;
    readonly contactorsLastOpenedAtMs: number | null;
  } | null = null;

  constructor(private readonly options: SupervisorOptions) {
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
      const good = this.lastGoodConfig;
      if (failed.length === 0 || good === null || good.config === this.options.configSource.config()) return;
      this.options.logger.error(
        { event: 'config', errors: failed },
        `the new configuration left an output unable to start (${failed.join('; ')}): putting the previous configuration back`,
      );
      try {
        this.options.configSource.restore(good);
      } catch (error) {
        // The new settings stay in the file; the BMS runs on without that output, as at a start.
        this.options.logger.error(
          { event: 'config', error: errorMessage(error) },
          `the previous configuration could not be put back: ${errorMessage(error)}`,
        );
        return;
      }
      await this.stopSession();
      if (!this.stopped) await this.startSession();
    });
  }

  private done: () => void = () => undefined;

  private enqueue(step: () => Promise<void>): void {
    this.transition = this.transition.then(step).catch((error: unknown) => this.fail(error));
  }

  private createContext(): ControllerContext {
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
      updateConfig: (patch, source) => {
        const { config, changedPaths } = configSource.update(patch);
        if (changedPaths.length === 0) {
          logger.info({ event: 'config', source }, `configuration change by ${source} changed nothing`);
          return { config, changedPaths, restart: null };
        }
        logger.info(
          { event: 'config', source, changed: changedPaths },
          `configuration changed by ${source} and saved: ${changedPaths.join(', ')}`,
        );
        const restart = this.restarts.requestForChange(`configuration changed by ${source}`);
        return { config, changedPaths, restart };
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
      commsStats: () => {
        const stats = latest().busStats();
        if (stats === null) throw new Error('no serial loop: the core runs on a recording');
        return stats;
      },
    };
  }

  /** Starts the core, then the outputs; resolves with why each output that could not start failed. */
  private async startSession(): Promise<string[]> {
    const { options } = this;
    const checkpoint = options.configSource.checkpoint();
    const { config } = checkpoint;
    const { stateFile } = options;
    const services: ControllerService[] = [];
    const core = options.startCore({
      config,
      clock: options.clock,
      logger: options.logger,
      relays: options.outputs,
      persisted: this.carried?.state ?? this.loadState(),
      contactorsLastOpenedAtMs: this.carried?.contactorsLastOpenedAtMs ?? null,
      ...(stateFile === null ? {} : { stateFileStatus: () => stateFile.status() }),
      outputStatus: () => outputsStatus(services),
    });
    const { bms } = core;
    const subscriptions = [
      bms.status$.subscribe((status) => this.statusSubject.next(status)),
      bms.events$.subscribe((event) => this.faultEventsSubject.next(event)),
    ];
    if (config.recordFile !== null) {
      if (this.recorder?.file !== config.recordFile)
        this.recorder = new ReadingsRecorder(config.recordFile, options.logger);
      const recorder = this.recorder;
      subscriptions.push(core.source.readings$.subscribe((scan) => recorder.record(scan)));
    }
    if (options.chain !== null) {
      subscriptions.push(
        runChargeCycle(options.chain, bms.contactors$.pipe(map((c) => c.state === 'CLOSED')), {
          clock: options.clock,
          amplitudeA: config.emulator.cycleCurrentA,
          periodS: config.emulator.cyclePeriodS,
        }),
      );
    }
    if (stateFile !== null) {
      const save = () => stateFile.save(bms.persistedState());
      // At once (a stateLost fault, or a first start's file, is on disk before anything else), the
      // moment a fault latches or a latched one is acknowledged (B-6), and every interval (B-36).
      save();
      subscriptions.push(
        bms.latched$.subscribe(save),
        interval((options.persistIntervalS ?? 60) * 1000, options.clock).subscribe(save),
      );
    }
    this.session = { core, services, subscriptions };
    this.latestCore = core;
    bms.done.catch((error: unknown) => this.fail(error));
    const failed: string[] = [];
    for (const start of options.services) {
      try {
        const service = await start(this.context);
        if (service !== null) services.push(service);
      } catch (error) {
        failed.push(errorMessage(error));
        options.logger.error(
          { event: 'output', error: errorMessage(error) },
          `an output could not start (the BMS runs on without it): ${errorMessage(error)}`,
        );
      }
    }
    if (failed.length === 0) this.lastGoodConfig = checkpoint;
    return failed;
  }

  /** The first core starts from the state file; later ones from the core before them. */
  private loadState(): PersistedBmsState | null {
    const { stateFile, clock, logger } = this.options;
    return stateFile === null ? null : stateAfterLoad(stateFile.load(), stateFile.file, clock.now(), logger);
  }

  private async stopSession(): Promise<void> {
    const session = this.session;
    if (session === null) return;
    // The core first: relays off in this tick, CB_CTRL = 0; then the state and the outputs.
    await session.core.bms.stop();
    const state = session.core.bms.persistedState();
    this.options.stateFile?.save(state);
    this.carried = { state, contactorsLastOpenedAtMs: session.core.bms.contactorsLastOpenedAtMs() };
    for (const subscription of session.subscriptions) subscription.unsubscribe();
    await Promise.all(
      session.services.map((service) =>
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
    this.session = null;
  }
}

function outputsStatus(services: readonly ControllerService[]): OutputsStatus {
  return Object.fromEntries(services.map((service) => [service.name, service.status()]));
}
