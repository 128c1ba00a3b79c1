import { filter, interval, map, scan, startWith, type Subscription } from 'rxjs';
import { errorMessage, type CanBus, type Clock, type ReconnectPolicy } from '@tsbms/hal';
import { VictronFrameId, type ScheduleAnomaly, type VictronBmsSnapshot } from '@tsbms/inverter-can';
import {
  reconnectPolicy,
  type BmsStatus,
  type OutputContext,
  type OutputFactory,
  type OutputService,
  type OutputStatus,
} from '@tsbms/bms-core';
import type { InverterConfig } from './inverter-config';
import { requireCanOutputBus, requireCanOutputOptions, requireOutputContext } from './can-output-guards';
import { PEER_NAME, PROFILE_TITLE, profileFrameSchedule } from './profile-schedule';
import { batteryIdentityOf, toVictronSnapshot, type VictronPackFacts } from './victron-snapshot';

/** The inverter sends 0x305 every second; older than this counts as "not seen" (one lost frame and more). */
export const PEER_SEEN_WITHIN_S = 5;

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

/** What the inverter CAN output runs on: its `inverter` section and the pack facts the frames carry. */
export interface CanOutputSettings {
  readonly inverter: InverterConfig;
  /** From the pack, cell and contactor settings (the application's victronPackFacts); fixed while the output runs. */
  readonly packFacts: VictronPackFacts;
}

/** The devices and facts the application injects. */
export interface CanOutputOptions {
  /**
   * The CAN bus on `settings.iface`, not yet opened (the controller: hal-linux's SocketCanBus; tests:
   * FakeCanBus from @tsbms/output-inverter-can/testing). Its own retry logging is best left silent: the
   * output logs the changes of state.
   */
  readonly openBus: (settings: CanBusSettings) => CanOutputBus;
  /** The firmware version 0x35F carries, `major.minor[.patch]` (the controller's package version). */
  readonly firmwareVersion: string;
  /**
   * The interface's bit rate in bit/s as the kernel has it, null when it has none (vcan) or it
   * cannot be read; checked against `inverter.bitRateKbps` each time the bus opens (the
   * controller: hal-linux's readCanBitRate). Absent: not checked.
   */
  readonly readBitRate?: (iface: string) => Promise<number | null>;
}

type LinkState = 'starting' | 'open' | 'down';

/**
 * The inverter CAN output (issues 6 and 14): publishes the frames of the configured profile
 * (victron-can-bms.md, pylontech-can.md, sma-sunny-island-can.md) from the controller's status once
 * a valid scan exists (V-5, P-8, S-9), during faults too, and listens for the inverter (0x305
 * keep-alive, 0x307 identity; V-6, P-9) without ever waiting for it. CAN is an output: a missing or
 * lost interface, a failing send or a bit rate other than the configured one makes the status
 * degraded and logs one warning per change of state, while the bus reopens with backoff and
 * publishing resumes by itself. Sends never wait (V-3).
 */
export class CanOutput implements OutputService {
  readonly name = 'can';
  private readonly iface: string;
  private readonly section: InverterConfig;
  /** What the status and the log call the inverter: GX, inverter, Sunny Island. */
  private readonly peer: string;
  private readonly bus: CanOutputBus;
  private readonly subscriptions: Subscription[] = [];
  private linkState: LinkState = 'starting';
  private lastProblem: string | null = null;
  private sendFailing = false;
  private publishing = false;
  private lastKeepAliveMs: number | null = null;
  private lastPeerIdentityMs: number | null = null;
  /** For the log: the keep-alive arrived within PEER_SEEN_WITHIN_S at the last check. */
  private peerSeen = false;
  /** The interface's bit rate as last read at open (null: none, as on vcan, or not read). */
  private interfaceBitRateBps: number | null = null;
  private bitRateProblem: string | null = null;
  private readonly anomalies = new Set<string>();
  private anomalyCount = 0;

