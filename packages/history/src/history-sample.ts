import type { BmsStatus } from '@tsbms/bms-core';

/*
 * What the history keeps of one scan: the pack's quantities, every cell's voltage by its place,
 * the limits and the contactors. SI units, the unit in the name, as in the status.
 */

/** The pack-wide quantities a tier keeps min, max and mean of. */
export const HISTORY_SERIES = ['packVoltageV', 'currentA', 'socPercent', 'temperatureC'] as const;
export type HistorySeries = (typeof HISTORY_SERIES)[number];

export interface HistorySample {
  readonly atMs: number;
  /** One value per series; `temperatureC` holds every known thermistor of the scan. */
  readonly series: Readonly<Record<HistorySeries, readonly number[]>>;
  /** Each known cell's voltage by its place, `M1C1` … (1-based as printed on the modules). */
  readonly cellsV: Readonly<Record<string, number>>;
  readonly limits: { readonly cvlV: number; readonly cclA: number; readonly dclA: number } | null;
  readonly contactorState: string;
}

/** The place of a cell as the dashboard and the Victron frames name it. */
export const cellId = (moduleAddress: number, cellIndex: number) => `M${moduleAddress}C${cellIndex + 1}`;

const known = (value: number | null): number[] => (value === null || !Number.isFinite(value) ? [] : [value]);

/** The sample of a scan's status; null for a status without a scan (no timestamp yet). */
export function historySampleOf(status: BmsStatus): HistorySample | null {
  if (status.timestampMs === null) return null;
  const cellsV: Record<string, number> = {};
  for (const module of status.modules) {
    if (!module.commsOk) continue;
    module.cells.forEach((cell, index) => {
      if (cell.voltageV !== null && Number.isFinite(cell.voltageV))
        cellsV[cellId(module.address, index)] = cell.voltageV;
    });
  }
  return {
    atMs: status.timestampMs,
    series: {
      packVoltageV: known(status.packVoltageV),
      currentA: known(status.currentA),
      socPercent: known(status.socPercent),
      temperatureC: status.modules
        .filter((module) => module.commsOk)
        .flatMap((module) => module.temperaturesC.flatMap(known)),
    },
    cellsV,
    limits: status.limits,
    contactorState: status.contactors.state,
  };
}
