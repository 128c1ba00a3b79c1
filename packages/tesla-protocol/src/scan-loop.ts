import { Subject, type Observable } from 'rxjs';
import {
  InterruptibleSleep,
  requireByteLink,
  requireFiniteNumber,
  requireLogger,
  type ByteLink,
  type Clock,
  type Logger,
} from '@tsbms/hal';
import {
  flagsMeaning,
  type BalanceMasks,
  type ModuleReading,
  type PackReading,
  type PackSource,
  type SourceReading,
} from '@tsbms/pack-reading';
import { requireClockOptions } from './argument-guards';
import { TeslaBus } from './bus';
import type { BusStats } from './bus-stats';
import { cbTimeForPollInterval, ModuleCommands, type HardwareThresholds } from './commands';
import { discoverModules, type DiscoveryResult } from './discovery';
import { isTeslaProtocolError, type TeslaProtocolError } from './errors';
import { requireHardwareThresholds, sameHardwareThresholds } from './hardware-thresholds';
import { PackScanner, unansweredModuleReading } from './scan';
import { CLEARABLE_STATUS_FLAGS } from './status-flags';

export interface TeslaScanLoopOptions {
  readonly link: ByteLink;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The configured module count; discovery must find exactly this many. */
  readonly moduleCount: number;
  readonly pollIntervalS: number;
  /**
   * Written into every board at setup (T-18); null = setup only clears latched bits. Changed at
   * run time with {@link TeslaScanLoop.setHardwareThresholds}.
   */
  readonly hardwareThresholds: HardwareThresholds | null;
  readonly readWithCrc: boolean;
  readonly replyTimeoutMs: number;
  /** Discovery retry and recovery interval (T-16, B-44). Default 5 s. */
  readonly discoveryRetryS?: number;
  /** Re-send of ADC_CONTROL / IO_CONTROL / CB_TIME (T-17). Default 60 s. */
  readonly controlBroadcastIntervalS?: number;
  /**
   * What the application adds to a failed set-up's warning, e.g. the name of its own setting for
   * boards without the protected registers (`PROTECTED_REGISTERS_UNANSWERED`); null adds nothing.
   */
  readonly setUpAdvice?: (error: TeslaProtocolError) => string | null;
}

export const DEFAULT_DISCOVERY_RETRY_S = 5;
export const DEFAULT_CONTROL_BROADCAST_INTERVAL_S = 60;
/** T-26: at most one clear per module this often. */
const LATCHED_FLAG_CLEAR_INTERVAL_MS = 10_000;

/** What a set-up is for, as its log lines say: first or after a reset, or a run-time threshold change. */
type SetUpEvent = 'setup' | 'thresholds';

/** The outcome of {@link TeslaScanLoop.scanOnce}. */
export type OnceOutcome = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * The Tesla module chain as a {@link PackSource}: discovery (retried until the configured count
 * answers, T-14..T-16), setup (T-17/T-18), a scan every poll interval (T-19..T-22) with the latest
 * balance masks, and between scans the periodic broadcasts, recovery of lost modules (B-44), setup
 * of boards that report a reset, and clearing of latched status bits (T-26). Protocol failures are
 * never thrown: a scan nobody answered is delivered as a reading of unanswered modules, so the core
 * sees the silence. Only an unexpected error ends `readings$`, with that error.
 */
export class TeslaScanLoop implements PackSource {
  private readonly bus: TeslaBus;
  private readonly commands: ModuleCommands;
  private readonly scanner: PackScanner;
  private readonly addresses: readonly number[];
  private readonly pollMs: number;
  private readonly retryMs: number;
  private readonly broadcastMs: number;
  private readonly cbTime: number;
  private readonly startedMs: number;
  private readonly readingsSubject = new Subject<SourceReading>();
  /** Between scans and discovery retries; stop() cuts it short. */
  private readonly sleeper: InterruptibleSleep;

