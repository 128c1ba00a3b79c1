import type { ActiveFault } from '@tsbms/fault-engine';
import type { BmsStatus, ModuleStatus } from '@tsbms/bms-core';
import type { MqttTopics } from './topics';

/** HA's MQTT sensor takes this payload as "unknown". */
export const UNKNOWN_PAYLOAD = 'None';
export const ON = 'ON';
export const OFF = 'OFF';

/**
 * Resolution of each published quantity: finer than this is ADC noise, and publishing it would
 * turn "on change" into "every scan".
 */
export const DECIMALS = {
  cellV: 3,
  voltageV: 2,
  currentA: 1,
  percent: 1,
  temperatureC: 1,
  powerW: 0,
  energyKWh: 2,
  hours: 2,
  cycles: 2,
} as const;

const kWh = (wh: number | null): number | null => (wh === null ? null : wh / 1000);
/** Seconds in hours, the unit discovery announces for the times to go. */
const hours = (s: number | null): number | null => (s === null ? null : s / 3600);

/** `3.9216, 3` → `3.922`; null or not finite → `None`; never `-0`. */
export function formatValue(value: number | null, decimals: number): string {
  if (value === null || !Number.isFinite(value)) return UNKNOWN_PAYLOAD;
  return String(Number(value.toFixed(decimals)) || 0);
}

/** ON / OFF; unknown → `None`. */
export const flag = (on: boolean | null | undefined): string =>
  on === null || on === undefined ? UNKNOWN_PAYLOAD : on ? ON : OFF;

/** The fault list with what raised each fault; without `now`, which moves every scan. */
function faultList(faults: readonly ActiveFault[]): string {
  return JSON.stringify(
    faults.map(
      ({ kind, level, location, value, threshold, detail, chipFlags, latched, clearable, sinceMs }) => ({
        kind,
        level,
        location,
        value,
        threshold,
        detail,
        chipFlags,
        latched,
        clearable,
        sinceMs,
      }),
    ),
  );
}

function moduleMessages(topics: MqttTopics, module: ModuleStatus, into: Map<string, string>): void {
  const { address } = module;
  into.set(topics.module(address, 'voltage'), formatValue(module.voltageV, DECIMALS.voltageV));
  into.set(topics.module(address, 'comms'), flag(module.commsOk));
  into.set(topics.module(address, 'balancing'), flag(module.cells.some((c) => c.balancing)));
  module.temperaturesC.forEach((t, i) =>
    into.set(topics.moduleTemperature(address, i + 1), formatValue(t, DECIMALS.temperatureC)),
  );
  module.cells.forEach((cell, i) => {
    into.set(topics.cell(address, i + 1, 'voltage'), formatValue(cell.voltageV, DECIMALS.cellV));
    into.set(topics.cell(address, i + 1, 'balancing'), flag(cell.balancing));
  });
}

/**
 * Every value topic and its payload for one status snapshot: what the broker should hold once
 * this snapshot is published. Pack fields: voltage, current, soc, power (W), energyCharged and
 * energyDischarged (lifetime kWh), equivalentCycles, timeToEmpty and timeToFull (hours),
 * cellMinVoltage, cellMaxVoltage, temperatureMin, temperatureMax, chargeVoltageLimit,
 * chargeCurrentLimit, dischargeCurrentLimit, contactors (state name), contactorsClosed, fault,
 * alert, faults, alerts (JSON lists), balancing, heater, modulesOnline.
 */
export function stateMessages(topics: MqttTopics, status: BmsStatus): ReadonlyMap<string, string> {
  const messages = new Map<string, string>();
  const pack = (field: string, payload: string) => messages.set(topics.pack(field), payload);
  const { lowestCell, highestCell, lowestTemperature, highestTemperature } = status.extremes;
  pack('voltage', formatValue(status.packVoltageV, DECIMALS.voltageV));
  pack('current', formatValue(status.currentA, DECIMALS.currentA));
  pack('soc', formatValue(status.socPercent, DECIMALS.percent));
  pack('power', formatValue(status.powerW, DECIMALS.powerW));
  pack('energyCharged', formatValue(kWh(status.energy?.chargedWh ?? null), DECIMALS.energyKWh));
  pack('energyDischarged', formatValue(kWh(status.energy?.dischargedWh ?? null), DECIMALS.energyKWh));
  pack('equivalentCycles', formatValue(status.energy?.equivalentCycles ?? null, DECIMALS.cycles));
  pack('timeToEmpty', formatValue(hours(status.timeToGo.toEmptyS), DECIMALS.hours));
  pack('timeToFull', formatValue(hours(status.timeToGo.toFullS), DECIMALS.hours));
  pack('cellMinVoltage', formatValue(lowestCell?.voltageV ?? null, DECIMALS.cellV));
  pack('cellMaxVoltage', formatValue(highestCell?.voltageV ?? null, DECIMALS.cellV));
  pack('temperatureMin', formatValue(lowestTemperature?.temperatureC ?? null, DECIMALS.temperatureC));
  pack('temperatureMax', formatValue(highestTemperature?.temperatureC ?? null, DECIMALS.temperatureC));
  pack('chargeVoltageLimit', formatValue(status.limits?.cvlV ?? null, DECIMALS.voltageV));
  pack('chargeCurrentLimit', formatValue(status.limits?.cclA ?? null, DECIMALS.currentA));
  pack('dischargeCurrentLimit', formatValue(status.limits?.dclA ?? null, DECIMALS.currentA));
  pack('contactors', status.contactors.state);
  pack('contactorsClosed', flag(status.contactors.state === 'CLOSED'));
  pack('fault', flag(status.faults.length > 0));
  pack('alert', flag(status.alerts.length > 0));
  pack('faults', faultList(status.faults));
  pack('alerts', faultList(status.alerts));
  pack('balancing', flag(status.modules.some((m) => m.cells.some((c) => c.balancing))));
  pack('heater', flag(status.heater?.on));
  pack('modulesOnline', String(status.modules.filter((m) => m.commsOk).length));
  for (const module of status.modules) moduleMessages(topics, module, messages);
  return messages;
}
