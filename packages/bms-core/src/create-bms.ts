import {
  BehaviorSubject,
  catchError,
  EMPTY,
  combineLatest,
  filter,
  map,
  mergeMap,
  identity,
  ReplaySubject,
  scan,
  share,
  skip,
  Subject,
  Subscription,
  tap,
  withLatestFrom,
  type Observable,
} from 'rxjs';
import {
  initialPackModel,
  persistEnergy,
  reconfigurePackModel,
  updatePackModel,
  type BatteryModelConfig,
  type PackState,
} from '@tsbms/battery-model';
import {
  evaluateFaults,
  FaultEngine,
  type AcknowledgeRequest,
  type AcknowledgeResult,
  type FaultEngineConfig,
  type FaultEvent,
  type FaultSet,
  type PersistedFaults,
} from '@tsbms/fault-engine';
import {
  contactorFaultInput,
  contactorMachine,
  createControl,
  fromPackAndFaults,
  type BalanceNowCommand,
  type BalancingState,
  type ChargeLimits,
  type ContactorSequenceStatus,
  type ControlConfig,
  type HeatingStatus,
} from '@tsbms/control';
import {
  requireClock,
  requireCurrentSource,
  requireFiniteNumber,
  requireFunction,
  requireLogger,
  requireObject,
  type Clock,
  type CurrentSource,
  type Logger,
} from '@tsbms/hal';
import type { PackSource } from '@tsbms/pack-reading';
import {
  requireContactorFeedback,
  requireLibraryConfigs,
  requirePackSource,
  requireRelays,
  requireStringList,
} from './argument-guards';
import { ConfigChangeError, type BalanceNowResult, type ConfigIssue } from './output-service';
import type { PersistedBmsState } from './persisted-state';
import { applyContactorRelays, switchAllRelaysOff, type BmsRelays } from './relays';
import { readContactorFeedback, type ContactorFeedback } from './contactor-feedback';
import { joinCheckCurrent, joinPackCurrent } from './pack-current';
import { screenCurrentSamples } from './current-screen';
import { logDecisions, logFaultEvent } from './state-change-log';
import { buildStatusSnapshot, type BmsStatus, type OutputsStatus, type StateFileStatus } from './status';

/** The validated configurations of the libraries the core composes. */
export interface BmsConfig {
  readonly batteryModel: BatteryModelConfig;
  readonly faultEngine: FaultEngineConfig;
  readonly control: ControlConfig;
}

export interface BmsOptions {
  readonly source: PackSource;
  /**
   * The pack current sensor, when one is fitted: its latest sample goes into each scan's reading
   * (`joinPackCurrent`), and `currentSensorLost` watches it from the first scan.
   */
  readonly current?: CurrentSource;
  /**
   * A second current sensor that cross-checks the first: a `currentSensorDisagreement` warning when
   * they differ for 10 s. It is never used as the pack's current.
   */
  readonly currentCheck?: CurrentSource;
  /** How old a current sample may be at a scan (default `DEFAULT_CURRENT_STALE_AFTER_MS`). */
  readonly currentStaleAfterMs?: number;
  /**
   * How long the same non-zero current may repeat before the sensor counts as frozen and is not
   * used until it changes (default `DEFAULT_CURRENT_FROZEN_AFTER_MS`).
   */
  readonly currentFrozenAfterMs?: number;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly config: BmsConfig;
  readonly relays: BmsRelays;
  /**
   * The contactors' feedback inputs, where fitted (B-14): read at every scan, in the tick in which
   * they are compared with the command in force. A read that fails is handled like a source that
   * failed for good: every relay off, `done` rejects.
   */
  readonly contactorFeedback?: ContactorFeedback;
  /** Saved by a previous core (`persistedState()`); null or absent = a fresh start. */
  readonly persisted?: PersistedBmsState | null;
  /** When a core before this one last opened energised contactors (B-11 lockout across restarts). */
  readonly contactorsLastOpenedAtMs?: number | null;
  /**
   * Look, never act (`--once`): the contactors stay open whatever the pack says, and the source is
   * not started: the caller drives it.
   */
  readonly inspectOnly?: boolean;
  /** The outputs beside the relays (CAN, MQTT, HTTP) report here for `status().outputs`. */
  readonly outputStatus?: () => OutputsStatus;
  /** The state file's health for `status().stateFile`; absent = no state file. */
  readonly stateFileStatus?: () => StateFileStatus;
  /** How this core runs that the owner should know (`status().notices`); absent = none. */
  readonly notices?: readonly string[];
}

