import { RAW_FULL_SCALE, Register } from '@tsbms/tesla-protocol';
import { Bq76pl536a, type ChipCounters, type ChipInputs, type ThermistorInput } from './bq76pl536a';
import { LineNoise } from './line-noise';
import type { ModulePhysics } from './module-physics';
import { CELLS_PER_MODULE, THERMISTORS_PER_MODULE } from './physics-constants';
import type { SeededRandom } from './prng';

/** The conditions the whole chain shares while a module's time advances. */
export interface ModuleEnvironment {
  readonly packCurrentA: number;
  readonly ambientC: number;
  /** Longest physics step between events while anything moves, ms. */
  readonly maxStepMs: number;
  /** Longest step at rest, ms. */
  readonly restStepMs: number;
}

/** What a module does with a frame that reaches it. */
export type ModuleAction =
  | { readonly action: 'forward' }
  | { readonly action: 'reply'; readonly bytes: Uint8Array; readonly extraLatencyMs: number }
  /** Broadcast executed; the same frame travels on. */
  | { readonly action: 'executeAndForward' }
  /** Nothing leaves this module (bad CRC, silent, unpowered). */
  | { readonly action: 'swallow' };

interface Drift {
  readonly voltsPerHour: number;
  readonly sinceMs: number;
}

export type ThermistorFault = 'open' | 'shorted';

/** The highest register a board with the `noProtectedRegisters` fault implements. */
const LAST_BASIC_REGISTER = Register.RESET;

/** A read touches `count` registers from its first; a write only its own. */
function touchesRegisterAbove(frame: Uint8Array, last: number): boolean {
  const [byte0, register, valueOrCount] = frame;
  const isWrite = (byte0 & 1) === 1;
  return register > last || (!isWrite && register + valueOrCount - 1 > last);
}

/** Per-cell view in a snapshot. */
export interface CellSnapshot {
  /** Terminal voltage of the cell group now. */
  readonly voltageV: number;
  /** What the chip's ADC and comparators see (after stuck/drift faults). */
  readonly sensedVoltageV: number;
  readonly socPercent: number;
  readonly capacityAh: number;
  readonly selfDischargePercentPerMonth: number;
  readonly balancing: boolean;
}

export interface ThermistorSnapshot {
  /** Temperature at the sensor (override if set, else module temperature + offset). */
  readonly temperatureC: number;
  readonly overrideC: number | null;
  readonly fault: ThermistorFault | null;
}

export interface ModuleSnapshot {
  readonly position: number;
  readonly address: number;
  readonly powered: boolean;
  readonly silent: boolean;
  readonly asleep: boolean;
  readonly extraReplyLatencyMs: number;
  /** Requests consumed unanswered because they touch registers the board lacks (`noProtectedRegisters`). */
  readonly unimplementedRequests: number;
  /** Bits flipped in this module's own replies (`corruptReplies`). */
  readonly replyBitsFlipped: number;
  readonly temperatureC: number;
  readonly moduleVoltageV: number;
  readonly gpaiOverrideV: number | null;
  readonly cells: readonly CellSnapshot[];
  readonly thermistors: readonly ThermistorSnapshot[];
  /** 0x00..0x4F as a read would return them. */
  readonly registers: readonly number[];
  readonly counters: ChipCounters;
}

/**
 * One Tesla module: a bq76PL536A on its board, the six cell groups and the heat they make, and
 * the sensor faults that can sit between them. Owns the module's notion of "now": nothing
 * happens to it between {@link syncTo} calls, and every call moves physics and chip together.
 */
export class EmulatedModule {
  private readonly chip: Bq76pl536a;
  private syncedMs: number;
  private powered = true;
  private silent = false;
  private extraLatencyMs = 0;
  private protectedRegistersMissing = false;
  private unimplementedRequests = 0;
  private readonly replyNoise: LineNoise;
  private gpaiOverrideV: number | undefined;
  private readonly stuckV: (number | undefined)[] = new Array(CELLS_PER_MODULE).fill(undefined);
  private readonly drift: (Drift | undefined)[] = new Array(CELLS_PER_MODULE).fill(undefined);
  private readonly thermistorFault: (ThermistorFault | undefined)[] = new Array(THERMISTORS_PER_MODULE).fill(
    undefined,
  );
  private readonly thermistorOverrideC: (number | undefined)[] = new Array(THERMISTORS_PER_MODULE).fill(
    undefined,
  );

  constructor(
    readonly position: number,
    private readonly physics: ModulePhysics,
    private readonly thermistorOffsetC: readonly number[],
    startMs: number,
    faultRandom: SeededRandom,
    otpValues?: ArrayLike<number>,
  ) {
    this.chip = new Bq76pl536a(otpValues);
    this.syncedMs = startMs;
    this.replyNoise = new LineNoise(faultRandom);
  }

