import { pino } from 'pino';
import { systemClock, type ByteLink, type CanBus, type Clock } from '@tsbms/hal';
import { readCanBitRate, SocketCanBus, type GpioBinding } from '@tsbms/hal-linux';
import {
  chooseLineRate,
  diagnose,
  doctorReportSchema,
  doctorSettings,
  formatDoctorReport,
  lineQuality,
  lineRateCandidates,
  renderLinkHeatMap,
  type CanObservation,
  type DoctorObservations,
  type DoctorReport,
  type RelayName,
  type RelaysObservation,
  type SerialObservation,
} from '@tsbms/commissioning';
import { loadControllerConfig, type ControllerConfig } from '../config';
import { commandLineOverrides } from '../cli/cli-options';
import { openControllerGpio } from '../cli/controller-gpio';
import { openLink } from '../cli/run-controller';
import { DOCTOR_USAGE, parseDoctorArgs, type DoctorCliOptions } from './doctor-options';
import { observeCan } from './observe-can';
import { observeRelays } from './observe-relays';
import { framingErrorsOf, probeLineRates } from './observe-line-rates';
import { observePack, type DoctorProgress, type PackObservations } from './observe-pack';

/** Where the doctor writes: process.stdout and process.stderr, or a capture in a test. */
export interface DoctorOutput {
  write(text: string): unknown;
  /** A person is watching: the progress is shown (on stderr). */
  readonly isTTY?: boolean;
}

export interface DoctorIo {
  readonly stdout: DoctorOutput;
  readonly stderr: DoctorOutput;
  readonly env: NodeJS.ProcessEnv;
  /** A person at a terminal answers (`--relays` needs one); absent when stdin is not a terminal. */
  readonly ask?: (question: string) => Promise<string>;
  /** Aborted by Ctrl-C: a relay check stops with everything off. */
  readonly signal?: AbortSignal;
}

/** What the command talks to; the defaults are the real devices (tests pass an emulated loop). */
export interface DoctorDependencies {
  readonly clock?: Clock;
  /** Opens the module loop; default: the controller's own serial adapter on `serial.path`. */
  readonly openLink?: (config: ControllerConfig) => Promise<ByteLink>;
  readonly openCanBus?: (iface: string) => Promise<CanBus>;
  readonly readCanBitRate?: (iface: string) => Promise<number | null>;
  readonly scanIntervalMs?: number;
  readonly canListenMs?: number;
  /** The GPIO chips `--relays` claims lines on; default hal-linux's native addon. */
  readonly gpioBinding?: GpioBinding;
}

/** The controller's serial adapter, as `--once` opens it: no reconnect, nothing logged. */
async function openSerialLink(config: ControllerConfig): Promise<ByteLink> {
  return (await openLink(config, false, pino({ level: 'silent' }))).link;
}

async function openSocketCan(iface: string): Promise<CanBus> {
  const bus = new SocketCanBus({ iface });
  await bus.open();
  return bus;
}

/** Progress for a person watching: one line per step on stderr, the scan count updated in place. */
function progressPrinter(stderr: DoctorIo['stderr']): {
  step(line: string): void;
  scan(p: DoctorProgress): void;
} {
  if (!stderr.isTTY) return { step: () => undefined, scan: () => undefined };
  return {
    step: (line) => stderr.write(`doctor: ${line}\n`),
    scan: (progress) => {
      if (progress.step !== 'scan') return;
      stderr.write(
        `\rdoctor: scan ${progress.done}/${progress.of}${progress.done === progress.of ? '\n' : ''}`,
      );
    },
  };
}

function describeProgress(progress: DoctorProgress): string | null {
  switch (progress.step) {
    case 'discovery':
      return (
        `discovery: ${progress.answering.length} of ${progress.expected} modules answer` +
        (progress.renumbered ? ' (renumbered, --fix-addresses)' : '')
      );
    case 'conversions':
      return progress.enabled ? 'conversions switched on' : 'the conversion broadcasts failed';
    case 'registers':
      return `protected registers: ${progress.answered.length} of ${progress.of} modules answer`;
    case 'scan':
      return null;
  }
}

