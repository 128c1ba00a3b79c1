import type { ModuleHardwareFlag } from '@tsbms/pack-reading';

/*
 * What a commissioning run measured, as plain data. A runner (the controller's `doctor` command)
 * talks to the serial loop and the CAN interface and fills this in; `diagnose` turns it into
 * findings. Nothing here knows how the values were obtained, so another module type, a recording
 * or a hand-made test case can be diagnosed the same way.
 */

/**
 * How one transaction failed (docs/tesla-bq76pl536a.md T-5): no byte at all (`TIMEOUT`, the loop
 * is silent), the request came back unchanged (`NO_SUCH_MODULE`: the loop is closed but nobody at
 * that address took it), a reply with a wrong CRC (`CRC`), anything else invalid (`BAD_FRAME`).
 * `OTHER` is any other error (a closed link, a refused write).
 */
export type TransactionFailure =
  | 'TIMEOUT'
  | 'NO_SUCH_MODULE'
  | 'CRC'
  | 'BAD_FRAME'
  | 'ECHO_MISMATCH'
  | 'OTHER';

/** How one probe transaction ended: a valid reply, or how it failed (T-5). */
export type ProbeOutcome = 'answered' | TransactionFailure;

/**
 * The port opened at one rate and a few transactions tried, before anything else: requests to an
 * address no board has, which a closed loop returns unchanged (`NO_SUCH_MODULE`, T-5), and
 * DEVICE_STATUS reads of module 1. Adapters only approximate the boards' rate (T-1) and some
 * round the rate asked to one the boards cannot read, so the rate that works is found by trying.
 */
export interface RateProbeObservation {
  /** The rate the port was opened at, baud. */
  readonly baudRate: number;
  readonly opened: boolean;
  /** Why it did not open at this rate (the adapter's message). */
  readonly error?: string;
  /** The echo requests, in order; empty when the pack uses every address (62 modules). */
  readonly echoes: readonly ProbeOutcome[];
  /** The DEVICE_STATUS reads of module 1, in order. */
  readonly reads: readonly ProbeOutcome[];
  /** Framing errors the port counted meanwhile; null when the port does not report them. */
  readonly framingErrors: number | null;
}

/** The serial port the loop hangs on. */
export interface SerialObservation {
  readonly path: string;
  /** The rate asked for (`--baud`, serial.baudRate), baud. */
  readonly baudRate: number;
  /** The port opened (at any rate). */
  readonly opened: boolean;
  /** Why it did not open (the adapter's message). */
  readonly error?: string;
  /** The rates tried, the one asked first (see {@link lineRateCandidates}). */
  readonly rateProbes: readonly RateProbeObservation[];
  /** The rate the rest of the run used: the one asked, or the first that worked when it did not. */
  readonly checkedAtBaud: number;
  /** Framing errors counted during the rest of the run; null when the port does not report them. */
  readonly framingErrors: number | null;
}

/** One read-only probe: DEVICE_STATUS at an address (T-14). */
export interface ProbeObservation {
  readonly address: number;
  readonly answered: boolean;
  /** How the probe failed, after its retries. */
  readonly failure?: TransactionFailure;
}

/** Renumbering (T-15), done only when the runner was allowed to (the doctor's `--fix-addresses`). */
export interface RenumberingObservation {
  /** The addresses assigned, in chain order. */
  readonly addresses: readonly number[];
  /** `chainEnd`: no unaddressed module left; `maxAddress`: stopped at 62; `error`: stopped by `error`. */
  readonly end: 'chainEnd' | 'maxAddress' | 'error';
  readonly error?: string;
}

export interface DiscoveryObservation {
  /** The modules the pack should have (`--modules`, `pack.moduleCount`). */
  readonly expectedCount: number;
  /** Addresses 1..expectedCount, each probed whatever the others did. */
  readonly probes: readonly ProbeObservation[];
  /**
   * DEVICE_STATUS read at address 0, asked when a probe failed: an answer means a module without
   * an address (reset or newly powered) sits in the loop. Null when not asked.
   */
  readonly unaddressed: { readonly answered: boolean; readonly failure?: TransactionFailure } | null;
  /** Null when nothing was renumbered. */
  readonly renumbering: RenumberingObservation | null;
  /** The addresses that were scanned: those that answered their probe, or those assigned. */
  readonly addresses: readonly number[];
}

/** Transactions with one address, by outcome (T-5; `BusStats.perModule` of tesla-protocol). */
export interface LinkCounters {
  readonly framesOk: number;
  readonly crcErrors: number;
  readonly badFrames: number;
  readonly echoMismatches: number;
  readonly timeouts: number;
  readonly noSuchModule: number;
  readonly retries: number;
}

/** One module in one scan. Values are as measured: out-of-range ones are kept, not dropped. */
export interface ModuleScanSample {
  /** A valid reading came back in this scan. */
  readonly commsOk: boolean;
  /** The transactions with this module during this scan. */
  readonly link: LinkCounters;
  /** Cells 1..6, volts; null when not read. */
  readonly cellsV: readonly (number | null)[];
  /** Thermistors TS1, TS2, °C; null when not read (an open or shorted one reads far out of range). */
  readonly thermistorsC: readonly (number | null)[];
  /** GPAI, the board's own measurement of the module voltage (VBAT), volts; null when not read. */
  readonly moduleVoltageV: number | null;
  /** Status flags the board reported (latched bits stay until cleared; the doctor never clears). */
  readonly chipFlags: readonly ModuleHardwareFlag[];
}

/** The hardware thresholds decoded from 0x40..0x47 (null = that threshold is disabled). */
export interface HardwareThresholdsRead {
  readonly overVoltageV: number | null;
  readonly underVoltageV: number | null;
  readonly overTemperatureC: readonly [number | null, number | null];
}

