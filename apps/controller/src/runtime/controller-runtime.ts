import { BehaviorSubject, Subject, type Observable, type Subscription } from 'rxjs';
import { toPackState, type ModuleState, type PackState } from '@tsbms/battery-model';
import { flagsMeaning, type PackReading } from '@tsbms/pack-reading';
import {
  FaultEngine,
  type AcknowledgeRequest,
  type AcknowledgeResult,
  type FaultEvent,
  type FaultSet,
  type PersistedFaults,
} from '@tsbms/fault-engine';
import {
  contactorFaultInput,
  contactorMachine,
  createControl,
  fromPackAndFaults,
  type BalancingState,
  type ChargeLimits,
  type ContactorSequenceStatus,
  type ControlInputs,
  type HeatingStatus,
} from '@tsbms/control';
import {
  CLEARABLE_STATUS_FLAGS,
  cbTimeForPollInterval,
  discoverModules,
  isTeslaProtocolError,
  ModuleCommands,
  PackScanner,
  TeslaBus,
  unansweredModuleReading,
  type BusStats,
  type DiscoveryResult,
} from '@tsbms/tesla-protocol';
import type { DigitalOutput, Logger } from '@tsbms/hal';
import {
  DEFAULT_CONTROL_BROADCAST_INTERVAL_S,
  DEFAULT_DISCOVERY_RETRY_S,
  type ControllerRuntimeOptions,
} from './runtime-options';
import { buildStatusSnapshot, type ControllerStatus } from './status-snapshot';
import type { PersistedRuntimeState } from './persisted-state';
import {
  balancedCellLabels,
  limitsBlockKey,
  logBalancing,
  logContactors,
  logFaultEvent,
  logHeating,
  logLimits,
} from './state-change-log';

/** The outcome of {@link ControllerRuntime.runOnce}. */
export type OnceResult =
  | { readonly ok: true; readonly status: ControllerStatus }
  | { readonly ok: false; readonly reason: string; readonly status: ControllerStatus };

/** T-26: at most one clear per module this often. */
const LATCHED_FLAG_CLEAR_INTERVAL_MS = 10_000;

/**
 * The BMS daemon's core, pure composition over an injected link, clock, logger and outputs
 * (design.md data flow): link → TeslaBus → discovery → module setup → scan loop → readings →
 * battery-model → fault-engine → control → relays, balancing masks (written back by the next
 * scan) and the log. Contactor relays follow control's sequencer directly, so every fail-safe
 * opening (fault, comms loss, watchdog, shutdown) is control's decision, applied in the same tick.
 */
export class ControllerRuntime {
  private readonly clock: ControllerRuntimeOptions['clock'];
  private readonly logger: Logger;
  private readonly bus: TeslaBus;
  private readonly commands: ModuleCommands;
  private readonly scanner: PackScanner;
  private readonly engine: FaultEngine;
  private readonly expected: number;
  private readonly addresses: readonly number[];
  private readonly pollMs: number;
  private readonly retryMs: number;
  private readonly broadcastMs: number;
  private readonly cbTime: number;

  private readonly readings = new Subject<PackReading>();
  private readonly inputs = new Subject<ControlInputs>();
  private readonly subscriptions: Subscription[] = [];
  private readonly contactorsSubject: BehaviorSubject<ContactorSequenceStatus>;
  private readonly statusSubject = new Subject<ControllerStatus>();

  private pack: PackState | null = null;
  private faults: FaultSet;
  private limits: ChargeLimits | null = null;
  private balancing: BalancingState | null = null;
  private heating: HeatingStatus | null = null;
  private lastInputs: ControlInputs | null = null;
  private masks: ReadonlyMap<number, number> = new Map();
  private discovered: number | null = null;
  private lastDiscoveryLog: string | null = null;
  private lastReadingMs = Number.NEGATIVE_INFINITY;
  private lastRecoveryMs = Number.NEGATIVE_INFINITY;
  /**
   * Fault events are logged once the engine has returned, after `latchedFaults$` has had the state
   * saved: whoever sees a latch in the log (and kills the process) finds it on disk.
   */
  private readonly eventsToLog: FaultEvent[] = [];
  /** T-26: when each module's latched status bits were last cleared. */
  private readonly lastFlagClearMs = new Map<number, number>();
  private nextBroadcastMs = 0;
  private scanFailing = false;
  /** The first complete scan has been logged. */
  private scanning = false;
  /** The previous scan wrote non-zero balance masks. */
  private sentMasks = false;
  private readonly startedMs: number;