  private masks: BalanceMasks = new Map();
  /** What a set-up writes (T-18); null = set-ups only clear latched bits. */
  private hardwareThresholds: HardwareThresholds | null;
  /** A run-time change not yet written to every module (null: stop programming); undefined = none. */
  private pendingThresholds: HardwareThresholds | null | undefined;
  /** After a failed write of changed thresholds, the next attempt waits until then. */
  private nextThresholdsAttemptMs = Number.NEGATIVE_INFINITY;
  /** The set-up failure last warned about: the same failure on the next retry is not logged again. */
  private lastSetUpFailure: string | null = null;
  private lastSetUpError: TeslaProtocolError | null = null;
  private discovered: number | null = null;
  private lastDiscoveryLog: string | null = null;
  private lastReadingMs = Number.NEGATIVE_INFINITY;
  private lastRecoveryMs = Number.NEGATIVE_INFINITY;
  /** The latest reading of each module, and when it last answered. */
  private readonly latest = new Map<number, ModuleReading>();
  private readonly lastAnsweredMs = new Map<number, number>();
  /** T-26: when each module's latched status bits were last cleared. */
  private readonly lastFlagClearMs = new Map<number, number>();
  private nextBroadcastMs = 0;
  private scanFailing = false;
  /** The previous scan wrote non-zero balance masks. */
  private sentMasks = false;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private stopped: Promise<void> | undefined;

  readonly readings$: Observable<SourceReading> = this.readingsSubject.asObservable();

  constructor(private readonly options: TeslaScanLoopOptions) {
    requireClockOptions(options, 'options', 'scan loop options');
    requireByteLink(options.link, 'options.link');
    requireLogger(options.logger, 'options.logger');
    requireFiniteNumber(options.moduleCount, 'options.moduleCount');
    requireFiniteNumber(options.pollIntervalS, 'options.pollIntervalS');
    requireHardwareThresholds(options.hardwareThresholds, 'options.hardwareThresholds');
    const { clock } = options;
    this.hardwareThresholds = options.hardwareThresholds;
    this.addresses = Array.from({ length: options.moduleCount }, (_, i) => i + 1);
    this.pollMs = options.pollIntervalS * 1000;
    this.retryMs = (options.discoveryRetryS ?? DEFAULT_DISCOVERY_RETRY_S) * 1000;
    this.broadcastMs = (options.controlBroadcastIntervalS ?? DEFAULT_CONTROL_BROADCAST_INTERVAL_S) * 1000;
    this.cbTime = cbTimeForPollInterval(options.pollIntervalS);
    this.startedMs = clock.now();
    this.sleeper = new InterruptibleSleep(clock);
    this.bus = new TeslaBus(options.link, {
      clock,
      replyTimeoutMs: options.replyTimeoutMs,
      readWithCrc: options.readWithCrc,
    });
    this.commands = new ModuleCommands(this.bus);
    this.scanner = new PackScanner(this.bus, { clock });
  }

  /** Serial-loop counters (T-5), per address as well. */
  get stats(): BusStats {
    return this.bus.stats;
  }

  linkCounters(): Readonly<Record<string, number>> {
    // The totals; per-address counters are in `stats` (for /metrics), not in every status.
    return Object.fromEntries(
      Object.entries(this.bus.stats).filter(([, value]) => typeof value === 'number'),
    );
  }

  setBalancing(masks: BalanceMasks): void {
    this.masks = masks;
  }

  /**
   * Changes the hardware thresholds (T-18) without a restart: between scans they are written to
   * every module and verified by the set-up a reset gets, then later set-ups use them; a failed
   * write is retried every discovery-retry interval. Before the first set-up they replace what it
   * writes. null stops programming them: nothing is written, the boards keep theirs. A value equal
   * to what the loop is about to write (a pending change, else the current thresholds), or a call
   * once stopping, does nothing. Invalid thresholds throw as in the constructor, changing nothing.
   */
  setHardwareThresholds(thresholds: HardwareThresholds | null): void {
    if (this.stopping) return;
    requireHardwareThresholds(thresholds, 'thresholds');
    // A copy: a caller mutating its object must not change what is compared or written later.
    const next = thresholds === null ? null : Object.freeze({ ...thresholds });
    // After a failed write the boards may hold either set, so the pending one is what counts.
    const target = this.pendingThresholds === undefined ? this.hardwareThresholds : this.pendingThresholds;
    if (!sameHardwareThresholds(next, target)) this.pendingThresholds = next;
  }

