import {
  type EnergyCounters,
  type TimeToGo,
  type LocatedValue,
  moduleCellSumV,
  type ModuleState,
  type PackState,
  type SeriesStringState,
} from '@tsbms/battery-model';
import type { ActiveFault, FaultSet } from '@tsbms/fault-engine';
import type { BalancingState, ChargeLimits, ContactorSequenceStatus, HeatingStatus } from '@tsbms/control';

/** One cell: volts (null = unknown) and whether its bleed FET is commanded on. */
export interface CellStatus {
  readonly voltageV: number | null;
  readonly balancing: boolean;
}

export interface ModuleStatus {
  readonly address: number;
  /** The 0-based series string the module belongs to. */
  readonly stringIndex: number;
  readonly commsOk: boolean;
  /** The values are last good ones (this scan failed). */
  readonly stale: boolean;
  /** Seconds since the last valid reply; null if never. */
  readonly ageS: number | null;
  /** Volts: the sum of the cells, or the GPAI reading when a cell is unknown; null if neither. */
  readonly voltageV: number | null;
  /** °C per thermistor; null = unknown. */
  readonly temperaturesC: readonly (number | null)[];
  readonly cells: readonly CellStatus[];
  /** The chip's CBT bit: its balance timer runs. */
  readonly balanceTimerRunning: boolean;
  readonly hardwareFlags: readonly string[];
}

/** A cell's voltage and where it is (0-based cell index within the module). */
export interface CellExtreme {
  readonly voltageV: number;
  readonly moduleAddress: number;
  readonly cellIndex: number;
}

/** A thermistor's reading and where it is (0-based sensor index within the module). */
export interface TemperatureExtreme {
  readonly temperatureC: number;
  readonly moduleAddress: number;
  readonly sensorIndex: number;
}

/** The pack's extremes over the known values of the latest scan; all null before the first. */
export interface PackExtremes {
  readonly lowestCell: CellExtreme | null;
  readonly highestCell: CellExtreme | null;
  readonly lowestTemperature: TemperatureExtreme | null;
  readonly highestTemperature: TemperatureExtreme | null;
  /** Highest − lowest cell, volts. */
  readonly cellSpreadV: number | null;
}

/** One series string: its modules in address order and its voltage. */
export interface StringStatus {
  /** 0-based, as `ModuleStatus.stringIndex`. */
  readonly index: number;
  readonly moduleAddresses: readonly number[];
  /** Sum of the string's cells; null when any cell is unknown. */
  readonly voltageV: number | null;
}

export interface DiscoveryStatus {
  readonly expected: number;
  /** Modules the latest completed discovery found; null before any. */
  readonly found: number | null;
}

/** The BMS's state as one immutable, JSON-serialisable snapshot (`--once --json`, HTTP, MQTT, CAN). */
export interface BmsStatus {
  /** Clock time of the latest scan; null before the first. */
  readonly timestampMs: number | null;
  readonly discovery: DiscoveryStatus;
  readonly modules: readonly ModuleStatus[];
  /** Lowest and highest cell and thermistor of the pack (battery-model's statistics). */
  readonly extremes: PackExtremes;
  /** The series strings in index order; empty before the first scan. */
  readonly strings: readonly StringStatus[];
  /** Volts, null when unknown. */
  readonly packVoltageV: number | null;
  /** Amperes (+ = charging), null without a current sensor. */
  readonly currentA: number | null;
  /** Percent of the usable window, null when unknown. */
  readonly socPercent: number | null;
  /** State of health, percent of nameplate capacity (B-37); 100 until measured. */
  readonly sohPercent: number | null;
  /** Watts, current × pack voltage (+ = charging); null without either. */
  readonly powerW: number | null;
  /** Lifetime throughput (kept in the state file); null before the first scan. */
  readonly energy: EnergyCounters | null;
  /** Seconds to empty (discharging) or full (charging) at the averaged current; null when not known. */
  readonly timeToGo: TimeToGo;
  /** Active fault-level conditions (contactors open while any is present). */
  readonly faults: readonly ActiveFault[];
  /** Active warning and info levels. */
  readonly alerts: readonly ActiveFault[];
  readonly contactors: {
    readonly state: ContactorSequenceStatus['state'];
    readonly openReason: ContactorSequenceStatus['openReason'];
    readonly relays: ContactorSequenceStatus['relays'];
  };
  /** Volts and amperes sent to the inverter; null before the first scan. */
  readonly limits: { readonly cvlV: number; readonly cclA: number; readonly dclA: number } | null;
  readonly heater: { readonly on: boolean; readonly blockedBy: HeatingStatus['blockedBy'] } | null;
  /** The source's link counters since start (the Tesla loop's T-5 totals); empty when it keeps none. */
  readonly comms: LinkCounters;
  /** The outputs beside the relays, by name (`can`, `mqtt`, `http`); absent = not configured. */
  readonly outputs: OutputsStatus;
  /** Where latched faults and the SoC survive restarts; null = no state file (the demo). */
  readonly stateFile: StateFileStatus | null;
  /**
   * Standing conditions of how this BMS runs that the owner should know and that are neither
   * faults nor alerts, e.g. `hardware protection off: software limits only`; empty when none.
   */
  readonly notices: readonly string[];
}

