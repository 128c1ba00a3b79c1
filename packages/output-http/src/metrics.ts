import type { Gauge, Registry } from 'prom-client';
import { FAULT_LEVELS } from '@tsbms/fault-engine';
import type { BmsStatus, LinkStats, OutputContext } from '@tsbms/bms-core';

/*
 * GET /metrics: read from the latest snapshot at scrape time (collect callbacks), so nothing is
 * computed per scan. Unknown values (null) are left out rather than reported as 0.
 */

/** The pack source's counters per module address (the Tesla loop's T-5 counts). */
export const MODULE_COUNTERS = [
  ['framesOk', 'Frames received with a good CRC'],
  ['crcErrors', 'Frames with a CRC error'],
  ['badFrames', 'Malformed frames'],
  ['echoMismatches', 'Write echoes that did not match'],
  ['timeouts', 'Requests without an answer in time'],
  ['noSuchModule', 'Requests to an address nobody answered'],
  ['retries', 'Requests repeated after an error'],
] as const;

/** The pack source's counters of the whole link, beside the module counters' totals. */
export const BUS_COUNTERS = [
  ['linkErrors', 'tsbms_comms_link_errors_total', 'Serial link errors'],
  ['bytesSent', 'tsbms_comms_sent_bytes_total', 'Bytes written to the serial loop'],
  ['bytesReceived', 'tsbms_comms_received_bytes_total', 'Bytes read from the serial loop'],
  ['droppedBytes', 'tsbms_comms_dropped_bytes_total', 'Garbage, rejected frames and stray input discarded'],
] as const;

/** The serial port's own UART counts (`ByteLink.lineErrors()`), among the totals where the port keeps them. */
export const UART_COUNTERS = [
  [
    'framingErrors',
    'tsbms_comms_framing_errors_total',
    "Bytes the serial port's UART received with a low stop bit, since the port opened (absent where the port counts none, e.g. a pty)",
  ],
  [
    'overruns',
    'tsbms_comms_overruns_total',
    "Bytes the serial port's UART lost for want of reading, since the port opened (absent where the port counts none)",
  ],
] as const;

export type ModuleCounterName = (typeof MODULE_COUNTERS)[number][0];
export type BusCounterName = (typeof BUS_COUNTERS)[number][0];

function snakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** The latest snapshot, or null while the core (re)starts: the scrape then has only counters. */
function latestStatus(context: OutputContext<unknown>): BmsStatus | null {
  try {
    return context.status();
  } catch {
    return null;
  }
}

function latestComms(context: OutputContext<unknown>): LinkStats | null {
  try {
    return context.linkStats();
  } catch {
    return null;
  }
}

type EnergyCounters = NonNullable<BmsStatus['energy']>;

/** An hour-based total (Wh, Ah) in the base unit Prometheus wants: × 3600 s/h gives J, C. */
const inBaseUnits =
  (hourTotal: (energy: EnergyCounters) => number) =>
  (status: BmsStatus): number | null =>
    status.energy === null ? null : hourTotal(status.energy) * 3600;

/** The lifetime totals as Prometheus counters, each in its base unit (J, C: Wh and Ah × 3600). */
const LIFETIME_COUNTERS = [
  ['tsbms_energy_charged_joules_total', 'Energy charged into the pack, lifetime', 'chargedWh'],
  ['tsbms_energy_discharged_joules_total', 'Energy discharged from the pack, lifetime', 'dischargedWh'],
  ['tsbms_charge_charged_coulombs_total', 'Electric charge into the pack, lifetime', 'chargedAh'],
  ['tsbms_charge_discharged_coulombs_total', 'Electric charge out of the pack, lifetime', 'dischargedAh'],
] as const;