  /** Discovery until the configured count answers, setup, then a scan every poll interval until {@link stop}. */
  start(): void {
    this.loop ??= this.guard(async () => {
      while (!this.stopping && !(await this.discoverAndSetUp())) await this.sleeper.sleep(this.retryMs);
      this.nextBroadcastMs = this.options.clock.now() + this.broadcastMs;
      while (!this.stopping) {
        const startedMs = this.options.clock.now();
        await this.scanOnceRaw();
        if (this.stopping) break;
        await this.maintain();
        await this.sleeper.sleep(Math.max(0, this.pollMs - (this.options.clock.now() - startedMs)));
      }
    });
  }

  /**
   * One discovery and scan (`--once`) instead of {@link start}; says why when discovery or the
   * setup of the conversions failed. T-29: a single reading is a look at the pack, so it programs
   * nothing the reading does not need: only the ADC_CONTROL and IO_CONTROL broadcasts
   * ({@link ModuleCommands.enableConversions}), no hardware thresholds (T-18) and no clearing of
   * latched bits (T-25). The boards keep the protection they had, the reading shows what they
   * latched, and it also works on boards without the protected registers (issue 16).
   */
  async scanOnce(): Promise<OnceOutcome> {
    let outcome: OnceOutcome = { ok: false, reason: 'the scan loop is already running' };
    this.loop ??= this.guard(async () => {
      outcome = await this.prepareOneReading();
      if (outcome.ok) await this.scanOnceRaw();
    });
    await this.loop;
    return outcome;
  }

  /** The error the latest set-up failed with (e.g. PROTECTED_REGISTERS_UNANSWERED); null once one succeeds. */
  get setUpFailure(): TeslaProtocolError | null {
    return this.lastSetUpError;
  }

