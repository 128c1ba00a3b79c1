import {
  EMPTY_LINK_COUNTERS,
  type ConfigRegistersObservation,
  type DoctorObservations,
  type LinkCounters,
  type ModuleObservation,
  type ModuleScanSample,
  type ProbeOutcome,
  type RateProbeObservation,
} from '../observations';
import { lineRateCandidates } from '../line-rates';

/** Tesla's factory values of 0x40..0x47 (docs/tesla-bq76pl536a.md §4) and what they decode to. */
export const FACTORY_CONFIG_REGISTERS: ConfigRegistersObservation = Object.freeze({
  answered: true,
  registers: Object.freeze([0x10, 0x80, 0x31, 0x81, 0x08, 0x81, 0x66, 0xff]),
  thresholds: Object.freeze({ overVoltageV: 4.45, underVoltageV: 1.5, overTemperatureC: [65, 65] as const }),
});

export interface HealthyPackOptions {
  /** Default 4. */
  readonly modules?: number;
  /** Default 20. */
  readonly scans?: number;
  /** Every cell, V. Default 3.9. */
  readonly cellV?: number;
  /** TS1, TS2, °C. Default 24 and 26. */
  readonly thermistorsC?: readonly [number, number];
}

/** One scan of a healthy module: one good reply, six equal cells, GPAI = their sum. */
export function healthyScan(
  cellV = 3.9,
  thermistorsC: readonly [number, number] = [24, 26],
): ModuleScanSample {
  const cellsV = Array.from({ length: 6 }, () => cellV);
  return {
    commsOk: true,
    link: { ...EMPTY_LINK_COUNTERS, framesOk: 1 },
    cellsV,
    thermistorsC: [...thermistorsC],
    moduleVoltageV: cellV * 6,
    chipFlags: [],
  };
}

/**
 * The probe of one rate (3 echo requests, 3 reads of module 1) as it comes out on a line that is
 * `clean`, `silent` or `garbled` (the echoes come back damaged, the reads fail their CRC, the
 * port counts framing errors) at that rate.
 */
export function rateProbe(baudRate: number, line: 'clean' | 'silent' | 'garbled'): RateProbeObservation {
  const outcomes: Record<typeof line, { echo: ProbeOutcome; read: ProbeOutcome; framingErrors: number }> = {
    clean: { echo: 'NO_SUCH_MODULE', read: 'answered', framingErrors: 0 },
    silent: { echo: 'TIMEOUT', read: 'TIMEOUT', framingErrors: 0 },
    garbled: { echo: 'BAD_FRAME', read: 'CRC', framingErrors: 7 },
  };
  const { echo, read, framingErrors } = outcomes[line];
  return { baudRate, opened: true, echoes: [echo, echo, echo], reads: [read, read, read], framingErrors };
}

/** What a run over a healthy, addressed pack observes: every probe answered, every scan clean. */
export function healthyObservations(options: HealthyPackOptions = {}): DoctorObservations {
  const count = options.modules ?? 4;
  const scans = options.scans ?? 20;
  const addresses = Array.from({ length: count }, (_, i) => i + 1);
  return {
    observedAtMs: Date.UTC(2026, 11, 6, 6, 0, 0),
    serial: {
      path: '/dev/ttyUSB0',
      baudRate: 612500,
      opened: true,
      rateProbes: lineRateCandidates(612500).map((baudRate) => rateProbe(baudRate, 'clean')),
      checkedAtBaud: 612500,
      framingErrors: 0,
    },
    discovery: {
      expectedCount: count,
      probes: addresses.map((address) => ({ address, answered: true })),
      unaddressed: null,
      renumbering: null,
      addresses,
    },
    conversions: { enabled: true },
    scansRequested: scans,
    scanBroadcastFailures: 0,
    modules: addresses.map(
      (address): ModuleObservation => ({
        address,
        scans: Array.from({ length: scans }, () => healthyScan(options.cellV, options.thermistorsC)),
        configRegisters: FACTORY_CONFIG_REGISTERS,
      }),
    ),
    can: null,
    relays: null,
  };
}

/** `observations` with module `address` changed by `change`. */
export function withModule(
  observations: DoctorObservations,
  address: number,
  change: (module: ModuleObservation) => ModuleObservation,
): DoctorObservations {
  return {
    ...observations,
    modules: observations.modules.map((m) => (m.address === address ? change(m) : m)),
  };
}

/** `observations` with every scan of module `address` changed by `change` (given the scan's index). */
export function withModuleScans(
  observations: DoctorObservations,
  address: number,
  change: (scan: ModuleScanSample, index: number) => ModuleScanSample,
): DoctorObservations {
  return withModule(observations, address, (m) => ({ ...m, scans: m.scans.map(change) }));
}

/** Link counters with the given counts, the rest 0. */
export function linkCounters(counts: Partial<LinkCounters>): LinkCounters {
  return { ...EMPTY_LINK_COUNTERS, ...counts };
}
