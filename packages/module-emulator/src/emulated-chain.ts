import type { Subscription } from 'rxjs';
import { requireClock, requireObject, type ByteLink, type Clock } from '@tsbms/hal';
import { EmulatedModule, type ModuleEnvironment, type ModuleSnapshot } from './emulated-module';
import { EmulatorError, requireNumberInRange } from './errors';
import {
  faultKey,
  parseFaultSpec,
  requireIndex,
  requireModule,
  type FaultSpec,
  type LineDirection,
} from './fault-spec';
import { HostLink } from './host-link';
import { LineNoise, type LineNoiseCounters } from './line-noise';
import { ModulePhysics } from './module-physics';
import { OcvCurve } from './ocv-curve';
import {
  CELLS_PER_MODULE,
  DEFAULT_PHYSICS,
  THERMISTORS_PER_MODULE,
  type PhysicsConstants,
} from './physics-constants';
import { SeededRandom } from './prng';
import { RequestFramer, type FramerCounters, type ReceivedFrame } from './request-framer';
import { resolveWireTiming, type WireTiming, type WireTimingOptions } from './wire-timing';

/** Addresses 1..0x3E: the most modules one loop can address. */
export const MAX_MODULES = 62;

export interface EmulatedChainOptions {
  /** Simulation time: systemClock for real time, ManualClock or a TestScheduler in tests. */
  readonly clock: Clock;
  /** Modules in the loop, 1..62. */
  readonly modules: number;
  /** Seed of every random choice (cell spreads, line noise). Default 1. */
  readonly seed?: number;
  /** Initial cell voltages, V, repeated over all cells of all modules. Default: SoC `initialSocPercent`. */
  readonly cellVoltagesV?: readonly number[];
  /** Initial SoC when no voltages are given, percent. Default 50. */
  readonly initialSocPercent?: number;
  /** Initial TS1, TS2 temperatures, °C; the difference stays as a fixed sensor offset. Default: ambient. */
  readonly temperaturesC?: readonly number[];
  /** Ambient air temperature, °C. Default 25. */
  readonly ambientC?: number;
  readonly physics?: Partial<PhysicsConstants>;
  /** Gap after a read's 3rd byte in which a 4th byte counts as its CRC, ms (T-7). Default 2. */
  readonly readCrcGapMs?: number;
  /** Pace bytes at the baud rate plus a per-hop delay; omitted = no pacing. */
  readonly wireTiming?: WireTimingOptions;
  /** Largest chunk the host receives at once (an FTDI USB packet carries 62). Default 62. */
  readonly maxChunkBytes?: number;
  /** Longest physics integration step while current flows, cells bleed or a reading drifts, s. Default 10. */
  readonly maxPhysicsStepS?: number;
  /** Longest physics integration step at rest, s. Default 600. */
  readonly restPhysicsStepS?: number;
}

export interface LineCounters extends LineNoiseCounters {
  readonly garbageBytesInjected: number;
}

/** The whole emulator state, JSON-serialisable. */
export interface ChainSnapshot {
  readonly timeMs: number;
  readonly seed: number;
  readonly packCurrentA: number;
  readonly ambientC: number;
  readonly modules: readonly ModuleSnapshot[];
  readonly faults: readonly FaultSpec[];
  readonly line: {
    readonly toModules: LineCounters;
    readonly toHost: LineCounters;
    readonly framer: FramerCounters;
  };
}

/**
 * A loop of emulated Tesla modules on one byte stream, as wired on the real boards:
 * host TX → module 1 → … → module N → host RX. {@link link} is the host's end.
 *
 * A frame travels the modules in order. One addressed to a module (or to address 0, taken by
 * the first unaddressed module) is replaced by its reply; a broadcast write is executed by every
 * module and returns as one echo; anything else is forwarded unchanged, so a request to an
 * absent address comes back as sent. Everything the emulator does happens on the injected clock.
 */
