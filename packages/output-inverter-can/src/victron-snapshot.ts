import { CELLS_PER_MODULE, type ModuleHardwareFlag } from '@tsbms/pack-reading';
import type { ActiveFault, FaultKind } from '@tsbms/fault-engine';
import type {
  AlarmLevel,
  AlarmState,
  VictronAlarmItem,
  VictronBatteryIdentity,
  VictronBmsSnapshot,
} from '@tsbms/inverter-can';
import type { BmsStatus, CellExtreme, TemperatureExtreme } from '@tsbms/bms-core';
import type { InverterConfig } from './inverter-config';

/*
 * BmsStatus (+ the pack facts) → what the Victron frames carry. Pure; the CAN service calls it after
 * every scan. victron-can-bms.md §2 (fields), §3 (0x35A), V-5 (nothing before a valid scan), V-14.
 */

/**
 * The fixed pack facts the mapping and the identity need, taken once from the configuration by the
 * application (the controller's victronPackFacts: pack, cell and contactor settings).
 */
export interface VictronPackFacts {
  readonly moduleCount: number;
  readonly parallelStringCount: number;
  /** One string's usable Ah: module capacity × the window between the low and high setpoints (V-14). */
  readonly stringUsableAh: number;
  readonly contactorControl: boolean;
  readonly currentSensorRequired: boolean;
  /** A current sensor is configured, required or not: its frames stay on while it is away. */
  readonly currentSensorFitted: boolean;
  /** The low cell setpoint: × the series cells, the discharge voltage limit (V-7). */
  readonly cellLowVoltageV: number;
  /** The high cell setpoint: × the series cells, the highest charge voltage the pack asks for. */
  readonly cellHighVoltageV: number;
}

/** `0.1.0` → firmware 0.1 in 0x35F; anything unreadable is 0.0. */
export function firmwareFromVersion(version: string): { major: number; minor: number } {
  const match = /^(\d+)\.(\d+)/.exec(version);
  const byte = (text: string | undefined) => Math.min(255, Number(text ?? 0));
  return { major: byte(match?.[1]), minor: byte(match?.[2]) };
}

/**
 * The identity frames' content from the `inverter` section and the pack facts. Every profile
 * takes what it sends of it; the optional strings are the Victron profile's only.
 */
export function batteryIdentityOf(
  section: InverterConfig,
  facts: VictronPackFacts,
  firmwareVersion: string,
): VictronBatteryIdentity {
  const firmware = firmwareFromVersion(firmwareVersion);
  const victron = section.profile === 'victron' ? section : null;
  return {
    manufacturerName: section.manufacturerName,
    ...(victron?.batteryName == null ? {} : { batteryName: victron.batteryName }),
    ...(victron?.serialNumber == null ? {} : { serialNumber: victron.serialNumber }),
    ...(victron?.productFamily == null ? {} : { productFamily: victron.productFamily }),
    modelId: 0,
    firmwareMajor: firmware.major,
    firmwareMinor: firmware.minor,
    seriesCellCount: (facts.moduleCount / facts.parallelStringCount) * CELLS_PER_MODULE,
    cellLowVoltageV: facts.cellLowVoltageV,
  };
}

const ITEM_OF_KIND: Readonly<Record<FaultKind, VictronAlarmItem>> = {
  cellOverVoltage: 'highVoltage',
  cellUnderVoltage: 'lowVoltage',
  overTemperature: 'highTemperature',
  underTemperature: 'lowTemperature',
  cellImbalance: 'cellImbalance',
  chargeOverCurrent: 'highChargeCurrent',
  dischargeOverCurrent: 'highDischargeCurrent',
  moduleHardwareFault: 'bmsInternal',
  moduleCommsLoss: 'bmsInternal',
  moduleCountMismatch: 'bmsInternal',
  prechargeFailure: 'bmsInternal',
  contactorMismatch: 'bmsInternal',
  contactorWelded: 'bmsInternal',
  sensorImplausible: 'bmsInternal',
  currentSensorLost: 'bmsInternal',
  currentSensorDisagreement: 'bmsInternal',
  stateLost: 'bmsInternal',
};

