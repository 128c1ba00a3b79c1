import type { ActiveFault } from '@tsbms/fault-engine';
import type { BmsStatus, ModuleStatus } from '../status';

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
}

/** A module read well this scan; its voltage is the sum of its cells. */
export function moduleStatus(fixture: ModuleFixture): ModuleStatus {
  return {
    address: fixture.address,
    commsOk: true,
    stale: false,
    ageS: fixture.ageS ?? 0,
    voltage: fixture.cellsV.reduce((sum, v) => sum + v, 0),
    temperatures: fixture.temperaturesC,
    cells: fixture.cellsV.map((voltage, i) => ({ voltage, balancing: fixture.balancing?.[i] ?? false })),
    balanceTimerRunning: false,
    hardwareFlags: [],
  };
}

/** What every snapshot names; the rest defaults to a healthy pack on closed contactors. */
export type StatusFixture = Pick<BmsStatus, 'timestampMs' | 'modules' | 'packVoltage' | 'current' | 'soc'> &
  Partial<BmsStatus>;

/**
 * A snapshot: all modules found, SoH 100 %, no faults or alerts, contactors closed, limits 49.2 V /
 * 100 A / 100 A, no heater, no link counters, no outputs; `fields` replace any of these.
 */
export function bmsStatus(fields: StatusFixture): BmsStatus {
  return {
    discovery: { expected: fields.modules.length, found: fields.modules.length },
    soh: 100,
    faults: [],
    alerts: [],
    contactors: {
      state: 'CLOSED',
      openReason: 'startup',
      relays: { negative: true, precharge: false, positive: true },
    },
    limits: { cvl: 49.2, ccl: 100, dcl: 100 },
    heater: null,
    comms: {},
    outputs: {},
    stateFile: null,
    ...fields,
  };
}

/** An active condition; unnamed fields: no location, no value, since 0, neither latched nor clearable. */
export function activeFault(fields: Pick<ActiveFault, 'kind' | 'level'> & Partial<ActiveFault>): ActiveFault {
  return { location: {}, value: null, sinceMs: 0, latched: false, clearable: false, ...fields };
}