/** The read-back of the protected configuration registers 0x40..0x47 (T-18). */
export type ConfigRegistersObservation =
  | {
      readonly answered: true;
      /** 0x40..0x47 as read. */
      readonly registers: readonly number[];
      readonly thresholds: HardwareThresholdsRead;
    }
  | {
      readonly answered: false;
      /** `TIMEOUT` or `NO_SUCH_MODULE` from a module that answers its readings: no such registers. */
      readonly failure: TransactionFailure;
      readonly detail: string;
    };

export interface ModuleObservation {
  readonly address: number;
  /** One entry per scan, in order. */
  readonly scans: readonly ModuleScanSample[];
  /** Null when not read. */
  readonly configRegisters: ConfigRegistersObservation | null;
}

/** The inverter's CAN interface, when the runner was asked to look at it. */
export interface CanObservation {
  readonly iface: string;
  readonly opened: boolean;
  /** Why it did not open (missing, down, not CAN). */
  readonly error?: string;
  /** What the kernel runs it at, bit/s; null when unknown (a vcan has none). */
  readonly bitRate: number | null;
  /** What the configured inverter profile uses, bit/s; null when not known. */
  readonly expectedBitRate: number | null;
  /** How long the runner listened. */
  readonly listenedMs: number;
  /** Frames from other nodes seen while listening. */
  readonly framesSeen: number;
  /** Of those, the inverter's 0x305 (a GX's keep-alive, V-6; a Pylontech or SMA inverter's reply). */
  readonly inverterFramesSeen: number;
}

/** The outputs `--relays` switches, as the controller's `gpio` section names them (`<name>Pin`). */
export const RELAY_NAMES = [
  'contactorNegative',
  'contactorPrecharge',
  'contactorPositive',
  'heater',
  'statusLed',
] as const;
export type RelayName = (typeof RELAY_NAMES)[number];

/** The contactors that may have a feedback input (`gpio.<name>FeedbackPin`, B-14). */
export type FeedbackName = 'contactorNegative' | 'contactorPrecharge' | 'contactorPositive';

/** Every fitted feedback input at one moment: true = its contactor reads closed. */
export type FeedbackReading = Readonly<Partial<Record<FeedbackName, boolean>>>;

/** One output switched on for a moment and off again, with a person listening. */
export interface RelayCheckObservation {
  readonly relay: RelayName;
  /** Its GPIO line. */
  readonly line: number;
  /** The feedback inputs with every output off, just before. */
  readonly feedbackBefore: FeedbackReading;
  /** The feedback inputs at the end of the moment this output was on. */
  readonly feedbackEnergised: FeedbackReading;
  /** The feedback inputs after it was switched off again. */
  readonly feedbackAfter: FeedbackReading;
  /** The person's answer: it clicked (a lamp: it lit); null when not answered. */
  readonly confirmed: boolean | null;
}

/** The `--relays` check: asked for explicitly, done only once a person confirmed the pack is disconnected. */
export interface RelaysObservation {
  /** The outputs configured, by name and line, in the order they are switched. */
  readonly fitted: readonly { readonly relay: RelayName; readonly line: number }[];
  /** The contactors with a feedback input. */
  readonly feedbackFitted: readonly FeedbackName[];
  /** The person typed the confirmation that the battery is disconnected from the contactors. */
  readonly confirmedDisconnected: boolean;
  /** Why the lines could not be claimed or switched (the GPIO error). */
  readonly error?: string;
  /** Stopped (Ctrl-C) before every output was checked; everything was switched off. */
  readonly interrupted: boolean;
  readonly checks: readonly RelayCheckObservation[];
}

/** Everything one run measured. */
export interface DoctorObservations {
  /** When the run ended, ms since the epoch (the runner's clock). */
  readonly observedAtMs: number;
  readonly serial: SerialObservation;
  /** Null when the port did not open. */
  readonly discovery: DiscoveryObservation | null;
  /**
   * The ADC_CONTROL and IO_CONTROL broadcasts a reading needs (T-29); null when not sent (nothing
   * to scan). Without them the thermistors read as open, so readings are not judged.
   */
  readonly conversions: { readonly enabled: boolean; readonly error?: string } | null;
  /** Scans asked for. */
  readonly scansRequested: number;
  /** Scans in which the broadcast convert failed, so no module was read. */
  readonly scanBroadcastFailures: number;
  /** One per scanned address, in address order. */
  readonly modules: readonly ModuleObservation[];
  /** Null when not checked. */
  readonly can: CanObservation | null;
  /** Null when not asked (`--relays`). */
  readonly relays: RelaysObservation | null;
}

export const EMPTY_LINK_COUNTERS: LinkCounters = Object.freeze({
  framesOk: 0,
  crcErrors: 0,
  badFrames: 0,
  echoMismatches: 0,
  timeouts: 0,
  noSuchModule: 0,
  retries: 0,
});

/** Every transaction, whatever its outcome (retries are counted by their attempts already). */
export function transactionsOf(link: LinkCounters): number {
  return (
    link.framesOk + link.crcErrors + link.badFrames + link.echoMismatches + link.timeouts + link.noSuchModule
  );
}

/** Transactions that failed. */
export function failuresOf(link: LinkCounters): number {
  return transactionsOf(link) - link.framesOk;
}

/** The counters of several scans added up. */
export function sumLinkCounters(counters: readonly LinkCounters[]): LinkCounters {
  const total: Record<keyof LinkCounters, number> = { ...EMPTY_LINK_COUNTERS };
  for (const c of counters) {
    for (const key of Object.keys(total) as (keyof LinkCounters)[]) total[key] += c[key];
  }
  return Object.freeze(total);
}