export class EmulatedChain {
  readonly link: ByteLink;
  private readonly host: HostLink;
  private readonly clock: Clock;
  private readonly seed: number;
  private readonly modules: EmulatedModule[];
  private readonly curve = new OcvCurve();
  private readonly faultRandom: SeededRandom;
  private readonly noise: Record<LineDirection, LineNoise>;
  private readonly garbageInjected: Record<LineDirection, number> = { toModules: 0, toHost: 0 };
  private readonly garbageTimers: Partial<Record<LineDirection, Subscription>> = {};
  private readonly faults = new Map<string, FaultSpec>();
  private readonly framer: RequestFramer;
  private readonly wire: WireTiming;
  private readonly maxChunkBytes: number;
  private readonly maxStepMs: number;
  private readonly restStepMs: number;
  private readonly timers = new Set<Subscription>();
  private idleTimer: Subscription | undefined;
  private txFreeMs = 0;
  private rxFreeMs = 0;
  private packCurrentA = 0;
  private ambientC: number;

  constructor(options: EmulatedChainOptions) {
    // The option values are checked below (EmulatorError); these two would fail deep inside instead.
    requireObject(options, 'options', 'EmulatedChain options ({ clock, modules, ... })');
    requireClock(options.clock, 'options.clock');
    const count = requireNumberInRange(options.modules, 'modules', 1, MAX_MODULES);
    if (!Number.isInteger(count)) {
      throw new EmulatorError('INVALID_OPTION', 'modules must be a whole number', {
        field: 'modules',
        value: count,
      });
    }
    this.clock = options.clock;
    this.seed = Math.floor(requireNumberInRange(options.seed ?? 1, 'seed', 0, 0xffffffff));
    this.ambientC = requireNumberInRange(options.ambientC ?? 25, 'ambientC', -40, 80);
    this.wire = resolveWireTiming(options.wireTiming);
    this.framer = new RequestFramer(requireNumberInRange(options.readCrcGapMs ?? 2, 'readCrcGapMs', 0, 1000));
    this.maxChunkBytes = Math.floor(
      requireNumberInRange(options.maxChunkBytes ?? 62, 'maxChunkBytes', 1, 65536),
    );
    this.maxStepMs =
      1000 * requireNumberInRange(options.maxPhysicsStepS ?? 10, 'maxPhysicsStepS', 0.001, 3600);
    this.restStepMs =
      1000 * requireNumberInRange(options.restPhysicsStepS ?? 600, 'restPhysicsStepS', 0.001, 86_400);
    const constants = { ...DEFAULT_PHYSICS, ...options.physics };
    for (const [key, value] of Object.entries(constants)) {
      // Spreads, resistance and self-discharge may be 0; divisors and time constants may not.
      const mayBeZero = /Spread|selfDischarge|groupResistance/.test(key);
      requireNumberInRange(value, `physics.${key}`, mayBeZero ? 0 : Number.MIN_VALUE, Number.MAX_VALUE);
    }
    const temperatures = options.temperaturesC ?? [this.ambientC, this.ambientC];
    if (temperatures.length !== THERMISTORS_PER_MODULE) {
      throw new EmulatorError('INVALID_OPTION', 'temperaturesC needs one value per thermistor (2)', {
        field: 'temperaturesC',
        value: temperatures,
      });
    }
    temperatures.forEach((t, i) => requireNumberInRange(t, `temperaturesC[${i}]`, -40, 120));
    const moduleC = temperatures.reduce((a, b) => a + b, 0) / temperatures.length;
    const offsets = temperatures.map((t) => t - moduleC);
    const voltages = options.cellVoltagesV;
    if (voltages !== undefined) {
      if (voltages.length === 0)
        throw new EmulatorError('INVALID_OPTION', 'cellVoltagesV is empty', { field: 'cellVoltagesV' });
      voltages.forEach((v, i) =>
        requireNumberInRange(v, `cellVoltagesV[${i}]`, this.curve.minVoltageV, this.curve.maxVoltageV),
      );
    }
    const initialSoc = requireNumberInRange(
      options.initialSocPercent ?? 50,
      'initialSocPercent',
      this.curve.minSocPercent,
      this.curve.maxSocPercent,
    );

    const physicsRandom = new SeededRandom(this.seed);
    this.faultRandom = new SeededRandom(this.seed ^ 0x9e3779b9);
    this.noise = { toModules: new LineNoise(this.faultRandom), toHost: new LineNoise(this.faultRandom) };
    const startMs = this.clock.now();
    this.modules = Array.from({ length: count }, (_, m) => {
      const physics = new ModulePhysics(constants, this.curve, physicsRandom, initialSoc, moduleC);
      if (voltages) {
        for (let c = 0; c < CELLS_PER_MODULE; c++) {
          physics.setCellVoltage(c, voltages[(m * CELLS_PER_MODULE + c) % voltages.length], 0, false);
        }
      }
      return new EmulatedModule(m + 1, physics, offsets, startMs, this.faultRandom);
    });
    this.host = new HostLink(
      (bytes) => this.sendToModules(this.noise.toModules.apply(bytes)),
      () => this.stopAllTimers(),
    );
    this.link = this.host;
  }

