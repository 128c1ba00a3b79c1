import { describeLocation, type BmsStatus } from '@tsbms/bms-core';
import type { FaultEvent } from '@tsbms/fault-engine';
import { integerField, type InfluxPoint } from './line-protocol';

/*
 * What the BMS's readings become in InfluxDB: a pure mapping from a status snapshot (and from a
 * fault event) to points. Field names are snake_case with their unit as suffix (`_v`, `_a`, `_c`,
 * `_w`, `_percent`), as Prometheus and InfluxDB's own exporters name them; a status value that is
 * null (unknown, not measured) is left out, never written as 0. Every point has the `pack` tag.
 */

/** The measurements written. */
export const INFLUX_MEASUREMENTS = {
  /** One point per sample: the pack as a whole. */
  pack: 'tsbms_pack',
  /** One point per cell per sample (optional). */
  cell: 'tsbms_cell',
  /** One point per module thermistor per sample (optional). */
  moduleTemperature: 'tsbms_module_temperature',
  /** One point per fault event: raise, clear, acknowledge, acknowledgeRejected. */
  fault: 'tsbms_fault',
} as const;

export interface InfluxPointSettings {
  /** The `pack` tag of every point. */
  readonly pack: string;
  /** Write a `tsbms_cell` point per cell. */
  readonly cells: boolean;
  /** Write a `tsbms_module_temperature` point per thermistor. */
  readonly temperatures: boolean;
}

/** Milliseconds as the writer posts them (`precision=ms`): whole. */
const wholeMs = (ms: number) => Math.round(ms);

/**
 * The points of one status snapshot, all at the time of its scan; none before the first scan.
 * Per-cell and per-thermistor points are left out for a module whose scan failed (`stale`): its
 * values are the last good ones, and repeating them would draw a flat line where there is a gap.
 */
export function statusPoints(status: BmsStatus, settings: InfluxPointSettings): InfluxPoint[] {
  if (status.timestampMs === null) return [];
  const timestampMs = wholeMs(status.timestampMs);
  const { extremes, limits } = status;
  const points: InfluxPoint[] = [
    {
      measurement: INFLUX_MEASUREMENTS.pack,
      tags: { pack: settings.pack },
      fields: {
        pack_voltage_v: status.packVoltageV,
        current_a: status.currentA,
        power_w: status.powerW,
        soc_percent: status.socPercent,
        soh_percent: status.sohPercent,
        cvl_v: limits?.cvlV,
        ccl_a: limits?.cclA,
        dcl_a: limits?.dclA,
        contactors_closed: status.contactors.state === 'CLOSED',
        contactor_state: status.contactors.state,
        cell_min_voltage_v: extremes.lowestCell?.voltageV,
        cell_max_voltage_v: extremes.highestCell?.voltageV,
        cell_spread_v: extremes.cellSpreadV,
        temperature_min_c: extremes.lowestTemperature?.temperatureC,
        temperature_max_c: extremes.highestTemperature?.temperatureC,
        faults_active: integerField(status.faults.length),
        alerts_active: integerField(status.alerts.length),
        modules_found: status.discovery.found === null ? null : integerField(status.discovery.found),
      },
      timestampMs,
    },
  ];
  for (const module of status.modules) {
    if (module.stale) continue;
    const moduleTag = String(module.address);
    if (settings.cells)
      module.cells.forEach((cell, i) =>
        points.push({
          measurement: INFLUX_MEASUREMENTS.cell,
          tags: { pack: settings.pack, module: moduleTag, cell: String(i + 1) },
          fields: { voltage_v: cell.voltageV, balancing: cell.balancing },
          timestampMs,
        }),
      );
    if (settings.temperatures)
      module.temperaturesC.forEach((temperatureC, i) =>
        points.push({
          measurement: INFLUX_MEASUREMENTS.moduleTemperature,
          tags: { pack: settings.pack, module: moduleTag, sensor: String(i + 1) },
          fields: { temperature_c: temperatureC },
          timestampMs,
        }),
      );
  }
  return points;
}

/**
 * A fault event as a point at its own time. The place is a tag (`module 2 cell 3`, `pack`), not a
 * field: two events of one kind, level and type in the same scan at two places would otherwise be
 * one series at one time, and InfluxDB would keep only the second.
 */
export function faultEventPoint(event: FaultEvent, pack: string): InfluxPoint {
  return {
    measurement: INFLUX_MEASUREMENTS.fault,
    tags: {
      pack,
      kind: event.kind,
      level: event.level,
      type: event.type,
      location: describeLocation(event.location),
    },
    fields: {
      value: event.value,
      latched: event.latched,
      source: event.source,
      detail: event.detail,
      reason: event.reason,
    },
    timestampMs: wholeMs(event.timestampMs),
  };
}
