import {
  alarmLevelOf,
  type DecodedAlarmItem,
  type DecodedPylontechMessage,
  type DecodedSmaMessage,
  type DecodedVictronMessage,
  type PairMeaning,
  type VictronAlarmItem,
} from '@tsbms/inverter-can';
import { dataText, quoted } from './monitor';

/*
 * The readable text of each decoded frame, per profile. 0x351, 0x355, 0x356, 0x35A and 0x35E have
 * one layout in every profile (P-2, S-2), so they share one text.
 */

/** A decoded number: `n/a` for SMA's "invalid" marker (null), `?` beyond the end of a short frame. */
const n = (value: number | null, digits: number) =>
  value === null ? 'n/a' : Number.isFinite(value) ? value.toFixed(digits) : '?';
const orDash = (value: number | null, digits: number, unit: string) =>
  value === null ? '-' : `${n(value, digits)} ${unit}`;
/** A code shown as hex (SMA's 0x35F), `n/a` when invalid. */
const hex16 = (value: number | null) =>
  value === null
    ? 'n/a'
    : Number.isFinite(value)
      ? `0x${value.toString(16).toUpperCase().padStart(4, '0')}`
      : '?';
const setFlagNames = (flags: Readonly<Record<string, boolean>>) => {
  const names = Object.keys(flags).filter((name) => flags[name]);
  return names.length > 0 ? names.join(', ') : 'none';
};

interface LimitsFields {
  readonly chargeVoltageLimitV: number | null;
  readonly chargeCurrentLimitA: number | null;
  readonly dischargeCurrentLimitA: number | null;
  readonly dischargeVoltageLimitV: number | null;
}
const limitsText = (m: LimitsFields) =>
  `limits: CVL ${n(m.chargeVoltageLimitV, 1)} V, CCL ${n(m.chargeCurrentLimitA, 1)} A, DCL ${n(m.dischargeCurrentLimitA, 1)} A, DVL ${n(m.dischargeVoltageLimitV, 1)} V`;

interface StateOfChargeFields {
  readonly stateOfChargePercent: number | null;
  readonly stateOfHealthPercent: number | null;
  /** Absent from Pylontech's frame; null when SMA's is "invalid". */
  readonly stateOfChargeHighResPercent?: number | null;
}
function stateOfChargeText(m: StateOfChargeFields): string {
  const highRes = m.stateOfChargeHighResPercent;
  const highResText =
    highRes === undefined ? '' : highRes === null ? ' (high-res n/a)' : ` (${n(highRes, 2)} %)`;
  return `SoC ${n(m.stateOfChargePercent, 0)} %${highResText}, SoH ${n(m.stateOfHealthPercent, 0)} %`;
}

interface MeasurementFields {
  readonly batteryVoltageV: number | null;
  readonly batteryCurrentA: number | null;
  readonly batteryTemperatureC: number | null;
}
const measurementsText = (m: MeasurementFields) =>
  `battery ${n(m.batteryVoltageV, 2)} V, ${n(m.batteryCurrentA, 1)} A, ${n(m.batteryTemperatureC, 1)} °C`;

/** 0x35A; SMA has no system-status pair (S-5), so `systemStatus` is Victron's only. */
function alarmsText(items: Readonly<Record<VictronAlarmItem, DecodedAlarmItem>>, systemStatus?: PairMeaning) {
  const raised: string[] = [];
  let supported = 0;
  for (const [item, pair] of Object.entries(items) as Array<[VictronAlarmItem, DecodedAlarmItem]>) {
    const level = alarmLevelOf(pair);
    if (level !== undefined) supported++;
    if (level === 'alarm' || level === 'warning') raised.push(`${item} ${level.toUpperCase()}`);
  }
  const system =
    systemStatus === undefined
      ? ''
      : `, system ${systemStatus === 'ok' ? 'online' : systemStatus === 'active' ? 'OFFLINE' : 'n/a'}`;
  return `alarms: ${raised.length > 0 ? raised.join(', ') : 'none'} (${supported} items supported)${system}`;
}

const manufacturerText = (name: string) => `manufacturer ${quoted(name)}`;

/** 0x307 from a Victron GX carries `12 34 56 78` and `VIC`. */
export function identityFrameText(label: string, data: Uint8Array): string {
  const hex = dataText(data);
  return `${label}${hex.startsWith('12 34 56 78 56 49 43') ? ' (VIC)' : ` [${hex}]`}`;
}

/** Messages of the ids a profile knows: the describers show an unknown id as its bytes. */
type Known<M> = Exclude<M, { kind: 'unknown' }>;

export function victronText(message: Known<DecodedVictronMessage>): string {
  switch (message.kind) {
    case 'chargeLimits':
      return limitsText(message);
    case 'stateOfCharge':
      return stateOfChargeText(message);
    case 'measurements':
      return measurementsText(message);
    case 'alarms':
      return alarmsText(message.items, message.systemStatus);
    case 'manufacturer':
      return manufacturerText(message.name);
    case 'identity':
      return `model ${message.modelId}, firmware ${message.firmwareMajor}.${message.firmwareMinor}, online capacity ${message.onlineCapacityAh} Ah`;
    case 'moduleCounts': {
      const count = (v: number | null) => (v === null ? 'n/a' : String(v));
      return `modules: ${message.modulesOnline} online, ${message.modulesOffline} offline, blocking charge ${count(message.modulesBlockingCharge)}, blocking discharge ${count(message.modulesBlockingDischarge)}`;
    }
    case 'cellExtremes':
      return `cells ${orDash(message.lowestCellVoltageV, 3, 'V')} .. ${orDash(message.highestCellVoltageV, 3, 'V')}, temperatures ${orDash(message.lowestTemperatureC, 0, '°C')} .. ${orDash(message.highestTemperatureC, 0, '°C')}`;
    case 'energy':
      return `energy in ${n(message.energyChargedKWh, 1)} kWh, out ${n(message.energyDischargedKWh, 1)} kWh`;
    case 'installedCapacity':
      return `installed capacity ${message.installedCapacityAh} Ah`;
    case 'text':
      return `${message.field} ${quoted(message.text)}`;
  }
}

export function pylontechText(message: Known<DecodedPylontechMessage>): string {
  switch (message.kind) {
    case 'chargeLimits':
      return limitsText(message);
    case 'stateOfCharge':
      return stateOfChargeText(message);
    case 'measurements':
      return measurementsText(message);
    case 'protectionAlarms': {
      const code = message.productCode === '' ? '' : ` ${quoted(message.productCode)}`;
      return `protection: ${setFlagNames(message.protection)}; alarms: ${setFlagNames(message.alarms)}; ${n(message.moduleCount, 0)} modules${code}`;
    }
    case 'requestFlags':
      return `requests: ${setFlagNames(message.requests)}`;
    case 'manufacturer':
      return manufacturerText(message.name);
    case 'inverterReply':
      return 'inverter keep-alive';
  }
}

export function smaText(message: Known<DecodedSmaMessage>): string {
  switch (message.kind) {
    case 'chargeLimits':
      return limitsText(message);
    case 'stateOfCharge':
      return stateOfChargeText(message);
    case 'measurements':
      return measurementsText(message);
    case 'alarms':
      return alarmsText(message.items);
    case 'manufacturer':
      return manufacturerText(message.name);
    case 'batteryInfo':
      return `battery type ${hex16(message.batteryType)}, BMS version ${hex16(message.bmsVersion)}, capacity ${n(message.capacityAh, 0)} Ah, manufacturer id ${hex16(message.manufacturerId)}`;
  }
}