  get moduleCount(): number {
    return this.modules.length;
  }

  // --- state setters: validated first, so a rejected call changes nothing ---

  /** Sets a cell's terminal voltage now (by solving its SoC from the OCV curve). */
  setCellVoltage(module: number, cell: number, voltageV: unknown): void {
    const m = this.moduleAt(module);
    const c = requireIndex(cell, 'cell', CELLS_PER_MODULE, 'CELL_OUT_OF_RANGE', module);
    const v = requireNumberInRange(voltageV, 'voltageV', this.curve.minVoltageV, this.curve.maxVoltageV, {
      module,
      cell,
    });
    this.sync();
    m.setCellVoltage(c, v, this.packCurrentA);
    this.sync();
  }

  setCellSoc(module: number, cell: number, socPercent: unknown): void {
    const m = this.moduleAt(module);
    const c = requireIndex(cell, 'cell', CELLS_PER_MODULE, 'CELL_OUT_OF_RANGE', module);
    const soc = requireNumberInRange(
      socPercent,
      'socPercent',
      this.curve.minSocPercent,
      this.curve.maxSocPercent,
      { module, cell },
    );
    this.sync();
    m.setCellSoc(c, soc);
    this.sync();
  }

  /** Pins a thermistor at `temperatureC`; null hands it back to the thermal model. */
  setThermistorTemperature(module: number, thermistor: number, temperatureC: unknown): void {
    const m = this.moduleAt(module);
    const t = requireIndex(
      thermistor,
      'thermistor',
      THERMISTORS_PER_MODULE,
      'THERMISTOR_OUT_OF_RANGE',
      module,
    );
    const c =
      temperatureC === null
        ? undefined
        : requireNumberInRange(temperatureC, 'temperatureC', -40, 120, { module, thermistor });
    this.sync();
    m.setThermistorOverride(t, c);
    this.sync();
  }

  /** Sets the thermal model's module temperature (both thermistors follow unless pinned). */
  setModuleTemperature(module: number, temperatureC: unknown): void {
    const m = this.moduleAt(module);
    const c = requireNumberInRange(temperatureC, 'temperatureC', -40, 120, { module });
    this.sync();
    m.setModuleTemperature(c);
    this.sync();
  }

  /** Current through the string, A: charge positive, discharge negative. */
  setPackCurrent(currentA: unknown): void {
    const a = requireNumberInRange(currentA, 'currentA', -2000, 2000);
    this.sync();
    this.packCurrentA = a;
    this.sync();
  }

  setAmbientTemperature(temperatureC: unknown): void {
    const c = requireNumberInRange(temperatureC, 'temperatureC', -40, 80);
    this.sync();
    this.ambientC = c;
    this.sync();
  }

  // --- faults ---

  /** Starts (or replaces) a fault; returns its key for {@link stopFault}. */
  startFault(input: unknown): string {
    const spec = parseFaultSpec(input, this.modules.length);
    const key = faultKey(spec);
    this.sync();
    if (this.faults.has(key)) this.stopFault(key);
    this.applyFault(spec, true);
    this.faults.set(key, spec);
    this.sync();
    return key;
  }