/** The state file's health: latched faults survive a crash only while it can be saved. */
export interface StateFileStatus {
  readonly file: string;
  /** The last save succeeded. */
  readonly ok: boolean;
  /** Clock time of the last successful save; null before one. */
  readonly lastSavedMs: number | null;
  /** Why the last save failed; null when it did not. */
  readonly error: string | null;
}

/** Counters by name, e.g. `framesOk`, `crcErrors`, `timeouts`. */
export type LinkCounters = Readonly<Record<string, number>>;

/** One output's health: `ok`, `degraded` (running, with a problem it is recovering from) or `off`. */
export interface OutputStatus {
  readonly state: 'ok' | 'degraded' | 'off';
  /** One line for people, e.g. `vcan0: GX seen 0.4 s ago`. */
  readonly message: string;
  /** Output-specific facts (JSON-serialisable). */
  readonly details?: Readonly<Record<string, unknown>>;
}

export type OutputsStatus = Readonly<Record<string, OutputStatus>>;

export interface StatusSources {
  readonly expectedModules: number;
  readonly discoveredModules: number | null;
  readonly pack: PackState | null;
  readonly faults: FaultSet;
  readonly contactors: ContactorSequenceStatus;
  readonly limits: ChargeLimits | null;
  readonly comms: LinkCounters;
  readonly outputs: OutputsStatus;
  readonly stateFile: StateFileStatus | null;
  readonly notices: readonly string[];
  readonly balancing: BalancingState | null;
  readonly heating: HeatingStatus | null;
}

function balancingCells(balancing: BalancingState | null): Map<number, readonly boolean[]> {
  const cells = new Map<number, readonly boolean[]>();
  for (const string of balancing?.strings ?? []) {
    for (const module of string.modules) cells.set(module.address, module.cells);
  }
  return cells;
}

function moduleStatus(module: ModuleState, balancing: readonly boolean[] | undefined): ModuleStatus {
  return {
    address: module.address,
    stringIndex: module.stringIndex,
    commsOk: module.commsOk,
    stale: module.stale,
    ageS: module.ageS,
    voltageV: moduleCellSumV(module) ?? module.moduleVoltage.value,
    temperaturesC: module.temperatures.map((t) => t.value),
    cells: module.cells.map((cell, i) => ({ voltageV: cell.value, balancing: balancing?.[i] ?? false })),
    balanceTimerRunning: module.balanceTimerRunning,
    hardwareFlags: module.hardwareFlags,
  };
}

const cellExtreme = (v: LocatedValue | null): CellExtreme | null =>
  v === null ? null : { voltageV: v.value, moduleAddress: v.moduleAddress, cellIndex: v.index };

const temperatureExtreme = (v: LocatedValue | null): TemperatureExtreme | null =>
  v === null ? null : { temperatureC: v.value, moduleAddress: v.moduleAddress, sensorIndex: v.index };

/** The pack's statistics as the status carries them; all null before the first scan. */
function packExtremes(pack: PackState | null): PackExtremes {
  const stats = pack?.statistics;
  return {
    lowestCell: cellExtreme(stats?.minCell ?? null),
    highestCell: cellExtreme(stats?.maxCell ?? null),
    lowestTemperature: temperatureExtreme(stats?.minTemperature ?? null),
    highestTemperature: temperatureExtreme(stats?.maxTemperature ?? null),
    cellSpreadV: stats?.cellSpreadV ?? null,
  };
}

function stringStatus(string: SeriesStringState): StringStatus {
  return { index: string.index, moduleAddresses: string.moduleAddresses, voltageV: string.voltageV };
}

/** Assembles the status snapshot from the latest value of every stream. */
export function buildStatusSnapshot(sources: StatusSources): BmsStatus {
  const { pack, faults, contactors, limits, heating } = sources;
  const cells = balancingCells(sources.balancing);
  return {
    timestampMs: pack?.timestampMs ?? null,
    discovery: { expected: sources.expectedModules, found: sources.discoveredModules },
    modules: (pack?.modules ?? []).map((m) => moduleStatus(m, cells.get(m.address))),
    extremes: packExtremes(pack),
    strings: (pack?.strings ?? []).map(stringStatus),
    packVoltageV: pack?.packVoltageV ?? null,
    currentA: pack?.currentA ?? null,
    socPercent: pack?.soc.socPercent ?? null,
    sohPercent: pack?.soc.sohPercent ?? null,
    powerW: pack?.powerW ?? null,
    energy: pack?.energy ?? null,
    timeToGo: pack?.timeToGo ?? { toEmptyS: null, toFullS: null },
    faults: faults.faults.filter((f) => f.level === 'fault'),
    alerts: faults.faults.filter((f) => f.level !== 'fault'),
    contactors: { state: contactors.state, openReason: contactors.openReason, relays: contactors.relays },
    limits: limits === null ? null : { cvlV: limits.cvlV, cclA: limits.cclA, dclA: limits.dclA },
    heater: heating === null ? null : { on: heating.heaterOn, blockedBy: heating.blockedBy },
    comms: sources.comms,
    outputs: sources.outputs,
    stateFile: sources.stateFile,
    notices: sources.notices,
  };
}