/** A running core. Every stream is hot; those holding a state replay the latest one to a new subscriber. */
export interface Bms {
  /** One pack snapshot per scan. */
  readonly pack$: Observable<PackState>;
  /** The active faults after each scan and acknowledge (replays the latest). */
  readonly faults$: Observable<FaultSet>;
  /** Raise, clear and acknowledge events as they happen. */
  readonly events$: Observable<FaultEvent>;
  /** The latched faults, whenever one latches or a latched one clears (B-6: save them now). */
  readonly latched$: Observable<PersistedFaults>;
  /** The contactor sequencer's state (replays the latest: OPEN at start). */
  readonly contactors$: Observable<ContactorSequenceStatus>;
  readonly limits$: Observable<ChargeLimits>;
  readonly balancing$: Observable<BalancingState>;
  readonly heating$: Observable<HeatingStatus>;
  /** A status snapshot after every scan and after an accepted acknowledge; no replay. */
  readonly status$: Observable<BmsStatus>;
  /** Resolves after {@link stop}; rejects when the source failed for good (every relay was switched off first). */
  readonly done: Promise<void>;
  /** The latest status snapshot. */
  status(): BmsStatus;
  /** The fault log, oldest first (bounded by the engine). */
  faultEvents(): readonly FaultEvent[];
  /** Operator acknowledge of latched faults (B-5); accepted ones clear at once. */
  acknowledgeFaults(request: AcknowledgeRequest): AcknowledgeResult;
  /**
   * An operator's "balance now" (`source` names the channel): the next scan chooses the cells to
   * bleed without the `balanceVoltageV` floor. Refused, with the reason, while balancing is off, a
   * fault is active (B-27) or no scan has come yet. Logged either way.
   */
  balanceNow(source: string): BalanceNowResult;
  /**
   * A live settings change (issue 15): the thresholds, limits, balancing, heating and contactor
   * timings of `config` apply from the next scan on, and every state carries over: closed
   * contactors stay closed, faults keep their debounce and latch, the SoC its value. Throws a
   * ConfigChangeError, changing nothing, when a setting that shapes the pack or the scans differs
   * (module and string count, poll interval, contactor control): that takes a new core.
   */
  reconfigure(config: BmsConfig): void;
  /** What must survive a restart: latched faults (B-6) and the SoC (B-36). */
  persistedState(): PersistedBmsState;
  /** When energised contactors were last opened, by this core or before it (B-11 across restarts). */
  contactorsLastOpenedAtMs(): number | null;
  /** Contactors open and every relay off in this tick, then the source stops (balancing off). Idempotent. */
  stop(): Promise<void>;
}

/** Plain JavaScript callers get no type checks: a wrong port fails here, not in the first scan or the fail-safe. */
function requireBmsOptions(options: BmsOptions): void {
  requireObject(options, 'options', 'createBms options ({ source, clock, logger, config, relays, ... })');
  requirePackSource(options.source, 'options.source');
  if (options.current !== undefined) requireCurrentSource(options.current, 'options.current');
  if (options.currentCheck !== undefined) requireCurrentSource(options.currentCheck, 'options.currentCheck');
  if (options.currentStaleAfterMs !== undefined)
    requireFiniteNumber(options.currentStaleAfterMs, 'options.currentStaleAfterMs');
  if (options.currentFrozenAfterMs !== undefined)
    requireFiniteNumber(options.currentFrozenAfterMs, 'options.currentFrozenAfterMs');
  requireClock(options.clock, 'options.clock');
  requireLogger(options.logger, 'options.logger');
  requireLibraryConfigs(options.config, 'options.config');
  requireRelays(options.relays, 'options.relays');
  if (options.contactorFeedback !== undefined)
    requireContactorFeedback(options.contactorFeedback, 'options.contactorFeedback');
  if (options.outputStatus !== undefined) requireFunction(options.outputStatus, 'options.outputStatus');
  if (options.stateFileStatus !== undefined)
    requireFunction(options.stateFileStatus, 'options.stateFileStatus');
  if (options.notices !== undefined) requireStringList(options.notices, 'options.notices');
}

