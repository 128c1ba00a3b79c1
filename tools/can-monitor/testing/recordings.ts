import { victronBmsSnapshot } from '@tsbms/inverter-can/testing';
import type { CanFrame } from '@tsbms/hal';
import {
  formatCandumpLine,
  parseCandumpLine,
  type CandumpRecord,
  type PylontechBatteryIdentity,
  type SmaBatteryIdentity,
  type VictronBatteryIdentity,
  type VictronBmsSnapshot,
} from '@tsbms/inverter-can';
import type { InverterProfile, MonitorEntry } from '../monitor';
import { MonitorSummary } from '../summary';

/*
 * Recordings made by the package's own frame functions (framesForTick, pylontechFrames, smaFrames),
 * so the monitor is tested against exactly what the BMS sends and cannot go stale with it.
 */

export const RECORDING_START_S = 1_700_000_000;

/** A 12S pack of 4 modules (2 strings), charging allowed, every optional frame known. */
export const chargingSnapshot = victronBmsSnapshot({
  dischargeCurrentLimitA: 120,
  alarms: {
    levels: { highVoltage: 'ok', lowVoltage: 'ok', bmsInternal: 'ok', cellImbalance: 'warning' },
    systemOnline: true,
  },
});

/**
 * Over-voltage fault: no charging or discharging, CVL below the pack (the SMA publisher raises it,
 * S-10), the alarm bits set.
 */
export const faultedSnapshot: VictronBmsSnapshot = {
  ...chargingSnapshot,
  chargeVoltageLimitV: 48,
  chargeCurrentLimitA: 0,
  dischargeCurrentLimitA: 0,
  batteryVoltageV: 49.63,
  alarms: { levels: { ...chargingSnapshot.alarms.levels, highVoltage: 'alarm' }, systemOnline: false },
};

export const victronIdentity: VictronBatteryIdentity = {
  manufacturerName: 'tsBMS',
  batteryName: 'tsBMS garage',
  serialNumber: 'TSB-2024-000042',
  productFamily: 'tsBMS',
  modelId: 0,
  firmwareMajor: 0,
  firmwareMinor: 1,
  seriesCellCount: 12,
  cellLowVoltageV: 3.6,
};
export const pylontechIdentity: PylontechBatteryIdentity = { ...victronIdentity, manufacturerName: 'PYLON' };
export const smaIdentity: SmaBatteryIdentity = victronIdentity;

/** One burst a tick (every `periodS`), frames 100 µs apart, as `candump -L vcan0` writes them. */
export function recordingLines(framesAt: (tick: number) => CanFrame[], ticks: number, periodS = 1): string[] {
  return Array.from({ length: ticks }, (_, tick) =>
    framesAt(tick).map((frame, i) =>
      formatCandumpLine(RECORDING_START_S + tick * periodS + i * 1e-4, 'vcan0', frame),
    ),
  ).flat();
}

export const records = (lines: readonly string[]) =>
  lines.map(parseCandumpLine).filter((r): r is CandumpRecord => r !== null);

/** Every line through one describer, as the command line does. */
export function describeLines(profile: InverterProfile, lines: readonly string[]): MonitorEntry[] {
  const describe = profile.createDescriber();
  return records(lines).map(describe);
}

export function summarise(profile: InverterProfile, lines: readonly string[]): MonitorSummary {
  const summary = new MonitorSummary(profile.schedule);
  describeLines(profile, lines).forEach((entry) => summary.add(entry));
  return summary;
}

/** The flags of the last line, after the lines before it (for the rules that span frames). */
export function lastFlags(profile: InverterProfile, ...lines: string[]): readonly string[] {
  return describeLines(profile, lines).at(-1)?.flags ?? [];
}
