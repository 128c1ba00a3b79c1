import type { ControlConfig, DeratingTable } from './config';
import { deratingFactor, distanceToZero } from './derating-table';
import { isKnown, type ControlInputs } from './inputs';

/** One derating table of a current limit, with the input it reads and its recovery hysteresis. */
export interface LimitTable {
  readonly name: string;
  readonly table: DeratingTable;
  readonly hysteresis: number;
  readonly read: (inputs: ControlInputs) => number | null;
}

// Recovery compares a distance with the hysteresis: 4.125 − 4.025 is 0.09999999999999964.
const RECOVERY_EPSILON = 1e-9;

/** The CCL tables of §4.3, their voltage and temperature points placed from the setpoints. */
export function chargeCurrentTables(config: ControlConfig): readonly LimitTable[] {
  const vh = config.cellHighVoltageV;
  const taper = config.currentTaperV;
  const infoLowC = config.lowTemperatureC + 2 * config.temperatureWarningOffsetC;
  return [
    {
      name: 'highestCell',
      table: [
        { input: vh - taper, factor: 1 },
        { input: vh - taper / 2, factor: 0.5 },
        { input: vh, factor: 0.1 },
        { input: vh + config.voltageAlertOffsetV, factor: 0 },
      ],
      hysteresis: config.chargeHysteresisV,
      read: (inputs) => inputs.highestCellV,
    },
    {
      name: 'lowestTemperature',
      table: [
        { input: config.lowTemperatureC, factor: 0 },
        { input: infoLowC, factor: 1 },
      ],
      hysteresis: config.temperatureHysteresisC,
      read: (inputs) => inputs.lowestTemperatureC,
    },
    {
      name: 'highestTemperature',
      table: [
        {
          input: config.chargeMaxTemperatureC - config.temperatureWarningOffsetC,
          factor: 1,
        },
        { input: config.chargeMaxTemperatureC, factor: 0 },
      ],
      hysteresis: config.temperatureHysteresisC,
      read: (inputs) => inputs.highestTemperatureC,
    },
    {
      name: 'soc',
      table: config.chargeSocTable,
      hysteresis: config.socHysteresisPercent,
      read: (inputs) => inputs.socPercent,
    },
  ];
}

/** The DCL tables of §4.3. */
export function dischargeCurrentTables(config: ControlConfig): readonly LimitTable[] {
  const vl = config.cellLowVoltageV;
  const taper = config.currentTaperV;
  const infoHighC = config.highTemperatureC - 2 * config.temperatureWarningOffsetC;
  return [
    {
      name: 'lowestCell',
      table: [
        { input: vl - config.voltageAlertOffsetV, factor: 0 },
        { input: vl, factor: 0.1 },
        { input: vl + taper / 2, factor: 0.5 },
        { input: vl + taper, factor: 1 },
      ],
      hysteresis: config.chargeHysteresisV,
      read: (inputs) => inputs.lowestCellV,
    },
    {
      name: 'highestTemperature',
      table: [
        { input: infoHighC, factor: 1 },
        { input: config.highTemperatureC, factor: 0 },
      ],
      hysteresis: config.temperatureHysteresisC,
      read: (inputs) => inputs.highestTemperatureC,
    },
    {
      name: 'lowestTemperature',
      table: config.dischargeLowTemperatureTable,
      hysteresis: config.temperatureHysteresisC,
      read: (inputs) => inputs.lowestTemperatureC,
    },
    {
      name: 'soc',
      table: config.dischargeSocTable,
      hysteresis: config.socHysteresisPercent,
      read: (inputs) => inputs.socPercent,
    },
  ];
}

/** The minimum factor over the tables; an unknown input counts as 0 (unsafe, never optimistic). */
export function minimumFactor(tables: readonly LimitTable[], inputs: ControlInputs): number {
  return Math.min(
    ...tables.map((t) => {
      const value = t.read(inputs);
      return isKnown(value) ? deratingFactor(t.table, value) : 0;
    }),
  );
}

