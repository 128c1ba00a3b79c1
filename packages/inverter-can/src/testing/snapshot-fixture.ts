import type { VictronBmsSnapshot } from '../victron/snapshot';

/**
 * The snapshot of `victron-can-bms.md` §8's pack (12S in 2 strings of 2 modules, charging
 * allowed, nothing wrong, every optional value known); `overrides` replace any field. Every
 * profile's schedule takes this one type, so their tests and other tools start from it.
 */
export function victronBmsSnapshot(overrides: Partial<VictronBmsSnapshot> = {}): VictronBmsSnapshot {
  return {
    chargeVoltageLimitV: 49.2,
    chargeCurrentLimitA: 100,
    dischargeCurrentLimitA: 100,
    stateOfChargePercent: 80.26,
    stateOfHealthPercent: 100,
    batteryVoltageV: 47.83,
    batteryCurrentA: -12.3,
    batteryTemperatureC: 21.4,
    alarms: { levels: { highVoltage: 'ok', lowVoltage: 'ok' }, systemOnline: true },
    modulesOnline: 4,
    modulesOffline: 0,
    lowestCellVoltageV: 3.981,
    highestCellVoltageV: 4.002,
    lowestTemperatureC: 20,
    highestTemperatureC: 23.6,
    lowestCellId: 'M3C2',
    highestCellId: 'M1C6',
    lowestTemperatureId: 'M2T1',
    highestTemperatureId: 'M4T2',
    energyChargedKWh: 1234.5,
    energyDischargedKWh: 1100,
    onlineCapacityAh: 257,
    installedCapacityAh: 257,
    ...overrides,
  };
}
