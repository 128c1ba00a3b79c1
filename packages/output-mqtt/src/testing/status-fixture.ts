import type { BmsStatus, ModuleStatus } from '@tsbms/bms-core';
import { bmsStatus, moduleStatus } from '@tsbms/bms-core/testing';

/** A module of six cells at `cellV` (cell 4 balancing when `balancingCell4`), thermistors 24 and 26 °C. */
export function moduleFixture(address: number, cellV = 3.92, balancingCell4 = false): ModuleStatus {
  return moduleStatus({
    address,
    cellsV: Array.from({ length: 6 }, () => cellV),
    temperaturesC: [24, 26],
    balancing: Array.from({ length: 6 }, (_, i) => balancingCell4 && i === 3),
  });
}

/**
 * A healthy, closed two-module pack (one string) charging at 12.34 A: 580.5 W, full in 2.5 h,
 * 38.21 kWh charged and 29.88 kWh discharged in its life (2.87 cycles); override what a test
 * needs. The extremes and strings follow the modules, also overridden ones.
 */
export function statusFixture(overrides: Partial<BmsStatus> = {}): BmsStatus {
  return bmsStatus({
    timestampMs: 1000,
    modules: [moduleFixture(1), moduleFixture(2)],
    packVoltageV: 47.04,
    currentA: 12.34,
    socPercent: 62.26,
    powerW: 12.34 * 47.04,
    energy: {
      chargedAh: 812.5,
      dischargedAh: 640.25,
      chargedWh: 38_210.4,
      dischargedWh: 29_875.6,
      equivalentCycles: 2.8714,
    },
    timeToGo: { toEmptyS: null, toFullS: 9000 },
    heater: { on: false, blockedBy: null },
    ...overrides,
  });
}
