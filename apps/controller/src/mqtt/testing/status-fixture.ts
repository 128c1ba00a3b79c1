import type { ControllerStatus, ModuleStatus } from '../../runtime';

/** A module of six cells at `cellV` (cell 4 balancing when `balancingCell4`), thermistors 24 and 26 °C. */
export function moduleFixture(address: number, cellV = 3.92, balancingCell4 = false): ModuleStatus {
  return {
    address,
    commsOk: true,
    stale: false,
    ageS: 0,
    voltage: cellV * 6,
    temperatures: [24, 26],
    cells: Array.from({ length: 6 }, (_, i) => ({ voltage: cellV, balancing: balancingCell4 && i === 3 })),
    balanceTimerRunning: false,
    hardwareFlags: [],
  };
}

/** A healthy, closed two-module pack; override what a test needs. */
export function statusFixture(overrides: Partial<ControllerStatus> = {}): ControllerStatus {
  const modules = [moduleFixture(1), moduleFixture(2)];
  return {
    timestampMs: 1000,
    discovery: { expected: 2, found: 2 },
    modules,
    packVoltage: 47.04,
    current: 12.34,
    soc: 62.26,
    faults: [],
    alerts: [],
    contactors: {
      state: 'CLOSED',
      openReason: 'startup',
      relays: { negative: true, precharge: false, positive: true },
    },
    limits: { cvl: 49.2, ccl: 100, dcl: 100 },
    heater: { on: false, blockedBy: null },
    comms: {
      framesOk: 0,
      crcErrors: 0,
      badFrames: 0,
      echoMismatches: 0,
      timeouts: 0,
      noSuchModule: 0,
      retries: 0,
      linkErrors: 0,
      bytesSent: 0,
      bytesReceived: 0,
      droppedBytes: 0,
    },
    outputs: {},
    ...overrides,
  };
}
