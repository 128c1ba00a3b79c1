import type { ActiveFault } from '@tsbms/fault-engine';
import { parseControllerConfig, type ControllerConfig } from '../../config';
import type { ControllerStatus, ModuleStatus } from '../../runtime';

/** The spec's §8 pack: 2 parallel strings × 2 modules (12S), 232 Ah modules, setpoints 4.10 / 3.60 V. */
export const TWO_BY_TWO_CONFIG: ControllerConfig = parseControllerConfig(
  {
    pack: { moduleCount: 4, parallelStringCount: 2, moduleCapacityAh: 232 },
    cells: { cellHighVoltageV: 4.1, cellLowVoltageV: 3.6 },
    can: { interface: 'vcan0' },
    http: { enabled: false },
  },
  'test',
);

function module(
  address: number,
  cellsV: readonly number[],
  temperaturesC: readonly (number | null)[],
): ModuleStatus {
  return {
    address,
    commsOk: true,
    stale: false,
    ageS: 0,
    voltage: cellsV.reduce((a, b) => a + b, 0),
    temperatures: temperaturesC,
    cells: cellsV.map((voltage) => ({ voltage, balancing: false })),
    balanceTimerRunning: false,
    hardwareFlags: [],
  };
}

/**
 * A valid scan of that pack: lowest cell M1C1 3.981 V, highest M3C2 4.002 V, coolest sensor M2T1
 * 20.0 °C, warmest M4T2 23.6 °C; contactors closed; no faults.
 */
export function packStatus(overrides: Partial<ControllerStatus> = {}): ControllerStatus {
  const typical = [3.99, 3.99, 3.99, 3.99, 3.99, 3.99];
  return {
    timestampMs: 10_000,
    discovery: { expected: 4, found: 4 },
    modules: [
      module(1, [3.981, 3.99, 3.99, 3.99, 3.99, 3.99], [21, 22]),
      module(2, typical, [20, 22]),
      module(3, [3.99, 4.002, 3.99, 3.99, 3.99, 3.99], [21, 22]),
      module(4, typical, [22, 23.6]),
    ],
    packVoltage: 47.83,
    current: -12.3,
    soc: 80.26,
    faults: [],
    alerts: [],
    contactors: {
      state: 'CLOSED',
      openReason: 'startup',
      relays: { negative: true, precharge: false, positive: true },
    },
    limits: { cvl: 49.2, ccl: 100, dcl: 100 },
    heater: null,
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

export function activeFault(
  kind: ActiveFault['kind'],
  level: ActiveFault['level'],
  detail?: string,
): ActiveFault {
  return {
    kind,
    level,
    location: { moduleAddress: 3 },
    value: null,
    ...(detail === undefined ? {} : { detail }),
    sinceMs: 0,
    latched: false,
    clearable: false,
  };
}
