import type { ActiveFault } from '@tsbms/fault-engine';
import type { ModuleHardwareFlag } from '@tsbms/pack-reading';
import type { BmsStatus } from '@tsbms/bms-core';
import { activeFault as faultFixture, bmsStatus, moduleStatus } from '@tsbms/bms-core/testing';
import { inverterConfigSchema, type InverterConfig } from '../inverter-config';
import type { CanOutputSettings } from '../can-output';
import type { VictronPackFacts } from '../victron-snapshot';

/** The spec's §8 pack: 2 parallel strings × 2 modules (12S), 232 Ah modules, setpoints 4.10 / 3.60 V. */
export const TWO_BY_TWO_FACTS: VictronPackFacts = Object.freeze({
  moduleCount: 4,
  parallelStringCount: 2,
  // 232 Ah × the default OCV table's window between 3.60 and 4.10 V (the controller's victronPackFacts).
  stringUsableAh: 128.46707070707055,
  contactorControl: true,
  currentSensorRequired: false,
  currentSensorFitted: false,
  cellLowVoltageV: 3.6,
  cellHighVoltageV: 4.1,
});

/** That pack's `inverter` section: the Victron profile on vcan0, everything else default. */
export const TWO_BY_TWO_INVERTER: InverterConfig = inverterConfigSchema.parse({ interface: 'vcan0' });

/** The output's settings for that pack. */
export const TWO_BY_TWO_SETTINGS: CanOutputSettings = {
  inverter: TWO_BY_TWO_INVERTER,
  packFacts: TWO_BY_TWO_FACTS,
};

/** The output's settings for that pack with another profile's `inverter` section (its defaults). */
export function twoByTwoSettings(inverter: Record<string, unknown>): CanOutputSettings {
  return {
    inverter: inverterConfigSchema.parse({ interface: 'vcan0', ...inverter }),
    packFacts: TWO_BY_TWO_FACTS,
  };
}

/**
 * A valid scan of that pack: lowest cell M1C1 3.981 V, highest M3C2 4.002 V, coolest sensor M2T1
 * 20.0 °C, warmest M4T2 23.6 °C (the extremes and strings derived from `modules`, also when
 * `overrides` replace them); contactors closed; no faults.
 */
export function packStatus(overrides: Partial<BmsStatus> = {}): BmsStatus {
  const typical = [3.99, 3.99, 3.99, 3.99, 3.99, 3.99];
  return bmsStatus({
    timestampMs: 10_000,
    modules: [
      moduleStatus({
        address: 1,
        stringIndex: 0,
        cellsV: [3.981, 3.99, 3.99, 3.99, 3.99, 3.99],
        temperaturesC: [21, 22],
      }),
      moduleStatus({ address: 2, stringIndex: 0, cellsV: typical, temperaturesC: [20, 22] }),
      moduleStatus({
        address: 3,
        stringIndex: 1,
        cellsV: [3.99, 4.002, 3.99, 3.99, 3.99, 3.99],
        temperaturesC: [21, 22],
      }),
      moduleStatus({ address: 4, stringIndex: 1, cellsV: typical, temperaturesC: [22, 23.6] }),
    ],
    packVoltageV: 47.83,
    currentA: -12.3,
    socPercent: 80.26,
    ...overrides,
  });
}

/** A condition on module 3, neither latched nor clearable. */
export function activeFault(
  kind: ActiveFault['kind'],
  level: ActiveFault['level'],
  chipFlags?: readonly ModuleHardwareFlag[],
): ActiveFault {
  return faultFixture({
    kind,
    level,
    location: { moduleAddress: 3 },
    ...(chipFlags === undefined ? {} : { chipFlags, detail: chipFlags.join(' ') }),
  });
}