  stopFault(key: string): void {
    this.pruneSelfEndingFaults();
    const spec = this.faults.get(key);
    if (spec === undefined) {
      throw new EmulatorError('UNKNOWN_FAULT', `no active fault ${JSON.stringify(key)}`, { value: key });
    }
    this.sync();
    this.applyFault(spec, false);
    this.faults.delete(key);
    this.sync();
  }

  activeFaults(): FaultSpec[] {
    this.pruneSelfEndingFaults();
    return [...this.faults.values()];
  }

  snapshot(): ChainSnapshot {
    this.sync();
    const line = (d: LineDirection): LineCounters => ({
      ...this.noise[d].counters,
      garbageBytesInjected: this.garbageInjected[d],
    });
    return {
      timeMs: this.clock.now(),
      seed: this.seed,
      packCurrentA: this.packCurrentA,
      ambientC: this.ambientC,
      modules: this.modules.map((m) => m.snapshot(this.packCurrentA)),
      faults: this.activeFaults(),
      line: { toModules: line('toModules'), toHost: line('toHost'), framer: this.framer.counters },
    };
  }

  /** Stops every timer and closes the host link. */
  close(): Promise<void> {
    return this.link.close();
  }

  // --- the loop ---

  /**
   * Frames the bytes at once with the times they reach module 1 (paced after whatever is still
   * on the line). A frame is executed when framing completes, at most a few byte times before
   * its last byte would arrive; its reply is sent from that arrival time on, so the host sees
   * wire timing exactly while the emulator needs one timer per reply, not one per hop or byte.
   */
  private sendToModules(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const start = Math.max(this.clock.now(), this.txFreeMs);
    bytes.forEach((b, i) => {
      const arrivalMs = start + (i + 1) * this.wire.byteMs;
      this.framer.push(b, arrivalMs).forEach((f) => this.route(f));
    });
    this.txFreeMs = start + bytes.length * this.wire.byteMs;
    this.armIdleTimer();
  }

  private armIdleTimer(): void {
    this.idleTimer?.unsubscribe();
    this.idleTimer = undefined;
    const deadline = this.framer.deadlineMs;
    if (deadline === undefined) return;
    this.idleTimer = this.at(deadline, () => {
      this.idleTimer = undefined;
      // The clock may land a rounding error short of the deadline (now + (deadline − now) ≠
      // deadline in floating point); flushing at the deadline itself guarantees progress.
      this.framer.flushIdle(Math.max(this.clock.now(), deadline)).forEach((f) => this.route(f));
      this.armIdleTimer();
    });
  }

  /** Carries one request round the loop and sends what comes out of module N to the host. */
  private route(frame: ReceivedFrame): void {
    const now = this.clock.now();
    const env = this.environment();
    let bytes = frame.bytes;
    let isReply = false;
    let readyMs = Math.max(now, frame.endMs);
    for (const module of this.modules) {
      readyMs += this.wire.hopMs;
      if (isReply) {
        if (!module.forwardsReplies()) return;
        continue;
      }
      const action = module.receive(bytes, now, env);
      if (action.action === 'swallow') return;
      if (action.action === 'reply') {
        bytes = action.bytes;
        isReply = true;
        readyMs += action.extraLatencyMs;
      }
    }
    this.sendToHost(this.noise.toHost.apply(bytes), readyMs);
  }

  private sendToHost(bytes: Uint8Array, readyMs: number): void {
    if (bytes.length === 0) return;
    let start = Math.max(readyMs, this.rxFreeMs);
    for (let offset = 0; offset < bytes.length; offset += this.maxChunkBytes) {
      const chunk = bytes.slice(offset, offset + this.maxChunkBytes);
      const endMs = start + chunk.length * this.wire.byteMs;
      this.at(endMs, () => this.host.deliver(chunk));
      start = endMs;
    }
    this.rxFreeMs = start;
  }