  private stopping = false;
  /** `--once`: a single look at the pack must never energise a relay. */
  private oneShot = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private stopped: Promise<void> | undefined;

  /** Every contactor sequencer state, replaying the latest (OPEN at start). */
  readonly contactors$: Observable<ContactorSequenceStatus>;
  /** A status snapshot after every scan (and after an accepted acknowledge); no replay. */
  readonly status$: Observable<ControllerStatus> = this.statusSubject.asObservable();
  /** Fault raise, clear and acknowledge events as they happen. */
  readonly faultEvents$: Observable<FaultEvent>;
  /** The latched faults, whenever a fault latches or a latched one clears (B-6: save them now). */
  readonly latchedFaults$: Observable<PersistedFaults>;

  constructor(private readonly options: ControllerRuntimeOptions) {
    const { clock, libraries, settings } = options;
    this.clock = clock;
    this.logger = options.logger;
    this.expected = libraries.control.moduleCount;
    this.addresses = Array.from({ length: this.expected }, (_, i) => i + 1);
    this.pollMs = libraries.control.pollIntervalS * 1000;
    this.retryMs = (settings.discoveryRetryS ?? DEFAULT_DISCOVERY_RETRY_S) * 1000;
    this.broadcastMs = (settings.controlBroadcastIntervalS ?? DEFAULT_CONTROL_BROADCAST_INTERVAL_S) * 1000;
    this.cbTime = cbTimeForPollInterval(libraries.control.pollIntervalS);
    this.startedMs = clock.now();

    this.bus = new TeslaBus(options.link, {
      clock,
      replyTimeoutMs: settings.replyTimeoutMs,
      readWithCrc: settings.readWithCrc,
    });
    this.commands = new ModuleCommands(this.bus);
    this.scanner = new PackScanner(this.bus, { clock });
    this.engine = new FaultEngine(libraries.faultEngine, {
      scheduler: clock,
      persisted: options.persisted?.faults ?? null,
    });
    this.faultEvents$ = this.engine.events$;
    this.latchedFaults$ = this.engine.latched$;
    this.faults = { timestampMs: clock.now(), faults: [], highestLevel: null };

    const control = createControl(this.inputs, {
      config: libraries.control,
      clock,
      contactorsLastOpenedAtMs: options.contactorsLastOpenedAtMs ?? null,
    });
    this.contactorsSubject = new BehaviorSubject(
      contactorMachine(libraries.control, options.contactorsLastOpenedAtMs ?? null).initial(
        clock.now(),
      ).status,
    );
    this.contactors$ = this.contactorsSubject.asObservable();
    this.wireOutputs(control);
    this.subscriptions.push(this.engine.events$.subscribe((event) => this.eventsToLog.push(event)));
    this.subscriptions.push(
      this.readings
        .pipe(toPackState(libraries.batteryModel, options.persisted?.soc ?? null))
        .subscribe((pack) => this.evaluate(pack)),
    );
  }

  /** The latest status snapshot. */
  status(): ControllerStatus {
    return buildStatusSnapshot({
      expectedModules: this.expected,
      discoveredModules: this.discovered,
      pack: this.pack,
      faults: this.faults,
      contactors: this.contactorsSubject.value,
      limits: this.limits,
      balancing: this.balancing,
      heating: this.heating,
      comms: this.bus.stats,
      outputs: this.options.outputStatus?.() ?? {},
      stateFile: this.options.stateFileStatus?.() ?? null,
    });
  }