/** One scan, evaluated: the pack, the discovery it was read under, and the faults it raised. */
interface Evaluated {
  readonly pack: PackState;
  readonly discoveredModules: number | null;
  readonly faults: FaultSet;
}

/**
 * The BMS core (design.md data flow): source → battery model → fault engine → control → relays,
 * with the two feedback loops of this file: the contactor state and the limits of the previous
 * step go into the fault input of the next scan, and each balancing decision goes back to the
 * source for its next scan. Every fail-safe opening (fault, comms loss, watchdog, shutdown) is
 * control's decision, applied to the relays in the same tick.
 */
export function createBms(options: BmsOptions): Bms {
  requireBmsOptions(options);
  const { source, clock, logger, relays } = options;
  const config = effectiveConfig(options.config, options.current);
  // Live settings (issue 15): each later configuration applies from the next scan on.
  const settings = new BehaviorSubject<BmsConfig>(config);
  const persisted = options.persisted ?? null;
  const lastOpenedAtMs = options.contactorsLastOpenedAtMs ?? null;
  const engine = new FaultEngine(config.faultEngine, {
    scheduler: clock,
    persisted: persisted?.faults ?? null,
  });
  const subscriptions = new Subscription();

  // Feedback, previous step → fault input: what the contactors and the limits were when a scan arrives.
  const contactors = new BehaviorSubject<ContactorSequenceStatus>(
    contactorMachine(config.control, lastOpenedAtMs).initial(clock.now()).status,
  );
  const limits = new ReplaySubject<ChargeLimits>(1);
  let latestLimits: ChargeLimits | null = null;
  const balancing = new ReplaySubject<BalancingState>(1);
  const heating = new ReplaySubject<HeatingStatus>(1);
  const statusSubject = new Subject<BmsStatus>();
  const balancingCommands = new Subject<BalanceNowCommand>();
  /** Set by stop(); a look-only core is stopping from the start, so the contactors never close. */
  const stopping = new BehaviorSubject(options.inspectOnly === true);
  let latest: Evaluated | null = null;
  let latestBalancing: BalancingState | null = null;
  let latestHeating: HeatingStatus | null = null;

  // Fault events are logged once the engine has returned, after `latched$` has had the state
  // saved: whoever sees a latch in the log (and kills the process) finds it on disk.
  const eventsToLog: FaultEvent[] = [];
  const flushFaultLog = () => {
    for (const event of eventsToLog.splice(0)) logFaultEvent(logger, event);
  };
  subscriptions.add(engine.events$.subscribe((event) => eventsToLog.push(event)));

  let settle: { resolve: () => void; reject: (error: unknown) => void } | undefined;
  const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  // Nobody need listen to `done` for a failure to be handled: it is logged here.
  done.catch(() => undefined);
  // A source (or a feedback input) that fails for good leaves nothing to decide on: every relay
  // off, and `done` says why.
  const failForGood = (error: unknown) => {
    switchAllRelaysOff(relays, logger);
    logger.error({ event: 'fatal', error: String(error) }, 'runtime failed: every output switched off');
    settle?.reject(error);
    return EMPTY;
  };
  const screened = (sensor: CurrentSource) =>
    sensor.current$.pipe(screenCurrentSamples(sensor.description, logger, options.currentFrozenAfterMs));
  const readings$ = source.readings$.pipe(
    options.currentCheck === undefined
      ? identity
      : joinCheckCurrent({ current$: screened(options.currentCheck) }, options.currentStaleAfterMs),
    options.current === undefined
      ? identity
      : joinPackCurrent(
          {
            current$: screened(options.current),
            busVoltage$: options.current.busVoltage$,
          },
          options.currentStaleAfterMs,
          config.batteryModel.maxIntegrationGapS,
        ),
    catchError(failForGood),
  );
  const pack$ = readings$.pipe(
    withLatestFrom(settings),
    scan(
      (step, [{ reading, discoveredModules }, { batteryModel }]) => ({
        model: updatePackModel(
          step.model.config === batteryModel ? step.model : reconfigurePackModel(step.model, batteryModel),
          reading,
        ),
        discoveredModules,
      }),
      {
        model: initialPackModel(config.batteryModel, persisted?.soc ?? null, persisted?.energy ?? null),
        discoveredModules: null as number | null,
      },
    ),
    // The model has no pack until a reading it accepts.
    mergeMap(({ model, discoveredModules }) =>
      model.pack === null ? [] : [{ pack: model.pack, discoveredModules }],
    ),
  );

  const evaluated$: Observable<Evaluated> = pack$.pipe(
    map(({ pack, discoveredModules }) => ({
      pack,
      discoveredModuleCount: discoveredModules,
      // Feedback, hardware → fault input (B-14): each contact as it is now, against the command in force.
      ...contactorFaultInput(contactors.value, readContactorFeedback(options.contactorFeedback ?? {})),
      limits: latestLimits && {
        chargeCurrentLimitA: latestLimits.cclA,
        dischargeCurrentLimitA: latestLimits.dclA,
      },
    })),
    catchError(failForGood),
    evaluateFaults(engine, (input, faults) => ({
      pack: input.pack,
      discoveredModules: input.discoveredModuleCount ?? null,
      faults,
    })),
    tap((step) => {
      latest = step;
      flushFaultLog();
    }),
    share(),
  );

  // Control: each evaluated scan, re-sent when stop() is called so that the contactors open at once.
  const control = createControl(
    combineLatest([evaluated$, stopping]).pipe(
      map(([step, shutdownRequested]) =>
        fromPackAndFaults(step.pack, step.faults, {
          discoveryMatched: step.discoveredModules === config.control.moduleCount,
          shutdownRequested,
        }),
      ),
    ),
    {
      config: config.control,
      config$: settings.pipe(
        skip(1),
        map((next) => next.control),
      ),
      clock,
      contactorsLastOpenedAtMs: lastOpenedAtMs,
      balancingCommands$: balancingCommands,
    },
  );

  const status = (): BmsStatus =>
    buildStatusSnapshot({
      expectedModules: config.control.moduleCount,
      discoveredModules: latest?.discoveredModules ?? null,
      pack: latest?.pack ?? null,
      faults: latest?.faults ?? engine.faults,
      contactors: contactors.value,
      limits: latestLimits,
      balancing: latestBalancing,
      heating: latestHeating,
      comms: source.linkCounters?.() ?? {},
      outputs: options.outputStatus?.() ?? {},
      stateFile: options.stateFileStatus?.() ?? null,
      notices: options.notices ?? [],
    });

  subscriptions.add(
    control.contactors$.subscribe((state) => {
      applyContactorRelays(relays, state);
      contactors.next(state);
    }),
  );
  subscriptions.add(
    control.heating$.subscribe((state) => {
      relays.heater?.set(state.heaterOn);
      latestHeating = state;
      heating.next(state);
    }),
  );
  subscriptions.add(
    control.limits$.subscribe((state) => {
      latestLimits = state;
      limits.next(state);
    }),
  );
  // Feedback, decision → next scan: the bleed masks go back to the source.
  subscriptions.add(
    control.balancing$.subscribe((state) => {
      source.setBalancing(
        new Map(state.strings.flatMap((s) => s.modules.map((m) => [m.address, m.mask] as const))),
      );
      latestBalancing = state;
      balancing.next(state);
    }),
  );
  subscriptions.add(
    evaluated$.subscribe((step) => {
      const matched = step.discoveredModules === config.control.moduleCount;
      relays.statusLed?.set(!stopping.value && matched && step.faults.highestLevel !== 'fault');
      // Built only for a listener: `--once` has none, and the scan loop need not pay for it.
      if (statusSubject.observed) statusSubject.next(status());
    }),
  );
  subscriptions.add(
    logDecisions(logger, {
      contactors$: control.contactors$,
      limits$: limits,
      balancing$: balancing,
      heating$: heating,
      firstScan$: evaluated$.pipe(
        filter((step) => step.pack.modules.some((m) => m.commsOk)),
        map(() => ({ status: status(), pollIntervalS: config.control.pollIntervalS })),
      ),
    }),
  );

  if (options.inspectOnly !== true) source.start();

  let stopped: Promise<void> | undefined;
  return {
    pack$: evaluated$.pipe(map((step) => step.pack)),
    faults$: engine.faults$,
    events$: engine.events$,
    latched$: engine.latched$,
    contactors$: contactors.asObservable(),
    limits$: limits.asObservable(),
    balancing$: balancing.asObservable(),
    heating$: heating.asObservable(),
    status$: statusSubject.asObservable(),
    done,
    status,
    faultEvents: () => engine.eventLog(),
    acknowledgeFaults(request) {
      const result = engine.acknowledge(request);
      flushFaultLog();
      if (result.accepted.length > 0) {
        if (latest !== null) latest = { ...latest, faults: engine.faults };
        statusSubject.next(status());
      }
      return result;
    },
    balanceNow(source) {
      const { control } = settings.value;
      const refusal = !control.balancingEnabled
        ? 'balancing is switched off (balancing.enabled)'
        : latest === null
          ? 'no scan has come yet'
          : latest.faults.highestLevel === 'fault'
            ? 'a fault is active: nothing bleeds (B-27)'
            : null;
      if (refusal !== null) {
        logger.info(
          { event: 'balance', source, accepted: false },
          `balance now from ${source} refused: ${refusal}`,
        );
        return { accepted: false, reason: refusal };
      }
      logger.info(
        { event: 'balance', source, accepted: true },
        `balance now from ${source}: the next scan chooses cells without the ${control.balanceVoltageV} V floor`,
      );
      balancingCommands.next({ kind: 'balanceNow' });
      return { accepted: true };
    },
    reconfigure(next) {
      requireLibraryConfigs(next, 'config');
      const applied = effectiveConfig(next, options.current);
      const refused = notLiveChanges(settings.value, applied);
      if (refused.length > 0) throw new ConfigChangeError('INVALID_CONFIG', refused);
      engine.reconfigure(applied.faultEngine);
      settings.next(applied);
    },
    persistedState: () => ({
      version: 1,
      faults: engine.persistedState(),
      soc: latest?.pack.soc.toPersist ?? null,
      // Before the first scan the counters are still the loaded ones: never save them as lost.
      energy: latest === null ? (persisted?.energy ?? null) : persistEnergy(latest.pack.energy),
    }),
    contactorsLastOpenedAtMs: () => contactors.value.lastOpenedAtMs,
    stop() {
      stopped ??= (async () => {
        stopping.next(true);
        switchAllRelaysOff(relays, logger);
        await source.stop();
        subscriptions.unsubscribe();
        for (const subject of [
          contactors,
          limits,
          balancing,
          heating,
          statusSubject,
          stopping,
          settings,
          balancingCommands,
        ])
          subject.complete();
        settle?.resolve();
      })();
      return stopped;
    },
  };
}

