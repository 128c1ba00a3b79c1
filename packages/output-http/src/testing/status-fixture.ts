import type { ActiveFault, FaultEvent } from '@tsbms/fault-engine';
import type { BmsStatus, LinkStats, ModuleStatus } from '@tsbms/bms-core';
import { activeFault, bmsStatus, moduleStatus } from '@tsbms/bms-core/testing';
import { BUS_COUNTERS, MODULE_COUNTERS, type BusCounterName, type ModuleCounterName } from '../metrics';

/** A serial loop's counters of one module address, as /metrics exports them. */
export type ModuleCounters = Readonly<Record<ModuleCounterName, number>>;

/**
 * A serial loop's counters as the Tesla scan loop keeps them (its BusStats): the totals of every
 * counter /metrics exports, and the module counters per address.
 */
export type SerialLinkCounters = Readonly<Record<ModuleCounterName | BusCounterName, number>> & {
  readonly perModule: Readonly<Record<number, ModuleCounters>>;
};

/** Each of `names` at its count, zero when not given. */
function counters<Name extends string>(
  names: readonly Name[],
  counts: Partial<Record<Name, number>>,
): Record<Name, number> {
  return Object.fromEntries(names.map((name) => [name, counts[name] ?? 0])) as Record<Name, number>;
}

const MODULE_COUNTER_NAMES = MODULE_COUNTERS.map(([name]) => name);
const LINK_COUNTER_NAMES = [...MODULE_COUNTER_NAMES, ...BUS_COUNTERS.map(([name]) => name)];

/** The loop totals of this suite's pack (module 1 had both CRC errors). */
const COMMS_TOTALS = { framesOk: 120, crcErrors: 2, bytesSent: 900, bytesReceived: 1500, droppedBytes: 3 };

/** Cell 1 balancing, thermistors 21.5 °C and unknown, read 0.2 s ago. */
function moduleFixture(address: number, cellsV: readonly number[]): ModuleStatus {
  return moduleStatus({
    address,
    cellsV,
    temperaturesC: [21.5, null],
    balancing: cellsV.map((_, i) => i === 0),
    ageS: 0.2,
  });
}

export const OVER_VOLTAGE_FAULT: ActiveFault = activeFault({
  kind: 'cellOverVoltage',
  level: 'fault',
  location: { moduleAddress: 1, cellIndex: 0, quantity: 'cellVoltage' },
  value: 4.25,
  sinceMs: 1_700_000_000_000,
  latched: true,
  clearable: true,
});

/** A two-module snapshot as the core builds it; `overrides` replace top-level fields. */
export function statusFixture(overrides: Partial<BmsStatus> = {}): BmsStatus {
  return bmsStatus({
    timestampMs: 1_700_000_000_000,
    modules: [
      moduleFixture(1, [3.9, 3.91, 3.92, 3.9, 3.93, 3.9]),
      moduleFixture(2, [3.95, 3.94, 3.9, 3.9, 3.91, 3.92]),
    ],
    packVoltageV: 46.98,
    currentA: -12.5,
    socPercent: 63.2,
    faults: [OVER_VOLTAGE_FAULT],
    contactors: {
      state: 'OPEN',
      openReason: 'fault',
      relays: { negative: false, precharge: false, positive: false },
    },
    limits: { cvlV: 49.2, cclA: 0, dclA: 100 },
    comms: counters(LINK_COUNTER_NAMES, COMMS_TOTALS),
    ...overrides,
  });
}

/** This suite's serial loop counters: COMMS_TOTALS, split over modules 1 and 2. */
export function busStatsFixture(): SerialLinkCounters {
  return {
    ...counters(LINK_COUNTER_NAMES, COMMS_TOTALS),
    perModule: {
      1: counters(MODULE_COUNTER_NAMES, { framesOk: 60, crcErrors: 2 }),
      2: counters(MODULE_COUNTER_NAMES, { framesOk: 60 }),
    },
  };
}

/** The same counters as a pack source hands them to an output (`OutputContext.linkStats()`). */
export function linkStatsFixture(): LinkStats {
  const { perModule, ...totals } = busStatsFixture();
  return { totals, perModule };
}

/** The engine raising OVER_VOLTAGE_FAULT. */
export function faultEventFixture(overrides: Partial<FaultEvent> = {}): FaultEvent {
  const { kind, level, location, value, latched, sinceMs } = OVER_VOLTAGE_FAULT;
  return {
    type: 'raise',
    timestampMs: sinceMs,
    kind,
    level,
    location,
    value,
    source: 'engine',
    latched,
    ...overrides,
  };
}
