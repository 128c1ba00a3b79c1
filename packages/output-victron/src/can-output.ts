import { filter, interval, map, scan, startWith, type Subscription } from 'rxjs';
import { errorMessage, type CanBus, type Clock, type ReconnectPolicy } from '@tsbms/hal';
import {
  VictronFrameId,
  victronFrameSchedule,
  type ScheduleAnomaly,
  type VictronBmsSnapshot,
} from '@tsbms/inverter-can';
import {
  reconnectPolicy,
  type BmsStatus,
  type OutputContext,
  type OutputFactory,
  type OutputService,
  type OutputStatus,
} from '@tsbms/bms-core';
import type { CanConfig } from './can-config';
import { requireCanOutputBus, requireCanOutputOptions, requireOutputContext } from './can-output-guards';
import { toVictronSnapshot, victronIdentityOf, type VictronPackFacts } from './victron-snapshot';

/** The GX sends 0x305 every second; older than this counts as "not seen" (one lost frame and more). */
export const GX_SEEN_WITHIN_S = 5;

/** A bus's totals as the output's status shows them (hal-linux's SocketCanBus counts these). */
export interface CanOutputBusCounters {
  readonly framesSent: number;
  readonly sendErrors: number;
  readonly sendsWhileClosed: number;
  readonly busOffs: number;
  readonly interfaceLosses: number;
  readonly reopens: number;
}

/**
 * What the output needs of a CAN bus: a CanBus it can open, that reopens by itself with the given
 * backoff after the interface went missing or down (reporting it on `events$`), with totals.
 */
export interface CanOutputBus extends CanBus {
  open(): Promise<void>;
  readonly counters: CanOutputBusCounters;
}

/** What the output asks of `openBus`: the interface, the section's backoff, the context's clock. */
export interface CanBusSettings {
  readonly iface: string;
  readonly reconnect: ReconnectPolicy;
  readonly clock: Clock;
}

/** What the Victron CAN output runs on: its `can` section and the pack facts the frames carry. */
export interface CanOutputSettings {
  readonly can: CanConfig;
  /** From the pack, cell and contactor settings (the application's victronPackFacts); fixed while the output runs. */
  readonly packFacts: VictronPackFacts;
}

/** The devices and facts the application injects. */
export interface CanOutputOptions {
  /**
   * The CAN bus on `settings.iface`, not yet opened (the controller: hal-linux's SocketCanBus; tests:
   * FakeCanBus from @tsbms/output-victron/testing). Its own retry logging is best left silent: the
   * output logs the changes of state.
   */
  readonly openBus: (settings: CanBusSettings) => CanOutputBus;
  /** The firmware version 0x35F carries, `major.minor[.patch]` (the controller's package version). */
  readonly firmwareVersion: string;
}

type LinkState = 'starting' | 'open' | 'down';

/**
 * The Victron CAN output (issue 6): publishes the frames of victron-can-bms.md from the
 * controller's status once a valid scan exists (V-5), during faults too, and listens for the GX
 * (0x305 keep-alive, 0x307 identity; V-6). CAN is an output: a missing or lost interface or a
 * failing send makes the status degraded and logs one warning per change of state, while the bus
 * reopens with backoff and publishing resumes by itself. Sends never wait (V-3).
 */
export class CanOutput implements OutputService {
  readonly name = 'can';
  private readonly iface: string;
  private readonly bus: CanOutputBus;
  private readonly subscriptions: Subscription[] = [];
  private linkState: LinkState = 'starting';
  private lastProblem: string | null = null;
  private sendFailing = false;
  private publishing = false;
  private lastKeepAliveMs: number | null = null;
  private lastGxIdentityMs: number | null = null;
  /** For the log: the keep-alive arrived within GX_SEEN_WITHIN_S at the last check. */
  private gxSeen = false;
  private readonly anomalies = new Set<string>();
  private anomalyCount = 0;

  constructor(
    private readonly context: OutputContext<CanOutputSettings>,
    options: CanOutputOptions,
  ) {
    requireOutputContext(context, 'context');
    requireCanOutputOptions(options, 'options');
    const { can, packFacts: facts } = context.settings();
    if (can.interface === null) throw new Error('can.interface is not set');
    this.iface = can.interface;
    const identity = victronIdentityOf(can, facts, options.firmwareVersion);
    this.bus = options.openBus({
      iface: this.iface,
      clock: context.clock,
      reconnect: reconnectPolicy(can.reconnect),
    });
    requireCanOutputBus(this.bus, 'options.openBus(settings)');

    this.subscriptions.push(
      this.bus.events$.subscribe((event) => {
        if (event.type === 'open') this.setLinkState('open', null);
        else if (event.type === 'close') this.setLinkState('down', event.reason);
        else if (!this.bus.isOpen) this.setLinkState('down', errorMessage(event.error));
      }),
      this.bus.frames$.subscribe((frame) => {
        if (frame.id === VictronFrameId.GX_KEEP_ALIVE) this.noteGx('keepAlive');
        else if (frame.id === VictronFrameId.GX_IDENTITY) this.noteGx('identity');
      }),
    );

    const snapshots$ = context.status$.pipe(
      startWith(context.status()),
      scan<BmsStatus, VictronBmsSnapshot | null>(
        (previous, status) => toVictronSnapshot(status, facts, previous) ?? previous,
        null,
      ),
      filter((snapshot): snapshot is VictronBmsSnapshot => snapshot !== null),
      map((snapshot) => {
        if (!this.publishing) {
          this.publishing = true;
          context.logger.info(
            { event: 'can', iface: this.iface },
            `${this.iface}: first valid scan, publishing`,
          );
        }
        return snapshot;
      }),
    );
    this.subscriptions.push(
      victronFrameSchedule(snapshots$, identity, {
        scheduler: context.clock,
        onAnomaly: (anomaly) => this.noteAnomaly(anomaly),
      }).subscribe((frame) => {
        // Nothing to hand over while the interface is away; the schedule keeps its cadence.
        if (!this.bus.isOpen) return;
        this.bus.send(frame).then(
          () => this.setSendFailing(null),
          (error: unknown) => this.setSendFailing(errorMessage(error)),
        );
      }),
    );
    // The GX going quiet is a change of state too; its keep-alive comes every second.
    this.subscriptions.push(interval(1000, context.clock).subscribe(() => this.checkGxLost()));
    // A missing interface is not an error of the BMS: the bus retries and events$ reports it.
    this.bus.open().catch(() => undefined);
  }

