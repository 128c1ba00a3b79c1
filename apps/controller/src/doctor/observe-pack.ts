import { sleepMs, type ByteLink, type Clock } from '@tsbms/hal';
import type { ModuleReading } from '@tsbms/pack-reading';
import {
  assignAddresses,
  cellVoltageFromRaw,
  checkRawBits,
  CONFIG_BLOCK_LENGTH,
  CONFIG_BLOCK_START,
  decodeCovThreshold,
  decodeCuvThreshold,
  decodeOtThresholds,
  DEFAULT_PROBE_TIMEOUT_MS,
  gpaiVoltageFromRaw,
  ModuleCommands,
  PackScanner,
  Register,
  TeslaBus,
  temperatureFromRaw,
  UNADDRESSED,
  type ModuleLinkStats,
} from '@tsbms/tesla-protocol';
import {
  EMPTY_LINK_COUNTERS,
  type ConfigRegistersObservation,
  type DiscoveryObservation,
  type DoctorObservations,
  type LinkCounters,
  type ModuleObservation,
  type ModuleScanSample,
  type ProbeObservation,
  type RenumberingObservation,
  type TransactionFailure,
} from '@tsbms/commissioning';
import { failureOf, rethrowIfClosed } from './transaction-failure';

/*
 * The doctor's measurements on the module loop, over any ByteLink (the serial port, the emulator
 * in a test). Read-only unless renumbering is allowed (--fix-addresses): it probes, reads and
 * broadcasts only what a reading needs (ADC_CONTROL, IO_CONTROL, ADC_CONVERT: T-29). No hardware
 * threshold, no balancing, no clearing of latched bits.
 */

export interface PackObservationOptions {
  readonly link: ByteLink;
  readonly clock: Clock;
  /** The modules the pack should have (T-14 probes 1..N). */
  readonly expectedModules: number;
  readonly scans: number;
  /** Pause between scans, so an intermittent fault has time to show. Default 100 ms. */
  readonly scanIntervalMs?: number;
  /** Renumber (T-15: broadcast reset, then addresses 1..N) when a probe fails. */
  readonly fixAddresses: boolean;
  readonly readWithCrc?: boolean;
  readonly replyTimeoutMs?: number;
  readonly onProgress?: (progress: DoctorProgress) => void;
}

export type DoctorProgress =
  | {
      readonly step: 'discovery';
      readonly expected: number;
      readonly answering: readonly number[];
      readonly renumbered: boolean;
    }
  | { readonly step: 'conversions'; readonly enabled: boolean }
  | { readonly step: 'scan'; readonly done: number; readonly of: number }
  | { readonly step: 'registers'; readonly answered: readonly number[]; readonly of: number };

export type PackObservations = Pick<
  DoctorObservations,
  'discovery' | 'conversions' | 'scansRequested' | 'scanBroadcastFailures' | 'modules'
>;

export const DEFAULT_SCAN_INTERVAL_MS = 100;

export async function observePack(options: PackObservationOptions): Promise<PackObservations> {
  const { clock } = options;
  const bus = new TeslaBus(options.link, {
    clock,
    ...(options.readWithCrc === undefined ? {} : { readWithCrc: options.readWithCrc }),
    ...(options.replyTimeoutMs === undefined ? {} : { replyTimeoutMs: options.replyTimeoutMs }),
  });
  try {
    const discovery = await discover(bus, options);
    options.onProgress?.({
      step: 'discovery',
      expected: options.expectedModules,
      answering: discovery.addresses,
      renumbered: discovery.renumbering !== null,
    });
    const nothing = {
      discovery,
      conversions: null,
      scansRequested: options.scans,
      scanBroadcastFailures: 0,
      modules: [],
    };
    if (discovery.addresses.length === 0) return nothing;
    const conversions = await enableConversions(bus);
    options.onProgress?.({ step: 'conversions', enabled: conversions.enabled });
    const { samples, broadcastFailures } = await scanRepeatedly(bus, discovery.addresses, options);
    const modules: ModuleObservation[] = [];
    for (const address of discovery.addresses) {
      modules.push({
        address,
        scans: samples.get(address) ?? [],
        configRegisters: await readConfigRegisters(bus, address),
      });
    }
    options.onProgress?.({
      step: 'registers',
      answered: modules.filter((m) => m.configRegisters?.answered).map((m) => m.address),
      of: modules.length,
    });
    return {
      discovery,
      conversions,
      scansRequested: options.scans,
      scanBroadcastFailures: broadcastFailures,
      modules,
    };
  } finally {
    bus.dispose();
  }
}