  get address(): number {
    return this.chip.moduleAddress;
  }

  get counters(): ChipCounters {
    return this.chip.counters;
  }

  /** Moves physics and chip to `nowMs`, stopping at every chip event on the way. */
  syncTo(nowMs: number, env: ModuleEnvironment): void {
    if (this.syncedMs >= nowMs) {
      if (this.powered) this.chip.onTime(nowMs, this.inputs(env.packCurrentA));
      return;
    }
    while (this.syncedMs < nowMs) {
      const event = this.powered ? this.chip.nextEventMs(this.syncedMs) : undefined;
      let next = Math.min(nowMs, this.syncedMs + this.stepLimitMs(env));
      if (event !== undefined && event > this.syncedMs && event < next) next = event;
      this.physics.advance((next - this.syncedMs) / 1000, env.packCurrentA, this.balanceMask(), env.ambientC);
      this.syncedMs = next;
      if (this.powered) this.chip.onTime(next, this.inputs(env.packCurrentA));
    }
  }

  /**
   * With constant current the SoC and heat equations are solved exactly whatever the step, so
   * the step only bounds how late a comparator sees a slowly moving voltage. At rest (no
   * current, no bleeding, no drift) nothing moves faster than self-discharge.
   */
  private stepLimitMs(env: ModuleEnvironment): number {
    const moving =
      env.packCurrentA !== 0 || this.balanceMask() !== 0 || this.drift.some((d) => d !== undefined);
    return moving ? env.maxStepMs : env.restStepMs;
  }

  /**
   * Decides what leaves this module when `frame` arrives at `nowMs`. The module brings itself
   * to `nowMs` only when it executes the frame: passing one on does not depend on time, which
   * keeps a long loop's cost per frame proportional to the modules that act on it.
   */
  receive(frame: Uint8Array, nowMs: number, env: ModuleEnvironment): ModuleAction {
    if (!this.powered || this.silent) return { action: 'swallow' };
    const isWrite = (frame[0] & 1) === 1;
    switch (this.chip.addressing(frame[0])) {
      case 'mine': {
        if (this.lacksRegisterOf(frame)) {
          this.unimplementedRequests++;
          return { action: 'swallow' };
        }
        this.syncTo(nowMs, env);
        const result = this.chip.execute(frame, nowMs);
        return result.outcome === 'executed'
          ? {
              action: 'reply',
              bytes: this.replyNoise.apply(result.reply),
              extraLatencyMs: this.extraLatencyMs,
            }
          : { action: 'swallow' };
      }
      case 'broadcast': {
        // A broadcast read has no single answer on a loop: it passes by unexecuted, as does a
        // write this board has no register for (the other modules still execute it).
        if (!isWrite || this.lacksRegisterOf(frame)) return this.passBy();
        this.syncTo(nowMs, env);
        const result = this.chip.execute(frame, nowMs);
        return result.outcome === 'executed' ? { action: 'executeAndForward' } : { action: 'swallow' };
      }
      default:
        return this.passBy();
    }
  }

  /** A reply from an upstream module passing through. */
  forwardsReplies(): boolean {
    return this.powered && !this.silent;
  }

  private lacksRegisterOf(frame: Uint8Array): boolean {
    return this.protectedRegistersMissing && touchesRegisterAbove(frame, LAST_BASIC_REGISTER);
  }

  private passBy(): ModuleAction {
    this.chip.observeForeignFrame();
    return { action: 'forward' };
  }

  /** Chip inputs at the synced instant, with sensor faults applied. */
  inputs(packCurrentA: number): ChipInputs {
    const mask = this.balanceMask();
    const cellsV: number[] = [];
    let moduleV = 0;
    for (let i = 0; i < CELLS_PER_MODULE; i++) {
      const v = this.physics.cellVoltageV(i, packCurrentA, ((mask >> i) & 1) === 1);
      moduleV += v;
      cellsV.push(this.sensed(i, v));
    }
    const thermistors: ThermistorInput[] = [];
    for (let i = 0; i < THERMISTORS_PER_MODULE; i++) {
      const fault = this.thermistorFault[i];
      if (fault === 'open') thermistors.push({ raw: 0 });
      else if (fault === 'shorted') thermistors.push({ raw: RAW_FULL_SCALE });
      else thermistors.push({ celsius: this.thermistorTemperatureC(i) });
    }
    return { cellsV, moduleV: this.gpaiOverrideV ?? moduleV, thermistors };
  }

  // --- setters (positions are validated by the chain) ---

