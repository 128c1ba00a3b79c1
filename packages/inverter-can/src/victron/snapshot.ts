import type { AlarmState } from './alarms';

/** What the BMS knows at one moment, in SI units: the input of the frame schedule. */
export interface VictronBmsSnapshot {
  readonly chargeVoltageLimitV: number;
  readonly chargeCurrentLimitA: number;
  readonly dischargeCurrentLimitA: number;
  readonly stateOfChargePercent: number;
  readonly stateOfHealthPercent: number;
  readonly batteryVoltageV: number;
  /** + = charging; null without a current sensor (sent as 0). */
  readonly batteryCurrentA: number | null;
  /** Mean of the valid sensors. */
  readonly batteryTemperatureC: number;
  readonly alarms: AlarmState;
  readonly modulesOnline: number;
  readonly modulesOffline: number;
  readonly lowestCellVoltageV: number | null;
  readonly highestCellVoltageV: number | null;
  readonly lowestTemperatureC: number | null;
  readonly highestTemperatureC: number | null;
  /** `M<module>C<cell>` / `M<module>T<sensor>`, e.g. `M3C2`; null when unknown (frame omitted). */
  readonly lowestCellId: string | null;
  readonly highestCellId: string | null;
  readonly lowestTemperatureId: string | null;
  readonly highestTemperatureId: string | null;
  /** Only with a current sensor; null omits 0x378. */
  readonly energyChargedKWh: number | null;
  readonly energyDischargedKWh: number | null;
  /** Usable Ah of the strings fully online (0x35F). */
  readonly onlineCapacityAh: number;
  /** Usable Ah of the whole pack (0x379). */
  readonly installedCapacityAh: number;
}

/** Fixed facts about this battery, from configuration. */
export interface VictronBatteryIdentity {
  /** 0x35E; at most 8 characters (config validation rejects brand names Venus rewrites). */
  readonly manufacturerName: string;
  /** Sent in 0x370/0x371 only when longer than 8 characters (up to 16). */
  readonly batteryName?: string;
  /** Up to 16 characters, 0x380/0x381. */
  readonly serialNumber?: string;
  /** Up to 8 characters, 0x382. */
  readonly productFamily?: string;
  readonly modelId: number;
  readonly firmwareMajor: number;
  readonly firmwareMinor: number;
  /** Series cells per string (modules per string × 6). */
  readonly seriesCellCount: number;
  readonly cellLowVoltageV: number;
}

/** What the CVL floor is made of; every profile's identity has these two (V-7, P-3). */
export type ChargeVoltageFloorFacts = Pick<VictronBatteryIdentity, 'seriesCellCount' | 'cellLowVoltageV'>;

/** Ns × low cell setpoint: the discharge voltage limit, and the lowest CVL ever sent (V-7). */
export function chargeVoltageFloorV(identity: ChargeVoltageFloorFacts): number {
  return identity.seriesCellCount * identity.cellLowVoltageV;
}
