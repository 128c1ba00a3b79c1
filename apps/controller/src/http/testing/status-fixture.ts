import type { ActiveFault, FaultEvent } from '@tsbms/fault-engine';
import type { BusStats } from '@tsbms/tesla-protocol';
import type { ControllerStatus, ModuleStatus } from '../../runtime';

const COUNTERS = {
  framesOk: 0,
  crcErrors: 0,
  badFrames: 0,
  echoMismatches: 0,
  timeouts: 0,
  noSuchModule: 0,
  retries: 0,
};

function moduleFixture(address: number, cellsV: readonly number[]): ModuleStatus {
  return {
    address,
    commsOk: true,
    stale: false,
    ageS: 0.2,
    voltage: cellsV.reduce((sum, v) => sum + v, 0),
    temperatures: [21.5, null],
    cells: cellsV.map((voltage, i) => ({ voltage, balancing: i === 0 })),
    balanceTimerRunning: false,
    hardwareFlags: [],
  };
}

export const OVER_VOLTAGE_FAULT: ActiveFault = {
  kind: 'cellOverVoltage',
  level: 'fault',
  location: { moduleAddress: 1, cellIndex: 0, quantity: 'cellVoltage' },
  value: 4.25,
  sinceMs: 1_700_000_000_000,
  latched: true,
  clearable: true,
};

/** A two-module snapshot as the runtime builds it; `overrides` replace top-level fields. */
export function statusFixture(overrides: Partial<ControllerStatus> = {}): ControllerStatus {
  return {
    timestampMs: 1_700_000_000_000,
    discovery: { expected: 2, found: 2 },
    modules: [
      moduleFixture(1, [3.9, 3.91, 3.92, 3.9, 3.93, 3.9]),
      moduleFixture(2, [3.95, 3.94, 3.9, 3.9, 3.91, 3.92]),
    ],
    packVoltage: 46.98,
    current: -12.5,
    soc: 63.2,
    faults: [OVER_VOLTAGE_FAULT],
    alerts: [],
    contactors: {
      state: 'OPEN',
      openReason: 'fault',
      relays: { negative: false, precharge: false, positive: false },
    },
    limits: { cvl: 49.2, ccl: 0, dcl: 100 },
    heater: null,
    comms: {
      ...COUNTERS,
      framesOk: 120,
      crcErrors: 2,
      linkErrors: 0,
      bytesSent: 900,
      bytesReceived: 1500,
      droppedBytes: 3,
    },
    outputs: {},
    ...overrides,
  };
}

export function busStatsFixture(): BusStats {
  return {
    ...COUNTERS,
    framesOk: 120,
    crcErrors: 2,
    linkErrors: 0,
    bytesSent: 900,
    bytesReceived: 1500,
    droppedBytes: 3,
    perModule: { 1: { ...COUNTERS, framesOk: 60, crcErrors: 2 }, 2: { ...COUNTERS, framesOk: 60 } },
  };
}

export function faultEventFixture(overrides: Partial<FaultEvent> = {}): FaultEvent {
  return {
    type: 'raise',
    timestampMs: 1_700_000_000_000,
    kind: 'cellOverVoltage',
    level: 'fault',
    location: { moduleAddress: 1, cellIndex: 0, quantity: 'cellVoltage' },
    value: 4.25,
    source: 'engine',
    latched: true,
    ...overrides,
  };
}