  status(): OutputStatus {
    const now = this.context.clock.now();
    const keepAliveAgeS = this.lastKeepAliveMs === null ? null : (now - this.lastKeepAliveMs) / 1000;
    const gxSeen = keepAliveAgeS !== null && keepAliveAgeS <= GX_SEEN_WITHIN_S;
    const counters = this.bus.counters;
    const problem = this.linkState === 'down' ? this.lastProblem : this.sendFailing ? this.lastProblem : null;
    let message: string;
    if (problem !== null) message = `${this.iface}: ${problem}`;
    else if (this.linkState === 'starting') message = `${this.iface}: opening`;
    else if (keepAliveAgeS === null) message = `${this.iface}: no GX keep-alive yet`;
    else if (gxSeen) message = `${this.iface}: GX seen ${keepAliveAgeS.toFixed(1)} s ago`;
    else message = `${this.iface}: GX not seen for ${keepAliveAgeS.toFixed(1)} s`;
    return {
      state: problem === null ? 'ok' : 'degraded',
      message,
      details: {
        interface: this.iface,
        open: this.bus.isOpen,
        publishing: this.publishing,
        gxSeen,
        lastKeepAliveAgeS: keepAliveAgeS,
        lastGxIdentityAgeS: this.lastGxIdentityMs === null ? null : (now - this.lastGxIdentityMs) / 1000,
        framesSent: counters.framesSent,
        sendErrors: counters.sendErrors,
        busOffs: counters.busOffs,
        interfaceLosses: counters.interfaceLosses,
        reopens: counters.reopens,
        anomalies: this.anomalyCount,
        lastError: this.lastProblem,
      },
    };
  }

  async stop(): Promise<void> {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    await this.bus.close();
  }

  private setLinkState(state: LinkState, problem: string | null): void {
    if (state === this.linkState && problem === this.lastProblem) return;
    const logger = this.context.logger;
    if (state === 'open') {
      this.lastProblem = null;
      this.sendFailing = false;
      const again = this.linkState === 'down';
      logger.info({ event: 'can', iface: this.iface, state }, `${this.iface} open${again ? ' again' : ''}`);
    } else if (this.linkState !== 'down') {
      logger.warn(
        { event: 'can', iface: this.iface, state, error: problem },
        `${this.iface} unavailable (${problem ?? 'unknown'}): Victron output paused, retrying; the BMS runs on`,
      );
    }
    this.linkState = state;
    if (state === 'down') this.lastProblem = problem;
  }

  private setSendFailing(problem: string | null): void {
    const failing = problem !== null;
    if (failing === this.sendFailing) return;
    this.sendFailing = failing;
    if (failing) {
      this.lastProblem = problem;
      this.context.logger.warn(
        { event: 'can', iface: this.iface, error: problem },
        `${this.iface}: ${problem}`,
      );
    } else {
      this.context.logger.info({ event: 'can', iface: this.iface }, `${this.iface}: sending again`);
    }
  }

  private noteGx(kind: 'keepAlive' | 'identity'): void {
    const now = this.context.clock.now();
    if (kind === 'identity') {
      this.lastGxIdentityMs = now;
      return;
    }
    this.lastKeepAliveMs = now;
    if (!this.gxSeen) {
      this.gxSeen = true;
      this.context.logger.info({ event: 'can', iface: this.iface, gxSeen: true }, `${this.iface}: GX seen`);
    }
  }

  private checkGxLost(): void {
    if (!this.gxSeen || this.lastKeepAliveMs === null) return;
    const ageS = (this.context.clock.now() - this.lastKeepAliveMs) / 1000;
    if (ageS <= GX_SEEN_WITHIN_S) return;
    this.gxSeen = false;
    // V-6: shown and logged only; no contactor action (the GX is quiet during its own reboots).
    this.context.logger.warn(
      { event: 'can', iface: this.iface, gxSeen: false },
      `${this.iface}: no GX keep-alive for ${ageS.toFixed(1)} s`,
    );
  }

  private noteAnomaly(anomaly: ScheduleAnomaly): void {
    this.anomalyCount++;
    // A bad value recurs every second: one line per distinct correction.
    if (this.anomalies.has(anomaly.message)) return;
    this.anomalies.add(anomaly.message);
    this.context.logger.warn(
      { event: 'can', iface: this.iface, canId: anomaly.canId, anomaly: anomaly.message },
      `${this.iface}: frame 0x${anomaly.canId.toString(16)} corrected: ${anomaly.message}`,
    );
  }
}

/**
 * The Victron CAN output's factory, over the devices and facts `options` injects: null (off) when
 * `can.interface` is not set, else a running {@link CanOutput}.
 */
export function victronCanOutput(options: CanOutputOptions): OutputFactory<CanOutputSettings> {
  // Checked when the application is wired, long before the output starts.
  requireCanOutputOptions(options, 'options');
  return (context) =>
    Promise.resolve(context.settings().can.interface === null ? null : new CanOutput(context, options));
}
