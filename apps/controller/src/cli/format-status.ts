import type { ActiveFault } from '@tsbms/fault-engine';
import type { BmsStatus } from '@tsbms/bms-core';
import { describeLocation } from '@tsbms/bms-core';

/** Volts, or '?' right-aligned in the width of a value, so columns stay aligned. */
const volts = (v: number | null, digits = 3, width = 5) =>
  v === null ? '?'.padStart(width) : v.toFixed(digits);
const celsius = (t: number | null) => (t === null ? '?' : `${t.toFixed(1)} °C`);
const figure = (value: number | null, digits: number, unit: string) =>
  value === null ? `? ${unit}` : `${value.toFixed(digits)} ${unit}`;

/** `2:05` (h:mm, to the nearest minute). */
function hoursMinutes(seconds: number): string {
  const minutes = Math.round(seconds / 60);
  return `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, '0')}`;
}

function describeTimeToGo({ toEmptyS, toFullS }: BmsStatus['timeToGo']): string {
  if (toEmptyS !== null) return `${hoursMinutes(toEmptyS)} to empty`;
  if (toFullS !== null) return `${hoursMinutes(toFullS)} to full`;
  return '?';
}

function describeEnergy(energy: NonNullable<BmsStatus['energy']>): string {
  const kWh = (wh: number) => `${(wh / 1000).toFixed(1)} kWh`;
  return (
    `charged ${kWh(energy.chargedWh)} (${energy.chargedAh.toFixed(1)} Ah), ` +
    `discharged ${kWh(energy.dischargedWh)} (${energy.dischargedAh.toFixed(1)} Ah), ` +
    `${energy.equivalentCycles.toFixed(2)} equivalent cycles`
  );
}

/** What raised the fault and, when it says something else, what holds now (issue 17). */
function describeFault(fault: ActiveFault): string {
  const now = fault.now?.detail;
  const details = [fault.detail, now !== undefined && now !== fault.detail ? `now: ${now}` : ''].filter(
    Boolean,
  );
  const detail = details.length > 0 ? ` (${details.join('; ')})` : '';
  return `${fault.level} ${fault.kind} at ${describeLocation(fault.location)}${detail}`;
}

/**
 * The status as a few readable lines for `--once` without `--json`; `*` marks a balancing cell,
 * `?` an unknown value (current, power and time to go need a current sensor).
 */
export function formatStatus(status: BmsStatus): string {
  const lines = [`modules: ${status.discovery.found ?? 'none'} found of ${status.discovery.expected}`];
  for (const m of status.modules) {
    const cells = m.cells.map((c) => `${volts(c.voltageV)}${c.balancing ? '*' : ' '}`).join(' ');
    const comms = m.commsOk ? '' : '  NO REPLY';
    lines.push(
      `  ${String(m.address).padStart(2)}: ${volts(m.voltageV, 2)} V  cells ${cells}  ${m.temperaturesC.map(celsius).join(' / ')}${comms}`,
    );
  }
  lines.push(
    `pack: ${volts(status.packVoltageV, 2)} V, ${figure(status.currentA, 1, 'A')}, ${figure(status.powerW, 0, 'W')}, SoC ${status.socPercent === null ? '?' : `${status.socPercent.toFixed(1)} %`}`,
  );
  lines.push(`time to go: ${describeTimeToGo(status.timeToGo)}`);
  if (status.energy !== null) lines.push(`energy: ${describeEnergy(status.energy)}`);
  lines.push(`contactors: ${status.contactors.state} (${status.contactors.openReason})`);
  if (status.limits !== null) {
    lines.push(
      `limits: CVL ${status.limits.cvlV.toFixed(1)} V, CCL ${status.limits.cclA.toFixed(1)} A, DCL ${status.limits.dclA.toFixed(1)} A`,
    );
  }
  for (const fault of [...status.faults, ...status.alerts]) lines.push(`${describeFault(fault)}`);
  for (const notice of status.notices) lines.push(`note: ${notice}`);
  return `${lines.join('\n')}\n`;
}