  /** When energised contactors were last opened, by this core or before it (B-11 across restarts). */
  contactorsLastOpenedAtMs(): number | null {
    return this.contactorsSubject.value.lastOpenedAtMs;
  }

  /** The fault log, oldest first (bounded by the engine). */
  faultEvents(): readonly FaultEvent[] {
    return this.engine.eventLog();
  }

  /** Operator acknowledge of latched faults (B-5); accepted ones clear at once. */
  acknowledgeFaults(request: AcknowledgeRequest): AcknowledgeResult {
    const result = this.engine.acknowledge(request);
    this.logFaultEvents();
    if (result.accepted.length > 0) {
      this.faults = this.engine.faults;
      this.statusSubject.next(this.status());
    }
    return result;
  }

  /** Tesla-bus link counters (T-5). */
  commsStats(): BusStats {
    return this.bus.stats;
  }

  /** What must survive a restart: latched faults (B-6) and the SoC (B-36). */
  persistedState(): PersistedRuntimeState {
    return { version: 1, faults: this.engine.persistedState(), soc: this.pack?.soc.toPersist ?? null };
  }

  /**
   * Runs the daemon: discovery (retried until the configured count is found), setup, then the scan
   * loop until {@link stop}. The promise rejects only on an unexpected error, after every output
   * has been switched off.
   */
  run(): Promise<void> {
    this.loop ??= this.guard(async () => {
      while (!this.stopping && !(await this.discoverAndSetUp())) await this.pause(this.retryMs);
      this.nextBroadcastMs = this.clock.now() + this.broadcastMs;
      while (!this.stopping) {
        const startedMs = this.clock.now();
        await this.scanOnce();
        if (this.stopping) break;
        await this.maintain();
        await this.pause(Math.max(0, this.pollMs - (this.clock.now() - startedMs)));
      }
    });
    return this.loop;
  }

  /** One discovery, setup and scan (`--once`). Fails when discovery finds another module count. */
  async runOnce(): Promise<OnceResult> {
    let ready = false;
    this.oneShot = true;
    this.loop ??= this.guard(async () => {
      ready = await this.discoverAndSetUp();
      if (ready) await this.scanOnce();
    });
    await this.loop;
    if (ready) return { ok: true, status: this.status() };
    const reason =
      this.discovered === this.expected
        ? 'module setup failed (see the log)'
        : `discovery found ${this.discovered ?? 0} of ${this.expected} configured modules`;
    return { ok: false, reason, status: this.status() };
  }

