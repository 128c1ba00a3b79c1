import {
  alarmLevelOf,
  decodeVictronFrame,
  VictronFrameId,
  type CandumpRecord,
  type DecodedVictronMessage,
  type VictronAlarmItem,
} from '@tsbms/inverter-can';

/*
 * What can-monitor prints for a candump -L recording: one readable line per frame and a per-id
 * summary. Pure; can-monitor.ts does the reading and writing.
 */

/** One decoded frame, for people (`text`) or machines (`--json`). */
export interface MonitorEntry {
  readonly timestampS: number;
  readonly iface: string;
  /** `0x351`; 8 hex digits for an extended id. */
  readonly id: string;
  readonly kind: DecodedVictronMessage['kind'] | 'gxKeepAlive' | 'gxIdentity' | 'extended';
  readonly text: string;
  /** Problems with the frame: unknown id, length other than 8, extended id, remote request. */
  readonly flags: readonly string[];
  readonly message?: DecodedVictronMessage;
}

const hexId = (record: CandumpRecord) =>
  `0x${record.frame.id
    .toString(16)
    .toUpperCase()
    .padStart(record.extended ? 8 : 3, '0')}`;
const n = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : '?');
const orDash = (value: number | null, digits: number, unit: string) =>
  value === null ? '-' : `${n(value, digits)} ${unit}`;

function alarmsText(message: Extract<DecodedVictronMessage, { kind: 'alarms' }>): string {
  const raised: string[] = [];
  let supported = 0;
  for (const [item, pair] of Object.entries(message.items) as Array<
    [VictronAlarmItem, typeof message.items.general]
  >) {
    const level = alarmLevelOf(pair);
    if (level !== undefined) supported++;
    if (level === 'alarm' || level === 'warning') raised.push(`${item} ${level.toUpperCase()}`);
  }
  const system =
    message.systemStatus === 'ok' ? 'online' : message.systemStatus === 'active' ? 'OFFLINE' : 'n/a';
  return `alarms: ${raised.length > 0 ? raised.join(', ') : 'none'} (${supported} items supported), system ${system}`;
}

export function messageText(message: DecodedVictronMessage): string {
  switch (message.kind) {
    case 'chargeLimits':
      return `limits: CVL ${n(message.chargeVoltageLimitV, 1)} V, CCL ${n(message.chargeCurrentLimitA, 1)} A, DCL ${n(message.dischargeCurrentLimitA, 1)} A, DVL ${n(message.dischargeVoltageLimitV, 1)} V`;
    case 'stateOfCharge':
      return `SoC ${n(message.stateOfChargePercent, 0)} %${message.stateOfChargeHighResPercent === undefined ? '' : ` (${n(message.stateOfChargeHighResPercent, 2)} %)`}, SoH ${n(message.stateOfHealthPercent, 0)} %`;
    case 'measurements':
      return `battery ${n(message.batteryVoltageV, 2)} V, ${n(message.batteryCurrentA, 1)} A, ${n(message.batteryTemperatureC, 1)} °C`;
    case 'alarms':
      return alarmsText(message);
    case 'manufacturer':
      return `manufacturer "${message.name}"`;
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
      return `${message.field} "${message.text}"`;
    case 'unknown':
      return 'unknown id';
  }
}

/** Decodes one candump record; never throws. */
export function describeRecord(record: CandumpRecord): MonitorEntry {
  const base = { timestampS: record.timestampS, iface: record.iface, id: hexId(record) };
  const data = Array.from(record.frame.data, (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
  if (record.extended) {
    return {
      ...base,
      kind: 'extended',
      text: `[${data}]`,
      flags: ['extended (29-bit) id: Venus ignores it'],
    };
  }
  const flags: string[] = [];
  if (record.remote) flags.push('remote request');
  if (record.frame.id === VictronFrameId.GX_KEEP_ALIVE) {
    return { ...base, kind: 'gxKeepAlive', text: 'GX keep-alive', flags };
  }
  if (record.frame.id === VictronFrameId.GX_IDENTITY) {
    const victron = data.startsWith('12 34 56 78 56 49 43');
    return { ...base, kind: 'gxIdentity', text: `GX identity${victron ? ' (VIC)' : ` [${data}]`}`, flags };
  }
  const message = decodeVictronFrame(record.frame);
  if (message.kind === 'unknown') flags.push('unknown id');
  else if (record.frame.data.length !== 8) flags.push(`length ${record.frame.data.length}, expected 8`);
  const text = message.kind === 'unknown' ? `[${data}]` : messageText(message);
  return { ...base, kind: message.kind, text, flags, message };
}

export function formatEntry(entry: MonitorEntry): string {
  const flags = entry.flags.length > 0 ? `  !! ${entry.flags.join('; ')}` : '';
  return `${entry.timestampS.toFixed(6)} ${entry.iface} ${entry.id} ${entry.text}${flags}`;
}

interface IdTotals {
  count: number;
  firstS: number;
  lastS: number;
  maxGapS: number;
  flagged: number;
}

/** Per-id counts and the longest gap between two frames of one id. */
export class MonitorSummary {
  private readonly perId = new Map<string, IdTotals>();
  unparsedLines = 0;

  add(entry: MonitorEntry): void {
    const totals = this.perId.get(entry.id);
    if (!totals) {
      this.perId.set(entry.id, {
        count: 1,
        firstS: entry.timestampS,
        lastS: entry.timestampS,
        maxGapS: 0,
        flagged: entry.flags.length > 0 ? 1 : 0,
      });
      return;
    }
    totals.count++;
    totals.maxGapS = Math.max(totals.maxGapS, entry.timestampS - totals.lastS);
    totals.lastS = entry.timestampS;
    if (entry.flags.length > 0) totals.flagged++;
  }

  /** Sorted by id. */
  rows(): Array<{ id: string } & Readonly<IdTotals>> {
    return [...this.perId.entries()]
      .sort(([a], [b]) => a.length - b.length || a.localeCompare(b))
      .map(([id, totals]) => ({ id, ...totals }));
  }

  format(): string[] {
    const lines = ['id         frames  max gap s  flagged'];
    for (const row of this.rows()) {
      lines.push(
        `${row.id.padEnd(10)} ${String(row.count).padStart(6)}  ${row.maxGapS.toFixed(3).padStart(9)}  ${String(row.flagged).padStart(7)}`,
      );
    }
    if (this.unparsedLines > 0) lines.push(`${this.unparsedLines} line(s) were not candump -L frames`);
    return lines;
  }
}