function zeroingTables(tables: readonly LimitTable[], inputs: ControlInputs): string[] {
  return tables
    .filter((t) => {
      const value = t.read(inputs);
      return !isKnown(value) || deratingFactor(t.table, value) === 0;
    })
    .map((t) => t.name);
}

function hasRecovered(table: LimitTable, inputs: ControlInputs): boolean {
  const value = table.read(inputs);
  return isKnown(value) && distanceToZero(table.table, value) >= table.hysteresis - RECOVERY_EPSILON;
}

/**
 * `zero`: held at 0 by the tables named in `zeroedBy` (or `blocked`, `operator`); `hold`: inputs
 * recovered, 0 for `chargeHysteresisTimeS`; `ramp`: rising at most `currentRampAps` toward the tables.
 */
export type CurrentLimitPhase = 'zero' | 'hold' | 'ramp';

export interface CurrentLimitState {
  readonly phase: CurrentLimitPhase;
  readonly sinceMs: number;
  readonly zeroedBy: readonly string[];
  /** Unrounded limit, A. */
  readonly valueA: number;
  readonly atMs: number;
}

export const BLOCKED = 'blocked';
/** The zero reason of the operator switches `chargeAllowed` / `dischargeAllowed`. */
export const OPERATOR = 'operator';

export function initialCurrentLimit(nowMs: number): CurrentLimitState {
  return {
    phase: 'zero',
    sinceMs: nowMs,
    zeroedBy: ['startup'],
    valueA: 0,
    atMs: nowMs,
  };
}

export interface CurrentLimitContext {
  readonly tables: readonly LimitTable[];
  readonly maxCurrentA: number;
  /** Forced to 0 regardless of the tables: fault, contactors not closed, scan watchdog (B-22). */
  readonly blocked: boolean;
  /** The operator allows this direction (`chargeAllowed` / `dischargeAllowed`); false forces 0. */
  readonly allowed: boolean;
  /** A module is stale: the limit may fall but not rise (B-41). */
  readonly fallOnly: boolean;
  readonly holdMs: number;
  readonly rampAps: number;
}

/** One evaluation of a current limit (B-21..B-23). */
export function stepCurrentLimit(
  state: CurrentLimitState,
  inputs: ControlInputs,
  context: CurrentLimitContext,
  nowMs: number,
): CurrentLimitState {
  const zeroing = zeroingTables(context.tables, inputs);
  if (context.blocked) zeroing.push(BLOCKED);
  if (!context.allowed) zeroing.push(OPERATOR);
  if (zeroing.length > 0) {
    const zeroedBy = state.phase === 'zero' ? [...new Set([...state.zeroedBy, ...zeroing])] : zeroing;
    const sinceMs = state.phase === 'zero' ? state.sinceMs : nowMs;
    return { phase: 'zero', sinceMs, zeroedBy, valueA: 0, atMs: nowMs };
  }
  if (state.phase === 'zero') {
    // Blocks, the operator switches and the startup zero end with their cause; a table needs its
    // input back past the hysteresis.
    const recovered = context.tables
      .filter((t) => state.zeroedBy.includes(t.name))
      .every((t) => hasRecovered(t, inputs));
    if (!recovered) return { ...state, atMs: nowMs };
    return {
      phase: 'hold',
      sinceMs: nowMs,
      zeroedBy: [],
      valueA: 0,
      atMs: nowMs,
    };
  }
  const targetA = context.maxCurrentA * minimumFactor(context.tables, inputs);
  let valueA: number;
  let phase: CurrentLimitPhase = state.phase;
  let sinceMs = state.sinceMs;
  if (state.phase === 'hold') {
    const holdEndMs = state.sinceMs + context.holdMs;
    if (nowMs < holdEndMs) return { ...state, atMs: nowMs };
    phase = 'ramp';
    sinceMs = holdEndMs;
    valueA = Math.min(targetA, (context.rampAps * (nowMs - holdEndMs)) / 1000);
  } else {
    valueA = Math.min(targetA, state.valueA + (context.rampAps * (nowMs - state.atMs)) / 1000);
  }
  if (context.fallOnly) valueA = Math.min(valueA, state.valueA);
  return { phase, sinceMs, zeroedBy: [], valueA, atMs: nowMs };
}