/** §3: the chip's own trips count as the quantity they protect; its other flags are internal. */
const ITEM_OF_CHIP_FLAG: Readonly<Partial<Record<ModuleHardwareFlag, VictronAlarmItem>>> = {
  COV: 'highVoltage',
  CUV: 'lowVoltage',
  OT1: 'highTemperature',
  OT2: 'highTemperature',
};

function itemsOf(fault: ActiveFault, currentSensor: boolean): VictronAlarmItem[] {
  if (fault.kind === 'moduleHardwareFault') {
    const flags = fault.chipFlags ?? [];
    const items = flags.flatMap((flag) => ITEM_OF_CHIP_FLAG[flag] ?? []);
    const internal = flags.some((flag) => ITEM_OF_CHIP_FLAG[flag] === undefined);
    return internal || items.length === 0 ? [...items, 'bmsInternal'] : items;
  }
  const item = ITEM_OF_KIND[fault.kind];
  // Current items are "not supported" without a sensor; should one arise, GX still hears of it.
  if ((item === 'highChargeCurrent' || item === 'highDischargeCurrent') && !currentSensor)
    return ['bmsInternal'];
  return [item];
}

const RANK: Readonly<Record<AlarmLevel, number>> = { ok: 0, warning: 1, alarm: 2 };

/** A sensor is configured (required or not), or one reports this scan. */
const hasCurrentSensor = (status: BmsStatus, facts: VictronPackFacts): boolean =>
  facts.currentSensorRequired || facts.currentSensorFitted || status.currentA !== null;

/**
 * 0x35A from the active faults (→ alarm) and alerts (warning → warning; info is below what Victron
 * shows). Supported items are `ok` otherwise (V-9); the current items only with a current sensor.
 */
export function victronAlarms(status: BmsStatus, facts: VictronPackFacts): AlarmState {
  const currentSensor = hasCurrentSensor(status, facts);
  const levels: Partial<Record<VictronAlarmItem, AlarmLevel>> = {
    highVoltage: 'ok',
    lowVoltage: 'ok',
    highTemperature: 'ok',
    lowTemperature: 'ok',
    bmsInternal: 'ok',
    cellImbalance: 'ok',
    ...(currentSensor ? { highDischargeCurrent: 'ok', highChargeCurrent: 'ok' } : {}),
  };
  for (const fault of [...status.faults, ...status.alerts]) {
    const level: AlarmLevel | null =
      fault.level === 'fault' ? 'alarm' : fault.level === 'warning' ? 'warning' : null;
    if (level === null) continue;
    for (const item of itemsOf(fault, currentSensor)) {
      const current = levels[item] ?? 'ok';
      if (RANK[level] > RANK[current]) levels[item] = level;
    }
  }
  const contactorsClosed = status.contactors.state === 'CLOSED';
  return {
    levels,
    systemOnline: contactorsClosed || (!facts.contactorControl && status.faults.length === 0),
  };
}

const cellId = (e: CellExtreme | null): string | null =>
  e === null ? null : `M${e.moduleAddress}C${e.cellIndex + 1}`;
const sensorId = (e: TemperatureExtreme | null): string | null =>
  e === null ? null : `M${e.moduleAddress}T${e.sensorIndex + 1}`;

/** Mean of the known thermistors (the core reports extremes only); null when none is known. */
function meanTemperatureC(status: BmsStatus): number | null {
  const known = status.modules.flatMap((m) => m.temperaturesC).filter((t): t is number => t !== null);
  return known.length === 0 ? null : known.reduce((sum, t) => sum + t, 0) / known.length;
}