  /** Runs `work` at `timeMs` on the clock (never synchronously), tracked for close(). */
  private at(timeMs: number, work: () => void): Subscription {
    const sub = this.clock.schedule(
      () => {
        this.timers.delete(sub);
        work();
      },
      Math.max(0, timeMs - this.clock.now()),
    );
    this.timers.add(sub);
    return sub;
  }

  private stopAllTimers(): void {
    for (const sub of this.timers) sub.unsubscribe();
    this.timers.clear();
    for (const sub of Object.values(this.garbageTimers)) sub?.unsubscribe();
  }

  /** Brings every module to now; called before a change, and after it so comparators see it at once. */
  private sync(): void {
    const env = this.environment();
    const now = this.clock.now();
    for (const m of this.modules) m.syncTo(now, env);
  }

  private environment(): ModuleEnvironment {
    return {
      packCurrentA: this.packCurrentA,
      ambientC: this.ambientC,
      maxStepMs: this.maxStepMs,
      restStepMs: this.restStepMs,
    };
  }

  private moduleAt(module: number): EmulatedModule {
    return this.modules[requireModule(module, this.modules.length) - 1];
  }

  private applyFault(spec: FaultSpec, on: boolean): void {
    switch (spec.kind) {
      case 'dropBytes':
        if (on) this.noise[spec.direction].setDrop(spec.probability, spec.limit);
        else this.noise[spec.direction].clearDrop();
        return;
      case 'flipBits':
        if (on) this.noise[spec.direction].setFlip(spec.probability, spec.limit);
        else this.noise[spec.direction].clearFlip();
        return;
      case 'garbageBurst':
        this.garbageTimers[spec.direction]?.unsubscribe();
        delete this.garbageTimers[spec.direction];
        if (on) this.scheduleGarbage(spec.direction, spec.lengthBytes, spec.intervalMs);
        return;
    }
    const m = this.modules[spec.module - 1];
    switch (spec.kind) {
      case 'silent':
        m.setSilent(on);
        return;
      case 'powerCycle':
        m.setPowered(!on);
        return;
      case 'stuckCell':
        if (on) m.setStuck(spec.cell, spec.voltageV, this.packCurrentA);
        else m.clearStuck(spec.cell);
        return;
      case 'cellDrift':
        m.setDrift(spec.cell, on ? spec.voltsPerHour : undefined);
        return;
      case 'openThermistor':
        m.setThermistorFault(spec.thermistor, on ? 'open' : undefined);
        return;
      case 'shortedThermistor':
        m.setThermistorFault(spec.thermistor, on ? 'shorted' : undefined);
        return;
      case 'brokenSenseWire':
        m.setGpaiOverride(on ? (spec.gpaiV ?? 0) : undefined);
        return;
      case 'replyLatency':
        m.setExtraLatency(on ? spec.extraMs : 0);
        return;
      case 'noProtectedRegisters':
        m.setProtectedRegistersMissing(on);
        return;
      case 'corruptReplies':
        if (on) m.setReplyCorruption(spec.probability, spec.limit);
        else m.clearReplyCorruption();
        return;
    }
  }

  private scheduleGarbage(direction: LineDirection, lengthBytes: number, intervalMs: number): void {
    this.garbageTimers[direction] = this.clock.schedule(() => {
      const garbage = Uint8Array.from({ length: lengthBytes }, () => this.faultRandom.nextInt(256));
      this.garbageInjected[direction] += garbage.length;
      if (direction === 'toModules') this.sendToModules(garbage);
      else this.sendToHost(garbage, this.clock.now());
      this.scheduleGarbage(direction, lengthBytes, intervalMs);
    }, intervalMs);
  }

  /** Drop/flip/corrupt faults with a limit end themselves; forget them once they have. */
  private pruneSelfEndingFaults(): void {
    for (const [key, spec] of this.faults) {
      if (spec.kind === 'dropBytes' && !this.noise[spec.direction].dropActive) this.faults.delete(key);
      if (spec.kind === 'flipBits' && !this.noise[spec.direction].flipActive) this.faults.delete(key);
      if (spec.kind === 'corruptReplies' && !this.modules[spec.module - 1].corruptingReplies)
        this.faults.delete(key);
    }
  }
}
