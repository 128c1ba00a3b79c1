import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { INVERTER_PROFILES } from '@tsbms/output-inverter-can';
import { BAUD_RATE_RANGE, MODULE_COUNT_RANGE, type ConfigOverride } from '../config';

export const CONTROLLER_USAGE = `Usage: npm run controller -- [options]

The tsBMS daemon: discovers the Tesla Model S module boards on the serial loop, keeps scanning
them, drives the contactors, balancing and heater, and logs every change of state (JSON lines on
stderr). Without --serial (and no serial.path in the config) it runs on an in-process emulated
pack with a gentle charge/discharge cycle, so it works with no hardware at all.

Options:
  --serial PATH   serial device or pty of the module loop (e.g. /dev/ttyUSB0)
  --baud N        line rate, ${BAUD_RATE_RANGE.min}..${BAUD_RATE_RANGE.max} (default 612500)
  --modules N     modules in the pack, ${MODULE_COUNT_RANGE.min}..${MODULE_COUNT_RANGE.max} (overrides pack.moduleCount)
  --can IFACE     publish the limits to the inverter on this SocketCAN interface, e.g. can0
                  (inverter.interface)
  --inverter P    the inverter's CAN profile: ${INVERTER_PROFILES.join(', ')}
                  (inverter.profile; default victron)
  --config FILE   configuration file, JSON or YAML
  --once          discover, set up, scan once, print the status and exit
  --json          with --once: print the status as JSON
  --record FILE   append every scan to FILE as JSON lines (recordFile)
  --replay FILE   play a recording through the BMS core instead of reading modules
  --pace P        with --replay: fast (default; virtual time, prints the decisions as JSON
                  lines on stdout and exits) or realtime (runs the daemon with its outputs)
  --help          show this text

Exit codes: 0 done (or stopped by SIGINT/SIGTERM), 1 discovery found fewer modules than
configured, the port failed, the runtime failed or the recording cannot be read, 2 bad options
or configuration. A malformed line in a recording is reported with its number and skipped.`;

export interface ControllerCliOptions {
  readonly serialPath?: string;
  readonly baudRate?: number;
  readonly moduleCount?: number;
  readonly canInterface?: string;
  readonly inverterProfile?: string;
  readonly configFile?: string;
  readonly once: boolean;
  readonly json: boolean;
  readonly recordFile?: string;
  readonly replay?: { readonly file: string; readonly pace: ReplayPaceName };
}

export type ReplayPaceName = 'fast' | 'realtime';

/** A bad command line; the message is one line naming the option. */
export class CliUsageError extends Error {
  readonly code = 'BAD_OPTION';

  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}

/** An option's whole number in [min, max]; undefined when the option is absent. Throws {@link CliUsageError}. */
export function wholeNumber(
  option: string,
  text: string | undefined,
  min: number,
  max: number,
): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) {
    throw new CliUsageError(`--${option} must be a whole number from ${min} to ${max}, got "${text}"`);
  }
  return n;
}

/** The named options of a command line (no positionals), as node:util reads them; throws {@link CliUsageError}. */
export function parseOptions<Options extends ParseArgsOptionsConfig>(
  argv: readonly string[],
  options: Options,
) {
  try {
    return parseArgs({ args: [...argv], strict: true, allowPositionals: false, options }).values;
  } catch (error) {
    // node:util's messages can run over several lines; the first says what is wrong.
    throw new CliUsageError((error as Error).message.split('\n')[0]);
  }
}

/** `--can IFACE`: a network interface name (Linux allows at most 15 characters), or absent. */
export function canInterfaceName(text: string | undefined): string | undefined {
  if (text !== undefined && !/^[A-Za-z0-9_.:-]{1,15}$/.test(text)) {
    throw new CliUsageError(`--can needs a network interface name such as can0, got "${text}"`);
  }
  return text;
}

/** Parses the controller's command line: 'help' for --help; throws {@link CliUsageError}. */
export function parseControllerArgs(argv: readonly string[]): ControllerCliOptions | 'help' {
  const values = parseOptions(argv, {
    serial: { type: 'string' },
    baud: { type: 'string' },
    modules: { type: 'string' },
    can: { type: 'string' },
    inverter: { type: 'string' },
    config: { type: 'string' },
    once: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    record: { type: 'string' },
    replay: { type: 'string' },
    pace: { type: 'string' },
    help: { type: 'boolean', default: false },
  });
  if (values.help) return 'help';
  if (values.serial === '') throw new CliUsageError('--serial needs a device path');
  canInterfaceName(values.can);
  if (values.inverter !== undefined && !(INVERTER_PROFILES as readonly string[]).includes(values.inverter)) {
    throw new CliUsageError(
      `--inverter must be one of ${INVERTER_PROFILES.join(', ')}, got "${values.inverter}"`,
    );
  }
  if (values.config === '') throw new CliUsageError('--config needs a file path');
  if (values.json && !values.once)
    throw new CliUsageError('--json applies to --once only (the daemon logs JSON lines on stderr)');
  if (values.record === '') throw new CliUsageError('--record needs a file path');
  if (values.replay === '') throw new CliUsageError('--replay needs a file path');
  if (values.pace !== undefined && values.replay === undefined)
    throw new CliUsageError('--pace applies to --replay only');
  if (values.pace !== undefined && values.pace !== 'fast' && values.pace !== 'realtime')
    throw new CliUsageError(`--pace must be fast or realtime, got "${values.pace}"`);
  if (values.replay !== undefined) {
    const clash = (['serial', 'once', 'record'] as const).find((option) => values[option]);
    if (clash !== undefined)
      throw new CliUsageError(`--replay reads no modules: it does not go with --${clash}`);
  }
  return {
    serialPath: values.serial,
    baudRate: wholeNumber('baud', values.baud, BAUD_RATE_RANGE.min, BAUD_RATE_RANGE.max),
    moduleCount: wholeNumber('modules', values.modules, MODULE_COUNT_RANGE.min, MODULE_COUNT_RANGE.max),
    canInterface: values.can,
    inverterProfile: values.inverter,
    configFile: values.config,
    once: values.once,
    json: values.json,
    recordFile: values.record,
    replay:
      values.replay === undefined
        ? undefined
        : { file: values.replay, pace: (values.pace as ReplayPaceName | undefined) ?? 'fast' },
  };
}

/** The settings the command line gives: they win over the config file and the environment. */
export function commandLineOverrides(cli: ControllerCliOptions): ConfigOverride[] {
  const given: [configPath: string, value: unknown, option: string][] = [
    ['serial.path', cli.serialPath, '--serial'],
    ['serial.baudRate', cli.baudRate, '--baud'],
    ['pack.moduleCount', cli.moduleCount, '--modules'],
    ['inverter.interface', cli.canInterface, '--can'],
    ['inverter.profile', cli.inverterProfile, '--inverter'],
    ['recordFile', cli.recordFile, '--record'],
  ];
  return given
    .filter(([, value]) => value !== undefined)
    .map(([configPath, value, option]) => ({ configPath, value, origin: `${option} ${String(value)}` }));
}
