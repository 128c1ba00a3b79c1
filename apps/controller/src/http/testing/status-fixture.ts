import type { ActiveFault, FaultEvent } from '@tsbms/fault-engine';
import type { BusStats } from '@tsbms/tesla-protocol';
import type { BmsStatus, ModuleStatus } from '@tsbms/bms-core';
import {
  activeFault,
  busStats,
  commsStatus,
  controllerStatus,
  faultRaised,
  moduleStatus,
} from '../../runtime/testing/status-fixtures';

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

/** A two-module snapshot as the runtime builds it; `overrides` replace top-level fields. */
export function statusFixture(overrides: Partial<BmsStatus> = {}): BmsStatus {
  return controllerStatus({
    timestampMs: 1_700_000_000_000,
    modules: [
      moduleFixture(1, [3.9, 3.91, 3.92, 3.9, 3.93, 3.9]),
      moduleFixture(2, [3.95, 3.94, 3.9, 3.9, 3.91, 3.92]),
    ],
    packVoltage: 46.98,
    current: -12.5,
    soc: 63.2,
    faults: [OVER_VOLTAGE_FAULT],
    contactors: {
      state: 'OPEN',
      openReason: 'fault',
      relays: { negative: false, precharge: false, positive: false },
    },
    limits: { cvl: 49.2, ccl: 0, dcl: 100 },
    comms: commsStatus(COMMS_TOTALS),
    ...overrides,
  });
}

export function busStatsFixture(): BusStats {
  return busStats(COMMS_TOTALS, { 1: { framesOk: 60, crcErrors: 2 }, 2: { framesOk: 60 } });
}

/** The engine raising OVER_VOLTAGE_FAULT. */
export function faultEventFixture(overrides: Partial<FaultEvent> = {}): FaultEvent {
  return faultRaised(OVER_VOLTAGE_FAULT, overrides);
}