/** Runs `npm run doctor -- …`; resolves with the exit code. */
export async function runDoctor(
  argv: readonly string[],
  io: DoctorIo,
  dependencies: DoctorDependencies = {},
): Promise<number> {
  let cli: DoctorCliOptions;
  let config: ControllerConfig;
  try {
    const parsed = parseDoctorArgs(argv);
    if (parsed === 'help') {
      io.stdout.write(`${DOCTOR_USAGE}\n`);
      return 0;
    }
    cli = parsed;
    config = loadControllerConfig(
      cli.configFile,
      io.env,
      commandLineOverrides({
        serialPath: cli.serialPath,
        baudRate: cli.baudRate,
        moduleCount: cli.moduleCount,
        once: false,
        json: false,
      }),
    );
    if (config.serial.path === null)
      throw new Error('--serial PATH (or serial.path in the config) is needed');
    if (cli.relays && io.ask === undefined)
      throw new Error('--relays asks before it switches anything: run it at a terminal');
  } catch (error) {
    io.stderr.write(`doctor: ${(error as Error).message.split('\n')[0]}\n`);
    return 2;
  }
  const clock = dependencies.clock ?? systemClock;
  const progress = progressPrinter(io.stderr);
  const path = config.serial.path;
  const baudRate = config.serial.baudRate;
  progress.step(
    `${path} at ${baudRate} baud, ${config.pack.moduleCount} modules expected, ${cli.scans} scans` +
      (cli.fixAddresses ? ', renumbering allowed' : ', read-only'),
  );

  const openAt = (rate: number): Promise<ByteLink> =>
    (dependencies.openLink ?? openSerialLink)({ ...config, serial: { ...config.serial, baudRate: rate } });
  const rateProbes = await probeLineRates({
    rates: lineRateCandidates(baudRate),
    openAt,
    clock,
    expectedModules: config.pack.moduleCount,
    readWithCrc: config.serial.readWithCrc,
    // The controller's own reply timeout: a busy machine's late reply is not a wrong rate.
    replyTimeoutMs: config.serial.replyTimeoutMs,
    onRate: (probe) => progress.step(`line at ${probe.baudRate} baud: ${lineQuality(probe)}`),
  });
  const checkedAtBaud = chooseLineRate(baudRate, rateProbes);
  const neverOpened = rateProbes.every((probe) => !probe.opened);
  let serial: SerialObservation = {
    path,
    baudRate,
    opened: false,
    ...(neverOpened ? { error: rateProbes[0]?.error ?? 'unknown error' } : {}),
    rateProbes,
    checkedAtBaud,
    framingErrors: null,
  };
  let pack: PackObservations = {
    discovery: null,
    conversions: null,
    scansRequested: cli.scans,
    scanBroadcastFailures: 0,
    modules: [],
  };
  let link: ByteLink | null = null;
  if (!neverOpened) {
    try {
      link = await openAt(checkedAtBaud);
      serial = { ...serial, opened: true };
      progress.step(`serial port open at ${checkedAtBaud} baud`);
    } catch (error) {
      serial = { ...serial, error: (error as Error).message.split('\n')[0] };
    }
  }
  if (link !== null) {
    const framingBefore = framingErrorsOf(link);
    try {
      pack = await observePack({
        link,
        clock,
        expectedModules: config.pack.moduleCount,
        scans: cli.scans,
        fixAddresses: cli.fixAddresses,
        readWithCrc: config.serial.readWithCrc,
        replyTimeoutMs: config.serial.replyTimeoutMs,
        ...(dependencies.scanIntervalMs === undefined ? {} : { scanIntervalMs: dependencies.scanIntervalMs }),
        onProgress: (p) => {
          const line = describeProgress(p);
          if (line === null) progress.scan(p);
          else progress.step(line);
        },
      });
    } catch (error) {
      io.stderr.write(
        `doctor: the link failed during the checks: ${(error as Error).message.split('\n')[0]}\n`,
      );
      await link.close();
      return 1;
    }
    const framingAfter = framingErrorsOf(link);
    if (framingBefore !== null && framingAfter !== null)
      serial = { ...serial, framingErrors: framingAfter - framingBefore };
    await link.close();
  }

  let can: CanObservation | null = null;
  if (cli.canInterface !== undefined) {
    progress.step(`listening on ${cli.canInterface} for the inverter …`);
    can = await observeCan({
      iface: cli.canInterface,
      clock,
      openBus: dependencies.openCanBus ?? openSocketCan,
      readBitRate: dependencies.readCanBitRate ?? ((iface) => readCanBitRate(iface)),
      expectedBitRate: config.inverter.bitRateKbps * 1000,
      ...(dependencies.canListenMs === undefined ? {} : { listenMs: dependencies.canListenMs }),
    });
  }

  let relays: RelaysObservation | null = null;
  if (cli.relays && io.ask !== undefined) {
    const { gpio } = config;
    const pins: Partial<Record<RelayName, number | null>> = {
      contactorNegative: gpio.contactorNegativePin,
      contactorPrecharge: gpio.contactorPrechargePin,
      contactorPositive: gpio.contactorPositivePin,
      heater: gpio.heaterPin,
      statusLed: gpio.statusLedPin,
    };
    relays = await observeRelays({
      lines: Object.fromEntries(Object.entries(pins).filter(([, line]) => line !== null)),
      openGpio: () =>
        openControllerGpio(config, {
          simulated: false,
          logger: pino({ level: 'silent' }),
          ...(dependencies.gpioBinding === undefined ? {} : { binding: dependencies.gpioBinding }),
        }),
      ask: io.ask,
      // The questions and what is switched go to stderr with the progress: stdout is the report.
      say: (line) => io.stderr.write(`doctor: ${line}\n`),
      clock,
      ...(io.signal === undefined ? {} : { signal: io.signal }),
    });
  }

  const observations: DoctorObservations = { observedAtMs: clock.now(), serial, ...pack, can, relays };
  // Checked on the way out: the CLI never prints a report its published schema would refuse.
  const report: DoctorReport = doctorReportSchema.parse(
    diagnose(observations, doctorSettings({ programHardwareThresholds: config.programHardwareThresholds })),
  );
  if (cli.json) {
    io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const sections = [
      `tsbms doctor: ${path} at ${checkedAtBaud} baud, ${config.pack.moduleCount} modules expected`,
    ];
    if (pack.modules.length > 0) sections.push(renderLinkHeatMap(pack.modules));
    sections.push(formatDoctorReport(report));
    io.stdout.write(`${sections.join('\n\n')}\n`);
  }
  return report.exitCode;
}
