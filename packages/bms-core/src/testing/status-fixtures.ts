import type { PackState } from '@tsbms/battery-model';
import type { ContactorSequenceStatus } from '@tsbms/control';
import type { ActiveFault } from '@tsbms/fault-engine';
import {
  buildStatusSnapshot,
  type BmsStatus,
  type CellExtreme,
  type ModuleStatus,
  type PackExtremes,
  type StringStatus,
  type TemperatureExtreme,
} from '../status';

/*
 * Building blocks for BmsStatus snapshots shaped as the core builds them. Each suite composes its
 * own pack from these (its tests assert on its values); only the construction is shared.
 */

export interface ModuleFixture {
  readonly address: number;
  readonly cellsV: readonly number[];
  readonly temperaturesC: readonly (number | null)[];
  /** Per cell, whether its bleed FET is on; absent = none. */
  readonly balancing?: readonly boolean[];
  /** Seconds since the last valid reply (default 0). */
  readonly ageS?: number;
  /** The series string (default 0). */
  readonly stringIndex?: number;
}

/** A module read well this scan; its voltage is the sum of its cells. */
export function moduleStatus(fixture: ModuleFixture): ModuleStatus {
  return {
    address: fixture.address,
    stringIndex: fixture.stringIndex ?? 0,
    commsOk: true,
    stale: false,
    ageS: fixture.ageS ?? 0,
    voltageV: fixture.cellsV.reduce((sum, v) => sum + v, 0),
    temperaturesC: fixture.temperaturesC,
    cells: fixture.cellsV.map((voltageV, i) => ({ voltageV, balancing: fixture.balancing?.[i] ?? false })),
    balanceTimerRunning: false,
    hardwareFlags: [],
  };
}

/*
 * The core takes the extremes and strings from battery-model's PackState; a fixture has no
 * PackState, so these derive them from its modules the same way (known values only, the first of
 * equal values wins, strings by `stringIndex`), to keep a snapshot consistent with its modules.
 */

interface Located {
  readonly value: number;
  readonly moduleAddress: number;
  readonly index: number;
}

function located(
  modules: readonly ModuleStatus[],
  values: (m: ModuleStatus) => readonly (number | null)[],
  better: (a: number, b: number) => boolean,
): Located | null {
  let best: Located | null = null;
  for (const m of modules) {
    values(m).forEach((value, index) => {
      if (value !== null && (best === null || better(value, best.value))) {
        best = { value, moduleAddress: m.address, index };
      }
    });
  }
  return best;
}

const cellsOf = (m: ModuleStatus) => m.cells.map((c) => c.voltageV);
const temperaturesOf = (m: ModuleStatus) => m.temperaturesC;
const smaller = (a: number, b: number) => a < b;
const greater = (a: number, b: number) => a > b;
const cell = (v: Located | null): CellExtreme | null =>
  v === null ? null : { voltageV: v.value, moduleAddress: v.moduleAddress, cellIndex: v.index };
const sensor = (v: Located | null): TemperatureExtreme | null =>
  v === null ? null : { temperatureC: v.value, moduleAddress: v.moduleAddress, sensorIndex: v.index };

/** The extremes of these modules' known cells and thermistors, as the core reports them. */
export function statusExtremes(modules: readonly ModuleStatus[]): PackExtremes {
  const lowestCell = cell(located(modules, cellsOf, smaller));
  const highestCell = cell(located(modules, cellsOf, greater));
  return {
    lowestCell,
    highestCell,
    lowestTemperature: sensor(located(modules, temperaturesOf, smaller)),
    highestTemperature: sensor(located(modules, temperaturesOf, greater)),
    cellSpreadV:
      lowestCell === null || highestCell === null ? null : highestCell.voltageV - lowestCell.voltageV,
  };
}

/** The series strings of these modules by `stringIndex` (0 up to the highest), as the core reports them. */
export function statusStrings(modules: readonly ModuleStatus[]): StringStatus[] {
  const count = modules.length === 0 ? 0 : Math.max(...modules.map((m) => m.stringIndex)) + 1;
  return Array.from({ length: count }, (_, index) => {
    const members = modules.filter((m) => m.stringIndex === index);
    const cells = members.map(cellsOf);
    const known = cells.every((moduleCells) => moduleCells.every((v) => v !== null));
    // Summed as battery-model sums a string: each module's cells, then the modules.
    const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
    return {
      index,
      moduleAddresses: members.map((m) => m.address),
      voltageV: known ? sum(cells.map((moduleCells) => sum(moduleCells as number[]))) : null,
    };
  });
}

/** What every snapshot names; the rest defaults to a healthy pack on closed contactors. */
export type StatusFixture = Pick<
  BmsStatus,
  'timestampMs' | 'modules' | 'packVoltageV' | 'currentA' | 'socPercent'
> &
  Partial<BmsStatus>;

/**
 * A snapshot: all modules found, extremes and strings of those modules (`statusExtremes`,
 * `statusStrings`), SoH 100 %, no power, energy or time to go, no faults or alerts, contactors closed, limits 49.2 V / 100 A /
 * 100 A, no heater, no link counters, no outputs; `fields` replace any of these.
 */
export function bmsStatus(fields: StatusFixture): BmsStatus {
  return {
    discovery: { expected: fields.modules.length, found: fields.modules.length },
    extremes: statusExtremes(fields.modules),
    strings: statusStrings(fields.modules),
    sohPercent: 100,
    powerW: null,
    energy: null,
    timeToGo: { toEmptyS: null, toFullS: null },
    faults: [],
    alerts: [],
    contactors: {
      state: 'CLOSED',
      openReason: 'startup',
      relays: { negative: true, precharge: false, positive: true },
    },
    limits: { cvlV: 49.2, cclA: 100, dclA: 100 },
    heater: null,
    comms: {},
    outputs: {},
    stateFile: null,
    notices: [],
    ...fields,
  };
}

/**
 * An active condition; unnamed fields: no location, no value (raised with or now), since 0, neither
 * latched nor clearable.
 */
export function activeFault(fields: Pick<ActiveFault, 'kind' | 'level'> & Partial<ActiveFault>): ActiveFault {
  return { location: {}, value: null, now: null, sinceMs: 0, latched: false, clearable: false, ...fields };
}

const OPEN_CONTACTORS: ContactorSequenceStatus = {
  state: 'OPEN',
  sinceMs: 0,
  relays: { negative: false, precharge: false, positive: false },
  openReason: 'startup',
  failedAttempts: 0,
  prechargeFailed: false,
  prechargeVerified: null,
  testMode: false,
  lastOpenedAtMs: null,
};

/** The status of `pack` (null = before the first scan), every other stream at its start. */
export function statusOfPack(pack: PackState | null, expectedModules: number): BmsStatus {
  return buildStatusSnapshot({
    expectedModules,
    discoveredModules: pack === null ? null : expectedModules,
    pack,
    faults: { timestampMs: 0, faults: [], highestLevel: null },
    contactors: OPEN_CONTACTORS,
    limits: null,
    comms: {},
    outputs: {},
    stateFile: null,
    notices: [],
    balancing: null,
    heating: null,
  });
}