  setCellVoltage(cell: number, voltageV: number, packCurrentA: number): void {
    this.physics.setCellVoltage(
      cell - 1,
      voltageV,
      packCurrentA,
      ((this.balanceMask() >> (cell - 1)) & 1) === 1,
    );
  }

  setCellSoc(cell: number, socPercent: number): void {
    this.physics.setCellSoc(cell - 1, socPercent);
  }

  setThermistorOverride(thermistor: number, temperatureC: number | undefined): void {
    this.thermistorOverrideC[thermistor - 1] = temperatureC;
  }

  setModuleTemperature(temperatureC: number): void {
    this.physics.setTemperatureC(temperatureC);
  }

  // --- faults ---

  setSilent(silent: boolean): void {
    this.silent = silent;
  }

  /** Power off (loop broken) or on (the chip starts from power-on reset). */
  setPowered(powered: boolean): void {
    if (powered && !this.powered) this.chip.powerUp();
    this.powered = powered;
  }

  setExtraLatency(extraMs: number): void {
    this.extraLatencyMs = extraMs;
  }

  /** Registers above RESET (0x3C) missing (`noProtectedRegisters`) or back. */
  setProtectedRegistersMissing(missing: boolean): void {
    this.protectedRegistersMissing = missing;
  }

  /** Flips a bit of each byte of this module's replies with `probability`, for `limit` bytes. */
  setReplyCorruption(probability: number, limit?: number): void {
    this.replyNoise.setFlip(probability, limit);
  }

  clearReplyCorruption(): void {
    this.replyNoise.clearFlip();
  }

  /** Reply corruption is on (a limited one ends itself). */
  get corruptingReplies(): boolean {
    return this.replyNoise.flipActive;
  }

  /** Sticks a cell's reading; `voltageV` undefined means "at what it reads now". */
  setStuck(cell: number, voltageV: number | undefined, packCurrentA: number): void {
    this.stuckV[cell - 1] = voltageV ?? this.inputs(packCurrentA).cellsV[cell - 1];
  }

  clearStuck(cell: number): void {
    this.stuckV[cell - 1] = undefined;
  }

  setDrift(cell: number, voltsPerHour: number | undefined): void {
    this.drift[cell - 1] = voltsPerHour === undefined ? undefined : { voltsPerHour, sinceMs: this.syncedMs };
  }

  setThermistorFault(thermistor: number, fault: ThermistorFault | undefined): void {
    this.thermistorFault[thermistor - 1] = fault;
  }

  setGpaiOverride(gpaiV: number | undefined): void {
    this.gpaiOverrideV = gpaiV;
  }

  snapshot(packCurrentA: number): ModuleSnapshot {
    const mask = this.balanceMask();
    const physics = this.physics.snapshot();
    const sensed = this.inputs(packCurrentA).cellsV;
    const cells = physics.cells.map((cell, i) => ({
      voltageV: this.physics.cellVoltageV(i, packCurrentA, ((mask >> i) & 1) === 1),
      sensedVoltageV: sensed[i],
      socPercent: cell.socPercent,
      capacityAh: cell.capacityAh,
      selfDischargePercentPerMonth: cell.selfDischargePercentPerMonth,
      balancing: ((mask >> i) & 1) === 1,
    }));
    return {
      position: this.position,
      address: this.chip.moduleAddress,
      powered: this.powered,
      silent: this.silent,
      asleep: this.chip.asleep,
      extraReplyLatencyMs: this.extraLatencyMs,
      unimplementedRequests: this.unimplementedRequests,
      replyBitsFlipped: this.replyNoise.counters.bitsFlipped,
      temperatureC: physics.temperatureC,
      moduleVoltageV: cells.reduce((sum, c) => sum + c.voltageV, 0),
      gpaiOverrideV: this.gpaiOverrideV ?? null,
      cells,
      thermistors: Array.from({ length: THERMISTORS_PER_MODULE }, (_, i) => ({
        temperatureC: this.thermistorTemperatureC(i),
        overrideC: this.thermistorOverrideC[i] ?? null,
        fault: this.thermistorFault[i] ?? null,
      })),
      registers: this.chip.registerFile(),
      counters: this.chip.counters,
    };
  }

  private balanceMask(): number {
    return this.powered ? this.chip.balanceOutputMask : 0;
  }

  private sensed(index: number, trueV: number): number {
    const stuck = this.stuckV[index];
    if (stuck !== undefined) return stuck;
    const drift = this.drift[index];
    return drift ? trueV + (drift.voltsPerHour * (this.syncedMs - drift.sinceMs)) / 3_600_000 : trueV;
  }

  private thermistorTemperatureC(index: number): number {
    return this.thermistorOverrideC[index] ?? this.physics.moduleTemperatureC + this.thermistorOffsetC[index];
  }
}
