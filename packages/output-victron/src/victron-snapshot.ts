import { CELLS_PER_MODULE, type ModuleHardwareFlag } from '@tsbms/pack-reading';
import type { ActiveFault, FaultKind } from '@tsbms/fault-engine';
import type {
  AlarmLevel,
  AlarmState,
  VictronAlarmItem,
  VictronBatteryIdentity,
  VictronBmsSnapshot,
} from '@tsbms/victron-can';
import type { BmsStatus } from '@tsbms/bms-core';
import type { CanConfig } from './can-config';

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
  /** The low cell setpoint: × the series cells, the discharge voltage limit (V-7). */
  readonly cellLowVoltageV: number;
}

/** What the identity takes of the `can` section. */
export type VictronIdentitySettings = Pick<
  CanConfig,
  'manufacturerName' | 'batteryName' | 'serialNumber' | 'productFamily'
>;

/** `0.1.0` → firmware 0.1 in 0x35F; anything unreadable is 0.0. */
export function firmwareFromVersion(version: string): { major: number; minor: number } {
  const match = /^(\d+)\.(\d+)/.exec(version);
  const byte = (text: string | undefined) => Math.min(255, Number(text ?? 0));
  return { major: byte(match?.[1]), minor: byte(match?.[2]) };
}

/** The identity frames' content from the `can` section and the pack facts. */
export function victronIdentityOf(
  can: VictronIdentitySettings,
  facts: VictronPackFacts,
  firmwareVersion: string,
): VictronBatteryIdentity {
  const firmware = firmwareFromVersion(firmwareVersion);
  return {
    manufacturerName: can.manufacturerName,
    ...(can.batteryName === null ? {} : { batteryName: can.batteryName }),
    ...(can.serialNumber === null ? {} : { serialNumber: can.serialNumber }),
    ...(can.productFamily === null ? {} : { productFamily: can.productFamily }),
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

/**
 * 0x35A from the active faults (→ alarm) and alerts (warning → warning; info is below what Victron
 * shows). Supported items are `ok` otherwise (V-9); the current items only with a current sensor.
 */
export function victronAlarms(status: BmsStatus, facts: VictronPackFacts): AlarmState {
  const currentSensor = facts.currentSensorRequired || status.current !== null;
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

interface Extreme {
  readonly value: number;
  readonly id: string;
}

function extremes(entries: readonly Extreme[]): { low: Extreme | null; high: Extreme | null } {
  let low: Extreme | null = null;
  let high: Extreme | null = null;
  for (const entry of entries) {
    if (low === null || entry.value < low.value) low = entry;
    if (high === null || entry.value > high.value) high = entry;
  }
  return { low, high };
}

function cellEntries(status: BmsStatus): Extreme[] {
  return status.modules.flatMap((m) =>
    m.cells.flatMap((cell, i) =>
      cell.voltage === null ? [] : [{ value: cell.voltage, id: `M${m.address}C${i + 1}` }],
    ),
  );
}

function temperatureEntries(status: BmsStatus): Extreme[] {
  return status.modules.flatMap((m) =>
    m.temperatures.flatMap((t, i) => (t === null ? [] : [{ value: t, id: `M${m.address}T${i + 1}` }])),
  );
}

/** Usable Ah of the strings whose every module answered (0x35F). */
function onlineCapacityAh(status: BmsStatus, facts: VictronPackFacts): number {
  const perString = facts.moduleCount / facts.parallelStringCount;
  let full = 0;
  for (let s = 0; s < facts.parallelStringCount; s++) {
    const members = status.modules.filter((m) => Math.floor((m.address - 1) / perString) === s);
    if (members.length === perString && members.every((m) => m.commsOk)) full++;
  }
  // Modules in series share one current: a string holds one module's Ah, not N times it (V-14).
  return full * facts.stringUsableAh;
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
  const cells = extremes(cellEntries(status));
  const temperatures = temperatureEntries(status);
  const sensors = extremes(temperatures);
  const meanTemperatureC =
    temperatures.length === 0
      ? null
      : temperatures.reduce((sum, t) => sum + t.value, 0) / temperatures.length;
  const limits =
    status.limits ?? (previous === null ? null : { cvl: previous.chargeVoltageLimitV, ccl: 0, dcl: 0 });
  const batteryVoltageV = status.packVoltage ?? previous?.batteryVoltageV ?? null;
  const socPercent = status.soc ?? previous?.stateOfChargePercent ?? null;
  const batteryTemperatureC = meanTemperatureC ?? previous?.batteryTemperatureC ?? null;
  if (limits === null || batteryVoltageV === null || socPercent === null || batteryTemperatureC === null) {
    return null;
  }
  const modulesOnline = status.modules.filter((m) => m.commsOk).length;
  return {
    chargeVoltageLimitV: limits.cvl,
    chargeCurrentLimitA: limits.ccl,
    dischargeCurrentLimitA: limits.dcl,
    stateOfChargePercent: socPercent,
    // SoH is learnt over full cycles (B-37); before the first scan reports it, 100 %.
    stateOfHealthPercent: status.soh ?? 100,
    batteryVoltageV,
    batteryCurrentA: status.current,
    batteryTemperatureC,
    alarms: victronAlarms(status, facts),
    modulesOnline,
    modulesOffline: Math.max(0, facts.moduleCount - modulesOnline),
    lowestCellVoltageV: cells.low?.value ?? null,
    highestCellVoltageV: cells.high?.value ?? null,
    lowestTemperatureC: sensors.low?.value ?? null,
    highestTemperatureC: sensors.high?.value ?? null,
    lowestCellId: cells.low?.id ?? null,
    highestCellId: cells.high?.id ?? null,
    lowestTemperatureId: sensors.low?.id ?? null,
    highestTemperatureId: sensors.high?.id ?? null,
    // Energy counters are not persisted by the controller yet: 0x378 is left out.
    energyChargedKWh: null,
    energyDischargedKWh: null,
    onlineCapacityAh: onlineCapacityAh(status, facts),
    installedCapacityAh: facts.parallelStringCount * facts.stringUsableAh,
  };
}
