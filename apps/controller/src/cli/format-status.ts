import type { ActiveFault } from '@tsbms/fault-engine';
import type { BmsStatus } from '@tsbms/bms-core';
import { describeLocation } from '@tsbms/bms-core';

/** Volts, or '?' right-aligned in the width of a value, so columns stay aligned. */
const volts = (v: number | null, digits = 3, width = 5) =>
  v === null ? '?'.padStart(width) : v.toFixed(digits);
const celsius = (t: number | null) => (t === null ? '?' : `${t.toFixed(1)} °C`);

function describeFault(fault: ActiveFault): string {
  const detail = fault.detail ? ` (${fault.detail})` : '';
  return `${fault.level} ${fault.kind} at ${describeLocation(fault.location)}${detail}`;
}

/** The status as a few readable lines for `--once` without `--json`; `*` marks a balancing cell. */
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
    `pack: ${volts(status.packVoltageV, 2)} V, SoC ${status.socPercent === null ? '?' : `${status.socPercent.toFixed(1)} %`}`,
  );
  lines.push(`contactors: ${status.contactors.state} (${status.contactors.openReason})`);
  if (status.limits !== null) {
    lines.push(
      `limits: CVL ${status.limits.cvlV.toFixed(1)} V, CCL ${status.limits.cclA.toFixed(1)} A, DCL ${status.limits.dclA.toFixed(1)} A`,
    );
  }
  for (const fault of [...status.faults, ...status.alerts]) lines.push(`${describeFault(fault)}`);
  return `${lines.join('\n')}\n`;
}