  /**
   * Lets the running transaction finish, then broadcasts CB_CTRL = 0 (every bleed FET off).
   * Idempotent. The core calls it once it has switched every output off, which its log line says.
   */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.stopping = true;
      this.sleeper.interrupt();
      await this.loop?.catch(() => undefined);
      try {
        await this.commands.stopBalancing();
        this.options.logger.info(
          { event: 'shutdown' },
          'shutdown: outputs off, balancing stopped on every board (CB_CTRL = 0)',
        );
      } catch (error) {
        this.options.logger.error(
          { event: 'shutdown', error: String(error) },
          'shutdown: outputs off, but CB_CTRL = 0 could not be sent',
        );
      }
      this.readingsSubject.complete();
      this.bus.dispose();
    })();
    return this.stopped;
  }

  private async guard(body: () => Promise<void>): Promise<void> {
    try {
      await body();
    } catch (error) {
      this.options.logger.error({ event: 'fatal', error: String(error) }, 'the scan loop failed');
      this.readingsSubject.error(error);
      throw error;
    }
  }

  private publish(reading: PackReading): void {
    // Consumers need strictly increasing time; two readings in one instant carry no news.
    if (reading.timestampMs <= this.lastReadingMs || this.readingsSubject.closed) return;
    this.lastReadingMs = reading.timestampMs;
    for (const m of reading.modules) {
      this.latest.set(m.address, m);
      if (m.commsOk) this.lastAnsweredMs.set(m.address, reading.timestampMs);
    }
    this.readingsSubject.next({ reading, discoveredModules: this.discovered });
  }

  /** A reading in which no module answered: the model ages the modules and the engine sees the gap. */
  private publishSilence(): void {
    this.publish({
      timestampMs: this.options.clock.now(),
      modules: this.addresses.map(unansweredModuleReading),
    });
  }

  /** One discovery attempt (T-14..T-16): true when the configured count answered. */
  private async discoverConfigured(): Promise<boolean> {
    const result = await this.discover();
    if (result !== null && result.addresses.length === this.options.moduleCount) return true;
    this.publishSilence();
    return false;
  }

  /** One discovery attempt; on the configured count, module setup (T-17). */
  private async discoverAndSetUp(): Promise<boolean> {
    if (!(await this.discoverConfigured())) return false;
    // Before the first set-up a change simply replaces what it writes.
    this.adoptPendingThresholds();
    return this.setUp(this.addresses, this.hardwareThresholds);
  }

  /** `--once`: one discovery attempt, then only the conversion broadcasts. */
  private async prepareOneReading(): Promise<OnceOutcome> {
    if (!(await this.discoverConfigured())) {
      const found = `${this.discovered ?? 0} of ${this.options.moduleCount}`;
      return { ok: false, reason: `discovery found ${found} configured modules` };
    }
    try {
      await this.commands.enableConversions();
    } catch (error) {
      if (!isTeslaProtocolError(error)) throw error;
      this.warnSetUpFailed('setup', this.addresses, error);
      return { ok: false, reason: `module setup failed: ${error.message}` };
    }
    this.options.logger.info(
      { event: 'setup', addresses: this.addresses, hardwareThresholds: null },
      `setup of module(s) ${this.addresses.join(', ')} for one reading: conversions enabled ` +
        '(ADC_CONTROL, IO_CONTROL); no hardware thresholds written, no latched bits cleared',
    );
    return { ok: true };
  }

  private async discover(): Promise<DiscoveryResult | null> {
    const expected = this.options.moduleCount;
    let result: DiscoveryResult;
    try {
      result = await discoverModules(this.bus, { clock: this.options.clock, expectedCount: expected });
    } catch (error) {
      if (!isTeslaProtocolError(error)) throw error;
      // No count (loop broken): the count stays as it was, null before the first; the comms-loss
      // rule covers the silence. A count of 0 here would latch the module-count fault.
      this.logDiscovery(`discovery failed: ${error.message}`, { code: error.code }, 'warn');
      return null;
    }
    // A renumbering cut short by an error (a board still restarting after a power cycle, a
    // corrupted frame) is no count: the count stays as it was and the next attempt decides.
    if (result.end !== 'error') this.discovered = result.addresses.length;
    const found = `discovery: ${result.addresses.length} of ${expected} modules at [${result.addresses.join(', ')}]`;
    const how = result.renumbered ? ' (addresses assigned)' : ' (already addressed)';
    const stoppedBy = result.error ? `; stopped by ${result.error.message}, not counted` : '';
    this.logDiscovery(
      `${found}${how}${stoppedBy}`,
      { found: result.addresses.length, expected, renumbered: result.renumbered, end: result.end },
      result.addresses.length === expected ? 'info' : 'warn',
      result.renumbered && result.addresses.length === expected,
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
    this.options.logger[level]({ event: 'discovery', ...fields }, message);
  }

  /** T-17: clear latched bits (and write `thresholds` when given), broadcasts, balancing off. */
  private async setUp(
    addresses: readonly number[],
    thresholds: HardwareThresholds | null,
    event: SetUpEvent = 'setup',
  ): Promise<boolean> {
    try {
      if (thresholds !== null) {
        await this.commands.setupPack(addresses, thresholds, this.cbTime);
      } else {
        for (const address of addresses) await this.commands.clearLatchedStatus(address);
        await this.commands.broadcastControl(this.cbTime);
        await this.commands.stopBalancing();
      }
    } catch (error) {
      if (!isTeslaProtocolError(error) || error.code === 'INVALID_CONFIG') throw error;
      this.warnSetUpFailed(event, addresses, error);
      return false;
    }
    this.lastSetUpFailure = null;
    this.lastSetUpError = null;
    this.options.logger.info(
      { event, addresses, hardwareThresholds: thresholds },
      setUpMessage(event, addresses, thresholds),
    );
    return true;
  }

  /** Once per failure kind: a set-up retried every interval does not repeat its warning. */
  private warnSetUpFailed(event: SetUpEvent, addresses: readonly number[], error: TeslaProtocolError): void {
    this.lastSetUpError = error;
    const failure = `${event} ${addresses.join(',')} ${error.code}`;
    if (failure === this.lastSetUpFailure) return;
    this.lastSetUpFailure = failure;
    const retryS = this.retryMs / 1000;
    const advice = this.options.setUpAdvice?.(error) ?? null;
    this.options.logger.warn(
      { event, addresses, code: error.code },
      (event === 'thresholds'
        ? `hardware thresholds not changed yet: ${error.message}; retrying every ${retryS} s`
        : `module setup failed: ${error.message}`) + (advice === null ? '' : `; ${advice}`),
    );
  }

  /**
   * A run-time change of the thresholds, between scans. null takes effect at once (nothing to
   * write); thresholds are written to every module and become the current ones once verified.
   * Returns true when every module was set up.
   */
  private async applyPendingThresholds(nowMs: number): Promise<boolean> {
    const next = this.pendingThresholds;
    if (next === undefined) return false;
    if (next === null) {
      this.adoptPendingThresholds();
      this.options.logger.info(
        { event: 'thresholds', hardwareThresholds: null },
        'hardware thresholds no longer programmed: the boards keep theirs, a reset only clears latched bits',
      );
      return false;
    }
    if (nowMs < this.nextThresholdsAttemptMs) return false;
    if (!(await this.setUp(this.addresses, next, 'thresholds'))) {
      this.nextThresholdsAttemptMs = nowMs + this.retryMs;
      return false;
    }
    this.hardwareThresholds = next;
    // A change made while this one was being written stays pending.
    if (this.pendingThresholds === next) this.pendingThresholds = undefined;
    return true;
  }

  /** The pending change, if any, becomes what set-ups write. */
  private adoptPendingThresholds(): void {
    if (this.pendingThresholds === undefined) return;
    this.hardwareThresholds = this.pendingThresholds;
    this.pendingThresholds = undefined;
  }

  private async scanOnceRaw(): Promise<void> {
    let reading: PackReading;
    try {
      reading = await this.scanner.scanPack(this.addresses, this.masks);
    } catch (error) {
      if (!isTeslaProtocolError(error)) throw error;
      if (!this.scanFailing)
        this.options.logger.error({ event: 'scan', code: error.code }, `scan failed: ${error.message}`);
      this.scanFailing = true;
      this.publishSilence();
      return;
    }
    if (this.scanFailing) this.options.logger.info({ event: 'scan' }, 'scans complete again');
    this.scanFailing = false;
    this.publish(reading);
  }

  /**
   * Between scans: stop bleeding when balancing ended (the scan only re-applies non-zero masks),
   * re-send the periodic broadcasts (T-17), write thresholds changed at run time, and at most
   * every retry interval recover lost modules (rediscovery, B-44) or set up modules that report
   * POR/AR (T-17).
   */
  private async maintain(): Promise<void> {
    const nowMs = this.options.clock.now();
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
    // Every module was just set up: the reading the recovery below would act on is out of date.
    if (await this.applyPendingThresholds(nowMs)) return;
    if (nowMs - this.lastRecoveryMs < this.retryMs) return;
    const modules = [...this.latest.values()];
    const lost = modules.some(
      (m) => !m.commsOk && nowMs - (this.lastAnsweredMs.get(m.address) ?? this.startedMs) >= this.retryMs,
    );
    const reset = modules.filter((m) => m.commsOk && flagsMeaning('setup', m.hardwareFlags).length > 0);
    if (lost || this.discovered !== this.options.moduleCount) {
      this.lastRecoveryMs = nowMs;
      const result = await this.discover();
      if (result?.renumbered) await this.setUp(result.addresses, this.hardwareThresholds);
    } else if (reset.length > 0) {
      this.lastRecoveryMs = nowMs;
      const addresses = reset.map((m) => m.address);
      this.options.logger.warn(
        { event: 'setup', addresses },
        `module(s) ${addresses.join(', ')} report a reset (POR/AR): setting up again`,
      );
      await this.setUp(addresses, this.hardwareThresholds);
    } else {
      await this.clearLatchedFlags(modules, nowMs);
    }
  }

  /**
   * T-26: latched ALERT/FAULT_STATUS bits (a CRC error, a past over-voltage trip) are cleared, at
   * most every 10 s per module, so that a bit still reported afterwards is a live condition and one
   * whose cause has gone clears (its warning or fault then clears by the fault engine's rules).
   */
  private async clearLatchedFlags(modules: readonly ModuleReading[], nowMs: number): Promise<void> {
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
}

function setUpMessage(
  event: SetUpEvent,
  addresses: readonly number[],
  thresholds: HardwareThresholds | null,
): string {
  const modules = `module(s) ${addresses.join(', ')}`;
  if (thresholds === null)
    return `setup of ${modules}: latched bits cleared (hardware thresholds left as they are)`;
  const levels = `COV ${thresholds.covV.toFixed(2)} V / CUV ${thresholds.cuvV.toFixed(2)} V / OT ${thresholds.otC} °C`;
  return event === 'thresholds'
    ? `hardware thresholds changed: ${levels} written to ${modules} and verified`
    : `setup of ${modules}: latched bits cleared, hardware ${levels} written and verified`;
}