/** T-14 without its renumbering: every address probed, address 0 asked when one failed. */
async function discover(bus: TeslaBus, options: PackObservationOptions): Promise<DiscoveryObservation> {
  const probe = { timeoutMs: DEFAULT_PROBE_TIMEOUT_MS };
  const probes: ProbeObservation[] = [];
  for (let address = 1; address <= options.expectedModules; address++) {
    const outcome = await attempt(() => bus.readRegister(address, Register.DEVICE_STATUS, probe));
    probes.push(
      outcome.ok ? { address, answered: true } : { address, answered: false, failure: outcome.failure },
    );
  }
  const answered = probes.filter((p) => p.answered).map((p) => p.address);
  if (answered.length === probes.length) {
    return {
      expectedCount: options.expectedModules,
      probes,
      unaddressed: null,
      renumbering: null,
      addresses: answered,
    };
  }
  const atZero = await attempt(() => bus.readRegister(UNADDRESSED, Register.DEVICE_STATUS, probe));
  const unaddressed = atZero.ok ? { answered: true } : { answered: false, failure: atZero.failure };
  let renumbering: RenumberingObservation | null = null;
  if (options.fixAddresses) {
    try {
      const result = await assignAddresses(bus, {
        clock: options.clock,
        expectedCount: options.expectedModules,
      });
      renumbering = {
        addresses: [...result.addresses],
        end: result.end === 'allAnswered' ? 'chainEnd' : result.end,
        ...(result.error ? { error: result.error.message } : {}),
      };
    } catch (error) {
      rethrowIfClosed(error);
      renumbering = { addresses: [], end: 'error', error: (error as Error).message };
    }
  }
  return {
    expectedCount: options.expectedModules,
    probes,
    unaddressed,
    renumbering,
    addresses: renumbering === null ? answered : renumbering.addresses,
  };
}

async function enableConversions(bus: TeslaBus): Promise<{ enabled: boolean; error?: string }> {
  try {
    await new ModuleCommands(bus).enableConversions();
    return { enabled: true };
  } catch (error) {
    rethrowIfClosed(error);
    return { enabled: false, error: (error as Error).message };
  }
}

async function scanRepeatedly(
  bus: TeslaBus,
  addresses: readonly number[],
  options: PackObservationOptions,
): Promise<{ samples: Map<number, ModuleScanSample[]>; broadcastFailures: number }> {
  const scanner = new PackScanner(bus, { clock: options.clock });
  const samples = new Map<number, ModuleScanSample[]>(addresses.map((a) => [a, []]));
  for (let scan = 0; scan < options.scans; scan++) {
    if (scan > 0) await sleepMs(options.clock, options.scanIntervalMs ?? DEFAULT_SCAN_INTERVAL_MS);
    const before = bus.stats.perModule;
    const reading = await scanner.scanPack(addresses);
    const after = bus.stats.perModule;
    for (const module of reading.modules) {
      samples
        .get(module.address)
        ?.push(sampleOf(module, difference(after[module.address], before[module.address])));
    }
    options.onProgress?.({ step: 'scan', done: scan + 1, of: options.scans });
  }
  return { samples, broadcastFailures: scanner.stats.broadcastFailures };
}

/** The reading as measured: the values the scan rejected as implausible (T-13) are put back. */
function sampleOf(reading: ModuleReading, link: LinkCounters): ModuleScanSample {
  const cellsV = [...reading.cellVoltagesV];
  const thermistorsC = [...reading.temperaturesC];
  let moduleVoltageV = reading.moduleVoltageV;
  for (const rejected of reading.implausible) {
    if (checkRawBits(rejected.raw) !== null) continue;
    if (rejected.quantity === 'cellVoltage') cellsV[rejected.index] = cellVoltageFromRaw(rejected.raw);
    if (rejected.quantity === 'temperature') {
      const celsius = temperatureFromRaw(rejected.raw);
      thermistorsC[rejected.index] = Number.isFinite(celsius) ? celsius : null;
    }
    if (rejected.quantity === 'moduleVoltage') moduleVoltageV = gpaiVoltageFromRaw(rejected.raw);
  }
  return {
    commsOk: reading.commsOk,
    link,
    cellsV,
    thermistorsC,
    moduleVoltageV,
    chipFlags: [...reading.hardwareFlags],
  };
}

async function readConfigRegisters(bus: TeslaBus, address: number): Promise<ConfigRegistersObservation> {
  try {
    const registers = await bus.readRegisters(address, CONFIG_BLOCK_START, CONFIG_BLOCK_LENGTH);
    const at = (register: number) => registers[register - CONFIG_BLOCK_START];
    const [ot1, ot2] = decodeOtThresholds(at(Register.CONFIG_OT));
    return {
      answered: true,
      registers: [...registers],
      thresholds: {
        overVoltageV: decodeCovThreshold(at(Register.CONFIG_COV)) ?? null,
        underVoltageV: decodeCuvThreshold(at(Register.CONFIG_UV)) ?? null,
        overTemperatureC: [ot1 ?? null, ot2 ?? null],
      },
    };
  } catch (error) {
    rethrowIfClosed(error);
    return { answered: false, failure: failureOf(error), detail: (error as Error).message };
  }
}

type Attempt = { readonly ok: true } | { readonly ok: false; readonly failure: TransactionFailure };

async function attempt(transaction: () => Promise<unknown>): Promise<Attempt> {
  try {
    await transaction();
    return { ok: true };
  } catch (error) {
    rethrowIfClosed(error);
    return { ok: false, failure: failureOf(error) };
  }
}

function difference(after: ModuleLinkStats | undefined, before: ModuleLinkStats | undefined): LinkCounters {
  const a = after ?? EMPTY_LINK_COUNTERS;
  const b = before ?? EMPTY_LINK_COUNTERS;
  return {
    framesOk: a.framesOk - b.framesOk,
    crcErrors: a.crcErrors - b.crcErrors,
    badFrames: a.badFrames - b.badFrames,
    echoMismatches: a.echoMismatches - b.echoMismatches,
    timeouts: a.timeouts - b.timeouts,
    noSuchModule: a.noSuchModule - b.noSuchModule,
    retries: a.retries - b.retries,
  };
}