/** A registry of its own (never prom-client's global one), filled from `context` at each scrape. */
export function createMetricsRegistry(context: OutputContext<unknown>): Registry {
  // Loaded on first use, like express (http-app.ts).
  const promClient = require('prom-client') as typeof import('prom-client');
  const registry = new promClient.Registry();
  const gauge = (
    name: string,
    help: string,
    labelNames: readonly string[],
    fill: (g: Gauge, s: BmsStatus) => void,
  ) =>
    new promClient.Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        // reset() leaves an unlabelled gauge at 0; an unknown value must be absent instead.
        this.remove({});
        const status = latestStatus(context);
        if (status !== null) fill(this, status);
      },
    });
  const setKnown = (g: Gauge, labels: Record<string, string | number>, value: number | null) => {
    if (value !== null && Number.isFinite(value)) g.set(labels, value);
  };
  /** A lifetime total the status keeps (the state file carries it across restarts); absent when unknown. */
  const statusCounter = (name: string, help: string, total: (s: BmsStatus) => number | null) =>
    new promClient.Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.remove({});
        const status = latestStatus(context);
        const value = status === null ? null : total(status);
        if (value !== null && Number.isFinite(value) && value >= 0) this.inc(value);
      },
    });

  gauge('tsbms_cell_voltage_volts', 'Cell voltage', ['module', 'cell'], (g, s) =>
    s.modules.forEach((m) =>
      m.cells.forEach((c, i) => setKnown(g, { module: m.address, cell: i + 1 }, c.voltageV)),
    ),
  );
  gauge('tsbms_cell_balancing', '1 while the cell bleed resistor is on', ['module', 'cell'], (g, s) =>
    s.modules.forEach((m) =>
      m.cells.forEach((c, i) => g.set({ module: m.address, cell: i + 1 }, c.balancing ? 1 : 0)),
    ),
  );
  gauge('tsbms_module_voltage_volts', 'Module voltage', ['module'], (g, s) =>
    s.modules.forEach((m) => setKnown(g, { module: m.address }, m.voltageV)),
  );
  gauge('tsbms_module_temperature_celsius', 'Module thermistor temperature', ['module', 'sensor'], (g, s) =>
    s.modules.forEach((m) =>
      m.temperaturesC.forEach((t, i) => setKnown(g, { module: m.address, sensor: i + 1 }, t)),
    ),
  );
  gauge('tsbms_module_comms_ok', '1 while the module answers', ['module'], (g, s) =>
    s.modules.forEach((m) => g.set({ module: m.address }, m.commsOk ? 1 : 0)),
  );
  gauge('tsbms_pack_voltage_volts', 'Pack voltage', [], (g, s) => setKnown(g, {}, s.packVoltageV));
  gauge('tsbms_pack_current_amperes', 'Pack current, positive = charging', [], (g, s) =>
    setKnown(g, {}, s.currentA),
  );
  gauge('tsbms_soc_percent', 'State of charge of the usable window', [], (g, s) =>
    setKnown(g, {}, s.socPercent),
  );
  gauge('tsbms_pack_power_watts', 'Pack power (current x pack voltage), positive = charging', [], (g, s) =>
    setKnown(g, {}, s.powerW),
  );
  gauge('tsbms_pack_time_to_empty_seconds', 'Time to empty at the averaged discharge current', [], (g, s) =>
    setKnown(g, {}, s.timeToGo.toEmptyS),
  );
  gauge('tsbms_pack_time_to_full_seconds', 'Time to full at the averaged charge current', [], (g, s) =>
    setKnown(g, {}, s.timeToGo.toFullS),
  );
  for (const [name, help, total] of LIFETIME_COUNTERS)
    statusCounter(
      name,
      help,
      inBaseUnits((e) => e[total]),
    );
  // A gauge, not a counter: a new capacity setting rescales it, which a counter would take as a reset.
  gauge(
    'tsbms_equivalent_cycles',
    'Equivalent full cycles: discharged charge / the usable charge at full health',
    [],
    (g, s) => setKnown(g, {}, s.energy?.equivalentCycles ?? null),
  );
  gauge('tsbms_charge_voltage_limit_volts', 'Charge voltage limit (CVL) sent to the inverter', [], (g, s) =>
    setKnown(g, {}, s.limits?.cvlV ?? null),
  );
  gauge('tsbms_charge_current_limit_amperes', 'Charge current limit (CCL) sent to the inverter', [], (g, s) =>
    setKnown(g, {}, s.limits?.cclA ?? null),
  );
  gauge(
    'tsbms_discharge_current_limit_amperes',
    'Discharge current limit (DCL) sent to the inverter',
    [],
    (g, s) => setKnown(g, {}, s.limits?.dclA ?? null),
  );
  gauge('tsbms_active_faults', 'Active fault conditions by level', ['level'], (g, s) => {
    for (const level of FAULT_LEVELS) {
      g.set({ level }, [...s.faults, ...s.alerts].filter((fault) => fault.level === level).length);
    }
  });
  gauge('tsbms_contactors_closed', '1 while the main contactors are closed', [], (g, s) =>
    g.set(s.contactors.state === 'CLOSED' ? 1 : 0),
  );
  gauge('tsbms_last_scan_timestamp_seconds', 'Clock time of the latest scan', [], (g, s) =>
    setKnown(g, {}, s.timestampMs === null ? null : s.timestampMs / 1000),
  );

  for (const [key, help] of MODULE_COUNTERS) {
    new promClient.Counter({
      name: `tsbms_comms_${snakeCase(key)}_total`,
      help: `${help}, by module address (0 = unaddressed, 63 = broadcast)`,
      labelNames: ['address'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [address, stats] of Object.entries(latestComms(context)?.perModule ?? {})) {
          this.inc({ address }, stats[key] ?? 0);
        }
      },
    });
  }
  for (const [key, name, help] of [...BUS_COUNTERS, ...UART_COUNTERS]) {
    new promClient.Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        // Unknown is left out, not 0: no source yet, or a port whose UART counts nothing (a pty).
        const value = latestComms(context)?.totals[key];
        if (value === undefined) this.remove();
        else this.inc(value);
      },
    });
  }
  return registry;
}
