import type { ActiveFault, FaultEvent } from '@tsbms/fault-engine';
import { EMPTY_MODULE_STATS, type BusStats, type ModuleLinkStats } from '@tsbms/tesla-protocol';
import type { BmsStatus } from '@tsbms/bms-core';
import { bmsStatus, type StatusFixture } from '@tsbms/bms-core/testing';

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

export { activeFault, moduleStatus, type ModuleFixture, type StatusFixture } from '@tsbms/bms-core/testing';

/** bms-core's snapshot fixture with the Tesla loop's counters (all zero unless `fields` say). */
export function controllerStatus(fields: StatusFixture): BmsStatus {
  return bmsStatus({ comms: ZERO_COMMS, ...fields });
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