/**
 * What the composition adds to the settings: a current sensor reports to the fault engine from the
 * first scan, and a sensor's bus voltage is the link's (the CurrentSource port says so), so
 * precharge is verified by it (B-12) rather than timed.
 */
function effectiveConfig(config: BmsConfig, current: CurrentSource | undefined): BmsConfig {
  if (current === undefined) return config;
  return {
    ...config,
    faultEngine: { ...config.faultEngine, currentSensorFitted: true },
    control:
      current.busVoltage$ === undefined ? config.control : { ...config.control, busVoltageSensor: true },
  };
}

/** The settings a running core cannot take, under their setting paths. */
function notLiveChanges(running: BmsConfig, next: BmsConfig): ConfigIssue[] {
  const shaping = [
    ['pack.moduleCount', running.control.moduleCount, next.control.moduleCount],
    ['pack.parallelStringCount', running.control.parallelStringCount, next.control.parallelStringCount],
    ['pollIntervalS', running.control.pollIntervalS, next.control.pollIntervalS],
    ['contactorControl', running.control.contactorControl, next.control.contactorControl],
  ] as const;
  return shaping
    .filter(([, was, now]) => was !== now)
    .map(([configPath, was, now]) => ({
      configPath,
      reason: `${String(was)} → ${String(now)} cannot be applied to a running core: it needs a restart`,
    }));
}