/** Usable Ah of the strings whose every module answered (0x35F). */
function onlineCapacityAh(status: BmsStatus, facts: VictronPackFacts): number {
  const commsOk = new Map(status.modules.map((m) => [m.address, m.commsOk]));
  const full = status.strings.filter(
    (s) =>
      s.moduleAddresses.length > 0 && s.moduleAddresses.every((address) => commsOk.get(address) === true),
  ).length;
  // Modules in series share one current: a string holds one module's Ah, not N times it (V-14).
  return full * facts.stringUsableAh;
}

/**
 * 0x378's counters in kWh. Sent only with a current sensor (§2): without one they would be a
 * persisted figure that never moves. Once sent they keep their last value (from `previous`) while
 * the sensor is away, so the frame does not come and go with it.
 */
function energyKWh(
  status: BmsStatus,
  facts: VictronPackFacts,
  previous: VictronBmsSnapshot | null,
): Pick<VictronBmsSnapshot, 'energyChargedKWh' | 'energyDischargedKWh'> {
  if (status.energy !== null && hasCurrentSensor(status, facts)) {
    return {
      energyChargedKWh: status.energy.chargedWh / 1000,
      energyDischargedKWh: status.energy.dischargedWh / 1000,
    };
  }
  return {
    energyChargedKWh: previous?.energyChargedKWh ?? null,
    energyDischargedKWh: previous?.energyDischargedKWh ?? null,
  };
}

/**
 * The snapshot for the latest status. Null until the first complete valid scan (limits, pack
 * voltage, SoC and a temperature known; V-5). After that a value that becomes unknown keeps its
 * last value from `previous`, except the limits: without fresh limits CCL and DCL are 0 (the CVL
 * stays), so a BMS that lost its own picture stops the inverter rather than trusting old numbers.
 */
export function toVictronSnapshot(
  status: BmsStatus,
  facts: VictronPackFacts,
  previous: VictronBmsSnapshot | null,
): VictronBmsSnapshot | null {
  const { lowestCell, highestCell, lowestTemperature, highestTemperature } = status.extremes;
  const limits =
    status.limits ?? (previous === null ? null : { cvlV: previous.chargeVoltageLimitV, cclA: 0, dclA: 0 });
  const batteryVoltageV = status.packVoltageV ?? previous?.batteryVoltageV ?? null;
  const socPercent = status.socPercent ?? previous?.stateOfChargePercent ?? null;
  const batteryTemperatureC = meanTemperatureC(status) ?? previous?.batteryTemperatureC ?? null;
  if (limits === null || batteryVoltageV === null || socPercent === null || batteryTemperatureC === null) {
    return null;
  }
  const modulesOnline = status.modules.filter((m) => m.commsOk).length;
  return {
    chargeVoltageLimitV: limits.cvlV,
    chargeCurrentLimitA: limits.cclA,
    dischargeCurrentLimitA: limits.dclA,
    stateOfChargePercent: socPercent,
    // SoH is learnt over full cycles (B-37); before the first scan reports it, 100 %.
    stateOfHealthPercent: status.sohPercent ?? 100,
    batteryVoltageV,
    batteryCurrentA: status.currentA,
    batteryTemperatureC,
    alarms: victronAlarms(status, facts),
    modulesOnline,
    modulesOffline: Math.max(0, facts.moduleCount - modulesOnline),
    lowestCellVoltageV: lowestCell?.voltageV ?? null,
    highestCellVoltageV: highestCell?.voltageV ?? null,
    lowestTemperatureC: lowestTemperature?.temperatureC ?? null,
    highestTemperatureC: highestTemperature?.temperatureC ?? null,
    lowestCellId: cellId(lowestCell),
    highestCellId: cellId(highestCell),
    lowestTemperatureId: sensorId(lowestTemperature),
    highestTemperatureId: sensorId(highestTemperature),
    ...energyKWh(status, facts, previous),
    onlineCapacityAh: onlineCapacityAh(status, facts),
    installedCapacityAh: facts.parallelStringCount * facts.stringUsableAh,
  };
}
