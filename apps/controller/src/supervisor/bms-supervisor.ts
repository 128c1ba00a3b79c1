import { interval, map, Subject, type Subscription } from 'rxjs';
import type { ByteLink, Clock } from '@tsbms/hal';
import type { EmulatedChain } from '@tsbms/module-emulator';
import type { FaultEvent } from '@tsbms/fault-engine';
import { errorMessage, libraryConfigs, type ControllerConfig } from '../config';
import { runChargeCycle } from '../demo/charge-cycle';
import {
  ControllerRuntime,
  type ControllerStatus,
  type OutputsStatus,
  type RuntimeLogger,
  type RuntimeOutputs,
} from '../runtime';
import type { ControllerContext, ControllerService, ServiceFactory } from '../services';
import type { RuntimeStateFile } from './runtime-state-file';

/** Where the running configuration comes from and where run-time changes go. */
export interface ConfigSource {
  config(): ControllerConfig;
  /** Validates and persists a patch (throws ControllerConfigError); returns the new config. */
  update(patch: unknown): ControllerConfig;
}

export interface SupervisorOptions {
  readonly link: ByteLink;
  /** The in-process emulated pack of the demo, which gets the charge/discharge cycle. */
  readonly chain: EmulatedChain | null;
  readonly clock: Clock;
  readonly logger: RuntimeLogger;
  readonly configSource: ConfigSource;
  /** Relays and lamps, created once: they keep their lines across restarts. */
  readonly outputs: RuntimeOutputs;
  readonly services: readonly ServiceFactory[];
  readonly stateFile: RuntimeStateFile | null;
  /** B-36: the SoC and latched faults are saved this often and at every stop. Default 60 s. */
  readonly persistIntervalS?: number;
}

interface Session {
  readonly runtime: ControllerRuntime;
  readonly services: ControllerService[];
  readonly subscriptions: Subscription[];
}

/**
 * Runs the BMS core (ControllerRuntime) and its outputs, and restarts both in-process when the
 * configuration changes or an operator asks. Restarts are serialised; the relays are switched off
 * by the old core before anything else happens, and the new core starts with them open.
 */
export class BmsSupervisor {
  readonly context: ControllerContext;
  private readonly statusSubject = new Subject<ControllerStatus>();
  private readonly faultEventsSubject = new Subject<FaultEvent>();
  private session: Session | null = null;
  /** The latest core, still answering status() (relays open) while a restart is under way. */
  private latestRuntime: ControllerRuntime | null = null;
  /** Start, restart and stop, one at a time. */
  private transition: Promise<void> = Promise.resolve();
  private stopped = false;
  private fail: (error: unknown) => void = () => undefined;

  constructor(private readonly options: SupervisorOptions) {
    this.context = this.createContext();
  }

  /** Starts the core and the outputs; resolves after {@link stop}, rejects when the core fails. */
  run(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.fail = reject;
      this.done = resolve;
      // Started at once (not queued), so the context answers status() from the first tick.
      this.transition = this.startSession().catch((error: unknown) => this.fail(error));
    });
  }

  /** Relays off, balancing stopped, state saved, outputs closed. Idempotent. */
  stop(): Promise<void> {
    if (!this.stopped) {
      this.stopped = true;
      this.enqueue(async () => {
        await this.stopSession();
        this.statusSubject.complete();
        this.faultEventsSubject.complete();
        this.done();
      });
    }
    return this.transition;
  }

  /** An in-process restart after the current tick (so an HTTP or MQTT request is answered first). */
  restart(reason: string): void {
    this.options.clock.schedule(() => {
      if (this.stopped) return;
      this.enqueue(async () => {
        this.options.logger.info(
          { event: 'restart', reason },
          `restarting the BMS core and outputs: ${reason}`,
        );
        await this.stopSession();
        if (!this.stopped) await this.startSession();
      });
    }, 0);
  }

  private done: () => void = () => undefined;

  private enqueue(step: () => Promise<void>): void {
    this.transition = this.transition.then(step).catch((error: unknown) => this.fail(error));
  }

  private createContext(): ControllerContext {
    const { clock, logger, configSource } = this.options;
    const latest = () => {
      if (this.latestRuntime === null) throw new Error('the BMS core has not started');
      return this.latestRuntime;
    };
    const running = () => {
      if (this.session === null) throw new Error('the BMS core is restarting: try again in a moment');
      return this.session.runtime;
    };
    return {
      clock,
      logger,
      config: () => configSource.config(),
      status: () => latest().status(),
      status$: this.statusSubject.asObservable(),
      faultEvents: () => latest().faultEvents(),
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
        const config = configSource.update(patch);
        logger.info({ event: 'config', source }, `configuration changed by ${source} and saved`);
        this.restart(`configuration changed by ${source}`);
        return config;
      },
      requestRestart: (reason, source) => this.restart(`${reason} (${source})`),
      commsStats: () => latest().commsStats(),
    };
  }

  private async startSession(): Promise<void> {
    const { options } = this;
    const config = options.configSource.config();
    const services: ControllerService[] = [];
    const runtime = new ControllerRuntime({
      link: options.link,
      clock: options.clock,
      logger: options.logger,
      outputs: options.outputs,
      libraries: libraryConfigs(config),
      settings: {
        programHardwareThresholds: config.programHardwareThresholds,
        readWithCrc: config.serial.readWithCrc,
        replyTimeoutMs: config.serial.replyTimeoutMs,
      },
      persisted: options.stateFile?.load() ?? null,
      outputStatus: () => outputsStatus(services),
    });
    const subscriptions = [
      runtime.status$.subscribe((status) => this.statusSubject.next(status)),
      runtime.faultEvents$.subscribe((event) => this.faultEventsSubject.next(event)),
    ];
    if (options.chain !== null) {
      subscriptions.push(
        runChargeCycle(options.chain, runtime.contactors$.pipe(map((c) => c.state === 'CLOSED')), {
          clock: options.clock,
          amplitudeA: config.emulator.cycleCurrentA,
          periodS: config.emulator.cyclePeriodS,
        }),
      );
    }
    const { stateFile } = options;
    if (stateFile !== null) {
      subscriptions.push(
        interval((options.persistIntervalS ?? 60) * 1000, options.clock).subscribe(() =>
          stateFile.save(runtime.persistedState()),
        ),
      );
    }
    this.session = { runtime, services, subscriptions };
    this.latestRuntime = runtime;
    runtime.run().catch((error: unknown) => this.fail(error));
    for (const start of options.services) {
      try {
        const service = await start(this.context);
        if (service !== null) services.push(service);
      } catch (error) {
        options.logger.error(
          { event: 'output', error: errorMessage(error) },
          `an output could not start (the BMS runs on without it): ${errorMessage(error)}`,
        );
      }
    }
  }

  private async stopSession(): Promise<void> {
    const session = this.session;
    if (session === null) return;
    // The core first: relays off in this tick, CB_CTRL = 0; then the state and the outputs.
    await session.runtime.stop();
    this.options.stateFile?.save(session.runtime.persistedState());
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
