import type { ActiveFault, FaultEvent } from '@tsbms/fault-engine';
import { EMPTY_MODULE_STATS, type BusStats, type ModuleLinkStats } from '@tsbms/tesla-protocol';
import type { BmsStatus, ModuleStatus } from '@tsbms/bms-core';

/** The Tesla scan loop's link counters as the status carries them: the bus totals. */
export type CommsStatus = Omit<BusStats, 'perModule'>;

/*
 * Building blocks for BmsStatus snapshots shaped as the runtime builds them. Each suite
 * composes its own pack from these (its tests assert on its values); only the construction is shared.
 */

/** Serial-loop totals with nothing counted yet. */
export const ZERO_COMMS: CommsStatus = Object.freeze({
  ...EMPTY_MODULE_STATS,
  linkErrors: 0,
  bytesSent: 0,
  bytesReceived: 0,
  droppedBytes: 0,
});

/** Serial-loop totals: the given counters, every other one zero. */
export function commsStatus(counts: Partial<CommsStatus> = {}): CommsStatus {
  return { ...ZERO_COMMS, ...counts };
}

/** `commsStatus(totals)` plus per-address counters (unnamed counters zero). */
export function busStats(
  totals: Partial<CommsStatus>,
  perModule: Readonly<Record<number, Partial<ModuleLinkStats>>>,
): BusStats {
  const modules = Object.fromEntries(
    Object.entries(perModule).map(([address, counts]) => [address, { ...EMPTY_MODULE_STATS, ...counts }]),
  );
  return { ...commsStatus(totals), perModule: modules };
}

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
 * A snapshot: all modules found, SoH 100 %, no faults or alerts, contactors closed, limits 49.2 V / 100 A /
 * 100 A, no heater, nothing counted on the loop, no outputs; `fields` replace any of these.
 */
export function controllerStatus(fields: StatusFixture): BmsStatus {
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
    comms: ZERO_COMMS,
    outputs: {},
    stateFile: null,
    ...fields,
  };
}

/** An active condition; unnamed fields: no location, no value, since 0, neither latched nor clearable. */
export function activeFault(fields: Pick<ActiveFault, 'kind' | 'level'> & Partial<ActiveFault>): ActiveFault {
  return { location: {}, value: null, sinceMs: 0, latched: false, clearable: false, ...fields };
}

/** The engine's `raise` event for `fault`, at its `sinceMs`; `overrides` replace any field. */
export function faultRaised(fault: ActiveFault, overrides: Partial<FaultEvent> = {}): FaultEvent {
  return {
    type: 'raise',
    timestampMs: fault.sinceMs,
    kind: fault.kind,
    level: fault.level,
    location: fault.location,
    value: fault.value,
    ...(fault.detail === undefined ? {} : { detail: fault.detail }),
    source: 'engine',
    latched: fault.latched,
    ...overrides,
  };
}
