import type { PackState } from '@tsbms/battery-model';
import type { ModuleHardwareFlag } from '@tsbms/pack-reading';

export const FAULT_KINDS = [
  'cellOverVoltage',
  'cellUnderVoltage',
  'overTemperature',
  'underTemperature',
  'cellImbalance',
  'moduleCommsLoss',
  'moduleCountMismatch',
  'moduleHardwareFault',
  'chargeOverCurrent',
  'dischargeOverCurrent',
  'prechargeFailure',
  'contactorMismatch',
  'contactorWelded',
  'sensorImplausible',
  'currentSensorLost',
  'currentSensorDisagreement',
  'stateLost',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** §2.1: info = maximum operating limit, warning = recommended safety limit, fault = maximum safety limit. */
export type FaultLevel = 'info' | 'warning' | 'fault';
/** Highest first: a level implies every level after it (B-3). */
export const FAULT_LEVELS: readonly FaultLevel[] = ['fault', 'warning', 'info'];

/** Where a fault is; absent fields mean "the whole pack". */
export interface FaultLocation {
  readonly moduleAddress?: number;
  readonly cellIndex?: number;
  readonly sensorIndex?: number;
  readonly quantity?: 'cellVoltage' | 'temperature' | 'moduleVoltage';
  readonly contactor?: string;
}

/** What a rule measured for one level at one location at one moment. */
export interface FaultMeasurement {
  /** The value evaluated (volts, °C, amperes, seconds or a count, by kind); null when not a number. */
  readonly value: number | null;
  /** The set threshold the value was compared with, in the value's unit; absent where the level has none. */
  readonly threshold?: number;
  readonly detail?: string;
  /** The chip flags a moduleHardwareFault stands for, as data (its detail is for people). */
  readonly chipFlags?: readonly ModuleHardwareFlag[];
}

/**
 * One active level of one fault kind at one location. `value`, `threshold`, `detail` and
 * `chipFlags` are what raised it (or, for a level that latched while active, what latched it),
 * kept while it stays active and, latched, across restarts: a latched fault says why it stopped
 * the pack even once its cause has gone. `now` is what the rule last observed: what holds now.
 */
export interface ActiveFault extends FaultMeasurement {
  readonly kind: FaultKind;
  readonly level: FaultLevel;
  readonly location: FaultLocation;
  /**
   * What the rule last observed at this location (kept while the value is unknown); null until it
   * has observed it since the engine started (a fault restored from `persisted`).
   */
  readonly now: FaultMeasurement | null;
  /** When the level was raised. */
  readonly sinceMs: number;
  readonly latched: boolean;
  /** The clear condition holds now and no higher level holds this one (B-3): an acknowledge would be accepted (B-5). */
  readonly clearable: boolean;
}

/** The current set of active faults, one entry per kind, location and level. */
export interface FaultSet {
  readonly timestampMs: number;
  readonly faults: readonly ActiveFault[];
  readonly highestLevel: FaultLevel | null;
}

export type FaultEventType = 'raise' | 'clear' | 'acknowledge' | 'acknowledgeRejected';

/** `value`, `threshold`, `detail` and `chipFlags`: as measured at the event's time (for a raise, what raised it). */
export interface FaultEvent extends FaultMeasurement {
  readonly type: FaultEventType;
  readonly timestampMs: number;
  readonly kind: FaultKind;
  readonly level: FaultLevel;
  readonly location: FaultLocation;
  /** 'engine' for raise and clear; the operator's channel (e.g. 'http', 'mqtt', 'cli') for acknowledges. */
  readonly source: string;
  readonly latched: boolean;
  readonly reason?: string;
}

/** A contactor's command and, when it has an auxiliary contact, its feedback. */
export interface ContactorStatus {
  readonly name: string;
  readonly commandedClosed: boolean;
  /** Null when the contactor has no feedback input. */
  readonly feedbackClosed: boolean | null;
}

/** Everything the rules evaluate in one step: the pack plus what `control` and discovery know. */
export interface FaultInput {
  readonly pack: PackState;
  /** The latest discovery's module count; null/absent until discovery has run. */
  readonly discoveredModuleCount?: number | null;
  readonly contactors?: readonly ContactorStatus[];
  /** Consecutive failed precharge attempts; the sequencer resets it on success or on a new sequence. */
  readonly prechargeFailedAttempts?: number;
  /** The charge and discharge current limits being sent to the inverter (for the info level). */
  readonly limits?: { readonly chargeCurrentLimitA: number; readonly dischargeCurrentLimitA: number } | null;
}

/**
 * Latched faults to keep across restarts (B-6); JSON-serialisable. Each keeps what raised it
 * (`ActiveFault`); `threshold` is absent from files written before it was recorded, and there
 * `value` and `detail` are those of the last evaluation before the restart.
 */
export interface PersistedFaults {
  readonly version: 1;
  readonly faults: readonly (FaultMeasurement & {
    readonly kind: FaultKind;
    readonly level: FaultLevel;
    readonly location: FaultLocation;
    readonly sinceMs: number;
  })[];
}

/** Which faults an operator acknowledges; absent fields match everything. */
export interface AcknowledgeRequest {
  readonly source: string;
  readonly kind?: FaultKind;
  readonly location?: FaultLocation;
}

export interface AcknowledgeResult {
  readonly accepted: readonly ActiveFault[];
  readonly rejected: readonly { readonly fault: ActiveFault; readonly reason: string }[];
}