  /**
   * Shutdown (SIGINT/SIGTERM): every output off at once, then the loop is let finish its
   * transaction and CB_CTRL = 0 is broadcast to stop balancing on every board. Idempotent.
   */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.stopping = true;
      if (this.lastInputs !== null) this.inputs.next({ ...this.lastInputs, shutdownRequested: true });
      this.allOutputsOff();
      this.wake?.();
      await this.loop?.catch(() => undefined);
      try {
        await this.commands.stopBalancing();
        this.logger.info(
          { event: 'shutdown' },
          'shutdown: outputs off, balancing stopped on every board (CB_CTRL = 0)',
        );
      } catch (error) {
        this.logger.error(
          { event: 'shutdown', error: String(error) },
          'shutdown: outputs off, but CB_CTRL = 0 could not be sent',
        );
      }
      for (const subscription of this.subscriptions) subscription.unsubscribe();
      this.contactorsSubject.complete();
      this.statusSubject.complete();
      this.bus.dispose();
    })();
    return this.stopped;
  }

  private async guard(body: () => Promise<void>): Promise<void> {
    try {
      await body();
    } catch (error) {
      this.allOutputsOff();
      this.logger.error(
        { event: 'fatal', error: String(error) },
        'runtime failed: every output switched off',
      );
      throw error;
    }
  }

  private wireOutputs(control: ReturnType<typeof createControl>): void {
    const { outputs } = this.options;
    this.subscriptions.push(
      control.contactors$.subscribe((status) => {
        // Openings first, then closings, so no transient state is more closed than either end.
        const relays: [DigitalOutput | undefined, boolean][] = [
          [outputs.contactorPositive, status.relays.positive],
          [outputs.contactorPrecharge, status.relays.precharge],
          [outputs.contactorNegative, status.relays.negative],
        ];
        for (const [output, on] of relays) if (!on) output?.set(false);
        for (const [output, on] of [...relays].reverse()) if (on) output?.set(true);
        logContactors(this.logger, status);
        this.contactorsSubject.next(status);
      }),
      control.heating$.subscribe((heating) => {
        outputs.heater?.set(heating.heaterOn);
        if (this.heating?.heaterOn !== heating.heaterOn || this.heating?.blockedBy !== heating.blockedBy) {
          logHeating(this.logger, heating);
        }
        this.heating = heating;
      }),
      control.limits$.subscribe((limits) => {
        if (this.limits === null || limitsBlockKey(this.limits) !== limitsBlockKey(limits))
          logLimits(this.logger, limits);
        this.limits = limits;
      }),
      control.balancing$.subscribe((balancing) => {
        const before = this.balancing === null ? [] : balancedCellLabels(this.balancing);
        const after = balancedCellLabels(balancing);
        if (before.join() !== after.join()) logBalancing(this.logger, after);
        this.balancing = balancing;
        this.masks = new Map(
          balancing.strings.flatMap((s) => s.modules.map((m) => [m.address, m.mask] as const)),
        );
      }),
    );
  }

  /** One pack snapshot through the fault engine into control. Contactor state and limits are the latest known. */
  private evaluate(pack: PackState): void {
    const matched = this.discovered === this.expected;
    this.pack = pack;
    this.faults = this.engine.evaluate({
      pack,
      discoveredModuleCount: this.discovered,
      ...contactorFaultInput(this.contactorsSubject.value),
      limits: this.limits && {
        chargeCurrentLimitA: this.limits.cclA,
        dischargeCurrentLimitA: this.limits.dclA,
      },
    });
    this.logFaultEvents();
    // A scan still in flight when stop() was called must not let the sequencer close again.
    const shutdownRequested = this.stopping || this.oneShot;
    this.lastInputs = fromPackAndFaults(pack, this.faults, { discoveryMatched: matched, shutdownRequested });
    this.inputs.next(this.lastInputs);
    this.options.outputs.statusLed?.set(!this.stopping && matched && this.faults.highestLevel !== 'fault');
    // Built only for a listener: `--once` has none, and the scan loop need not pay for it.
    if (this.statusSubject.observed) this.statusSubject.next(this.status());
  }

  private logFaultEvents(): void {
    for (const event of this.eventsToLog.splice(0)) logFaultEvent(this.logger, event);
  }

  private publish(reading: PackReading): void {
    // The battery model needs strictly increasing time; two readings in one instant carry no news.
    if (reading.timestampMs <= this.lastReadingMs) return;
    this.lastReadingMs = reading.timestampMs;
    this.readings.next(reading);
  }

  /** A reading in which no module answered: the model ages the modules and the engine sees the gap. */
  private publishSilence(): void {
    this.publish({ timestampMs: this.clock.now(), modules: this.addresses.map(unansweredModuleReading) });
  }

  /** One discovery attempt (T-14..T-16); on the configured count, module setup (T-17). */
  private async discoverAndSetUp(): Promise<boolean> {
    const result = await this.discover();
    if (result === null || result.addresses.length !== this.expected) {
      this.publishSilence();
      return false;
    }
    return this.setUp(this.addresses);
  }

  private async discover(): Promise<DiscoveryResult | null> {
    let result: DiscoveryResult;
    try {
      result = await discoverModules(this.bus, { clock: this.clock, expectedCount: this.expected });
    } catch (error) {
      if (!isTeslaProtocolError(error)) throw error;
      // Before the first discovery nothing is known to be there: count it as none found. Later a
      // failed attempt (loop broken) changes nothing; the comms-loss rule covers the silence.
      if (this.discovered === null) this.discovered = 0;
      this.logDiscovery(`discovery failed: ${error.message}`, { code: error.code }, 'warn');
      return null;
    }
    this.discovered = result.addresses.length;
    const found = `discovery: ${result.addresses.length} of ${this.expected} modules at [${result.addresses.join(', ')}]`;
    const how = result.renumbered ? ' (addresses assigned)' : ' (already addressed)';
    const stoppedBy = result.error ? `; stopped by ${result.error.message}` : '';
    this.logDiscovery(
      `${found}${how}${stoppedBy}`,
      {
        found: result.addresses.length,
        expected: this.expected,
        renumbered: result.renumbered,
        end: result.end,
      },
      result.addresses.length === this.expected ? 'info' : 'warn',
      result.renumbered && result.addresses.length === this.expected,
    );
    return result;
  }

  /** Logs a discovery outcome once, not again for every identical retry; a successful renumbering always. */
  private logDiscovery(
    message: string,
    fields: Record<string, unknown>,
    level: 'info' | 'warn',
    always = false,
  ): void {
    if (message === this.lastDiscoveryLog && !always) return;
    this.lastDiscoveryLog = message;
    this.logger[level]({ event: 'discovery', ...fields }, message);
  }

  /** T-17: clear latched bits (and write the hardware thresholds when enabled), broadcasts, balancing off. */
  private async setUp(addresses: readonly number[]): Promise<boolean> {
    const { settings, libraries } = this.options;
    try {
      if (settings.programHardwareThresholds) {
        await this.commands.setupPack(addresses, libraries.hardwareThresholds, this.cbTime);
      } else {
        for (const address of addresses) await this.commands.clearLatchedStatus(address);
        await this.commands.broadcastControl(this.cbTime);
        await this.commands.stopBalancing();
      }
    } catch (error) {
      if (!isTeslaProtocolError(error) || error.code === 'INVALID_CONFIG') throw error;
      this.logger.warn(
        { event: 'setup', addresses, code: error.code },
        `module setup failed: ${error.message}`,
      );
      return false;
    }
    const t = libraries.hardwareThresholds;
    this.logger.info(
      { event: 'setup', addresses, hardwareThresholds: settings.programHardwareThresholds ? t : null },
      settings.programHardwareThresholds
        ? `setup of module(s) ${addresses.join(', ')}: latched bits cleared, hardware COV ${t.covV.toFixed(2)} V / CUV ${t.cuvV.toFixed(2)} V / OT ${t.otC} °C written and verified`
        : `setup of module(s) ${addresses.join(', ')}: latched bits cleared (hardware thresholds left as they are)`,
    );
    return true;
  }

  private async scanOnce(): Promise<void> {
    let reading: PackReading;
    try {
      reading = await this.scanner.scanPack(this.addresses, this.masks);
    } catch (error) {
      if (!isTeslaProtocolError(error)) throw error;
      if (!this.scanFailing)
        this.logger.error({ event: 'scan', code: error.code }, `scan failed: ${error.message}`);
      this.scanFailing = true;
      this.publishSilence();
      return;
    }
    if (this.scanFailing) this.logger.info({ event: 'scan' }, 'scans complete again');
    this.scanFailing = false;
    this.publish(reading);
    if (!this.scanning) this.logFirstScan();
  }

  /** Scans are not logged one by one; the first one says that they run, and what they see. */
  private logFirstScan(): void {
    this.scanning = true;
    const status = this.status();
    const cells = status.modules.flatMap((m) => m.cells.map((c) => c.voltage)).filter((v) => v !== null);
    const [lowest, highest] = cells.length === 0 ? [null, null] : [Math.min(...cells), Math.max(...cells)];
    const volts = (v: number | null, digits: number) => (v === null ? '?' : v.toFixed(digits));
    this.logger.info(
      { event: 'scan', modules: status.modules.length, packVoltage: status.packVoltage, soc: status.soc },
      `scanning ${status.modules.length} modules every ${this.pollMs / 1000} s: pack ${volts(status.packVoltage, 2)} V, ` +
        `cells ${volts(lowest, 3)}–${volts(highest, 3)} V, SoC ${volts(status.soc, 1)} %`,
    );
  }

  /**
   * Between scans: stop bleeding when balancing ended (the scan only re-applies non-zero masks),
   * re-send the periodic broadcasts (T-17), and at most every retry interval recover lost modules
   * (rediscovery, B-44) or set up modules that report POR/AR (T-17).
   */
  private async maintain(): Promise<void> {
    const nowMs = this.clock.now();
    try {
      if (this.balancingJustEnded()) await this.commands.stopBalancing();
      if (nowMs >= this.nextBroadcastMs) {
        this.nextBroadcastMs = nowMs + this.broadcastMs;
        await this.commands.broadcastControl(this.cbTime);
      }
    } catch (error) {
      if (!isTeslaProtocolError(error)) throw error;
      // Failed broadcasts are retried on the next occasion; the scan reports the comms state.
    }
    if (nowMs - this.lastRecoveryMs < this.retryMs) return;
    const modules = this.pack?.modules ?? [];
    const lost = modules.some(
      (m) => !m.commsOk && nowMs - (m.lastGoodReadMs ?? this.startedMs) >= this.retryMs,
    );
    const reset = modules.filter((m) => m.commsOk && flagsMeaning('setup', m.hardwareFlags).length > 0);
    if (lost || this.discovered !== this.expected) {
      this.lastRecoveryMs = nowMs;
      const result = await this.discover();
      if (result?.renumbered) await this.setUp(result.addresses);
    } else if (reset.length > 0) {
      this.lastRecoveryMs = nowMs;
      const addresses = reset.map((m) => m.address);
      this.logger.warn(
        { event: 'setup', addresses },
        `module(s) ${addresses.join(', ')} report a reset (POR/AR): setting up again`,
      );
      await this.setUp(addresses);
    } else {
      await this.clearLatchedFlags(modules, nowMs);
    }
  }

  /**
   * T-26: latched ALERT/FAULT_STATUS bits (a CRC error, a past over-voltage trip) are cleared, at
   * most every 10 s per module, so that a bit still reported afterwards is a live condition and one
   * whose cause has gone clears (its warning or fault then clears by the fault engine's rules).
   */
  private async clearLatchedFlags(modules: readonly ModuleState[], nowMs: number): Promise<void> {
    const due = modules.filter(
      (m) =>
        m.commsOk &&
        m.hardwareFlags.some((flag) => CLEARABLE_STATUS_FLAGS.has(flag)) &&
        nowMs - (this.lastFlagClearMs.get(m.address) ?? Number.NEGATIVE_INFINITY) >=
          LATCHED_FLAG_CLEAR_INTERVAL_MS,
    );
    for (const m of due) {
      this.lastFlagClearMs.set(m.address, nowMs);
      try {
        await this.commands.clearLatchedStatus(m.address);
      } catch (error) {
        if (!isTeslaProtocolError(error)) throw error;
        // Tried again after the interval; the scan reports the comms state.
      }
    }
  }

  private balancingJustEnded(): boolean {
    const anyMask = [...this.masks.values()].some((mask) => mask !== 0);
    const ended = this.sentMasks && !anyMask;
    this.sentMasks = anyMask;
    return ended;
  }

  /** Waits on the clock; {@link stop} cuts the wait short. */
  private pause(delayMs: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = this.clock.schedule(() => {
        this.wake = undefined;
        resolve();
      }, delayMs);
      this.wake = () => {
        timer.unsubscribe();
        this.wake = undefined;
        resolve();
      };
    });
  }

  private allOutputsOff(): void {
    const { outputs } = this.options;
    for (const output of [
      outputs.contactorPositive,
      outputs.contactorPrecharge,
      outputs.contactorNegative,
      outputs.heater,
      outputs.statusLed,
    ]) {
      try {
        output?.set(false);
      } catch (error) {
        this.logger.error(
          { event: 'output', output: output?.name, error: String(error) },
          `output ${output?.name} could not be switched off`,
        );
      }
    }
  }
}