  constructor(
    private readonly context: OutputContext<CanOutputSettings>,
    options: CanOutputOptions,
  ) {
    requireOutputContext(context, 'context');
    requireCanOutputOptions(options, 'options');
    const { inverter: section, packFacts: facts } = context.settings();
    if (section.interface === null) throw new Error('inverter.interface is not set');
    this.iface = section.interface;
    this.section = section;
    this.peer = PEER_NAME[section.profile];
    const identity = batteryIdentityOf(section, facts, options.firmwareVersion);
    this.bus = options.openBus({
      iface: this.iface,
      clock: context.clock,
      reconnect: reconnectPolicy(section.reconnect),
    });
    requireCanOutputBus(this.bus, 'options.openBus(settings)');

    this.subscriptions.push(
      this.bus.events$.subscribe((event) => {
        if (event.type === 'open') {
          this.setLinkState('open', null);
          this.checkBitRate(options.readBitRate);
        } else if (event.type === 'close') this.setLinkState('down', event.reason);
        else if (!this.bus.isOpen) this.setLinkState('down', errorMessage(event.error));
      }),
      this.bus.frames$.subscribe((frame) => {
        if (frame.id === VictronFrameId.GX_KEEP_ALIVE) this.notePeer('keepAlive');
        else if (frame.id === VictronFrameId.GX_IDENTITY) this.notePeer('identity');
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
            { event: 'can', iface: this.iface, profile: section.profile },
            `${this.iface}: first valid scan, publishing (${PROFILE_TITLE[section.profile]} profile)`,
          );
        }
        return snapshot;
      }),
    );
    this.subscriptions.push(
      profileFrameSchedule(section.profile, snapshots$, identity, {
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
    // The inverter going quiet is a change of state too; its keep-alive comes every second.
    this.subscriptions.push(interval(1000, context.clock).subscribe(() => this.checkPeerLost()));
    // A missing interface is not an error of the BMS: the bus retries and events$ reports it.
    this.bus.open().catch(() => undefined);
  }

  status(): OutputStatus {
    const now = this.context.clock.now();
    const keepAliveAgeS = this.lastKeepAliveMs === null ? null : (now - this.lastKeepAliveMs) / 1000;
    const peerSeen = keepAliveAgeS !== null && keepAliveAgeS <= PEER_SEEN_WITHIN_S;
    const counters = this.bus.counters;
    const linkProblem =
      this.linkState === 'down' ? this.lastProblem : this.sendFailing ? this.lastProblem : null;
    const problem = linkProblem ?? (this.bus.isOpen ? this.bitRateProblem : null);
    const peer = this.peer;
    let message: string;
    if (problem !== null) message = `${this.iface}: ${problem}`;
    else if (this.linkState === 'starting') message = `${this.iface}: opening`;
    else if (keepAliveAgeS === null) message = `${this.iface}: no ${peer} keep-alive yet`;
    else if (peerSeen) message = `${this.iface}: ${peer} seen ${keepAliveAgeS.toFixed(1)} s ago`;
    else message = `${this.iface}: ${peer} not seen for ${keepAliveAgeS.toFixed(1)} s`;
    return {
      state: problem === null ? 'ok' : 'degraded',
      message,
      details: {
        profile: this.section.profile,
        interface: this.iface,
        bitRateKbps: this.section.bitRateKbps,
        interfaceBitRateKbps: this.interfaceBitRateBps === null ? null : this.interfaceBitRateBps / 1000,
        open: this.bus.isOpen,
        publishing: this.publishing,
        inverterSeen: peerSeen,
        lastKeepAliveAgeS: keepAliveAgeS,
        lastIdentityAgeS: this.lastPeerIdentityMs === null ? null : (now - this.lastPeerIdentityMs) / 1000,
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
        `${this.iface} unavailable (${problem ?? 'unknown'}): ${PROFILE_TITLE[this.section.profile]} output paused, retrying; the BMS runs on`,
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

  private notePeer(kind: 'keepAlive' | 'identity'): void {
    const now = this.context.clock.now();
    if (kind === 'identity') {
      this.lastPeerIdentityMs = now;
      return;
    }
    this.lastKeepAliveMs = now;
    if (!this.peerSeen) {
      this.peerSeen = true;
      this.context.logger.info(
        { event: 'can', iface: this.iface, inverterSeen: true },
        `${this.iface}: ${this.peer} seen`,
      );
    }
  }

  private checkPeerLost(): void {
    if (!this.peerSeen || this.lastKeepAliveMs === null) return;
    const ageS = (this.context.clock.now() - this.lastKeepAliveMs) / 1000;
    if (ageS <= PEER_SEEN_WITHIN_S) return;
    this.peerSeen = false;
    // V-6, P-9: shown and logged only; no contactor action (an inverter is quiet while it reboots).
    this.context.logger.warn(
      { event: 'can', iface: this.iface, inverterSeen: false },
      `${this.iface}: no ${this.peer} keep-alive for ${ageS.toFixed(1)} s`,
    );
  }

  /**
   * The kernel's bit rate against the configured one: a port at the wrong rate hears nothing and
   * sends into error frames, so the mismatch is named with its fix. vcan has none: not checked.
   */
  private checkBitRate(readBitRate: CanOutputOptions['readBitRate']): void {
    if (readBitRate === undefined) return;
    const wantedBps = this.section.bitRateKbps * 1000;
    readBitRate(this.iface).then(
      (bitRateBps) => {
        this.interfaceBitRateBps = bitRateBps;
        const problem =
          bitRateBps === null || bitRateBps === wantedBps
            ? null
            : `runs at ${bitRateBps / 1000} kbit/s, inverter.bitRateKbps is ${this.section.bitRateKbps}: ` +
              `set it with "ip link set ${this.iface} type can bitrate ${wantedBps}" or the interface's .network file`;
        if (problem === this.bitRateProblem) return;
        this.bitRateProblem = problem;
        if (problem !== null)
          this.context.logger.warn({ event: 'can', iface: this.iface }, `${this.iface} ${problem}`);
      },
      (error: unknown) =>
        this.context.logger.warn(
          { event: 'can', iface: this.iface, error: errorMessage(error) },
          `${this.iface}: bit rate not checked (${errorMessage(error)})`,
        ),
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
 * The inverter CAN output's factory, over the devices and facts `options` injects: null (off) when
 * `inverter.interface` is not set, else a running {@link CanOutput} speaking `inverter.profile`.
 */
export function inverterCanOutput(options: CanOutputOptions): OutputFactory<CanOutputSettings> {
  // Checked when the application is wired, long before the output starts.
  requireCanOutputOptions(options, 'options');
  return (context) =>
    Promise.resolve(context.settings().inverter.interface === null ? null : new CanOutput(context, options));
}
