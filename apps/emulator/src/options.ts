import { parseArgs } from 'node:util';

export const USAGE = `Usage: npm run emulator -- --serial PATH [options]

Serves an emulated chain of Tesla Model S module boards (bq76PL536A) on a serial port or one end
of a pseudo-terminal pair (tools/pty-pair), so a BMS on the other end sees real modules.

Options:
  --serial PATH          serial device or pty to serve on (required)
  --baud N               line rate, default 612500 (617647 also works with real boards)
  --modules N            modules in the loop, 1..62, default 4
  --cells V1,V2,...      initial cell voltages in volts, repeated over all cells of all modules
  --temperatures T1,T2   initial TS1,TS2 temperatures in °C, repeated over modules
  --seed N               seed for cell spread and line noise, default 1
  --wire-timing          pace every byte at the baud rate plus a per-hop forwarding delay
  --hop-delay-us N       per-module forwarding delay with --wire-timing (default: one byte time)
  --http-port N          serve the control API on this port (0 = any free port)
  --http-host HOST       address for the control API, default 127.0.0.1
  --scenario FILE        JSON or YAML timeline of changes and faults to play
  --smartshunt PATH      also emulate a Victron SmartShunt on VE.Direct (19200 baud) on this serial
                         device or pty: the chain's pack current and voltage, once a second
  --help                 show this text`;

export interface EmulatorAppOptions {
  readonly serialPath: string;
  readonly baudRate: number;
  readonly modules: number;
  readonly cellVoltagesV?: readonly number[];
  readonly temperaturesC?: readonly number[];
  readonly seed: number;
  readonly wireTiming: boolean;
  readonly hopDelayUs?: number;
  readonly httpPort?: number;
  readonly httpHost: string;
  readonly scenarioPath?: string;
  /** Where the emulated SmartShunt sends its VE.Direct blocks; absent = none. */
  readonly smartShuntPath?: string;
}

/** A command line that cannot be run: the message names the option and what was wrong. */
export class OptionsError extends Error {
  readonly code = 'BAD_OPTION';
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`--${option}: ${message}`);
    this.name = 'OptionsError';
  }
}

function integer(option: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new OptionsError(
      option,
      `expected a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`,
    );
  }
  return value;
}

function numberList(option: string, text: string | undefined): number[] | undefined {
  if (text === undefined) return undefined;
  const values = text.split(',').map((part) => Number(part.trim()));
  if (text.trim() === '' || values.some((v) => !Number.isFinite(v))) {
    throw new OptionsError(option, `expected comma-separated numbers, got ${JSON.stringify(text)}`);
  }
  return values;
}

/** Parses the command line; returns 'help' for --help. Throws OptionsError for anything else wrong. */
export function parseEmulatorOptions(argv: readonly string[]): EmulatorAppOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        serial: { type: 'string' },
        baud: { type: 'string' },
        modules: { type: 'string' },
        cells: { type: 'string' },
        temperatures: { type: 'string' },
        seed: { type: 'string' },
        'wire-timing': { type: 'boolean' },
        'hop-delay-us': { type: 'string' },
        'http-port': { type: 'string' },
        'http-host': { type: 'string' },
        scenario: { type: 'string' },
        smartshunt: { type: 'string' },
        help: { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new OptionsError('options', (error as Error).message);
  }
  const v = parsed.values;
  if (v.help) return 'help';
  if (!v.serial) throw new OptionsError('serial', 'required: the serial device or pty to serve on');
  if (v['hop-delay-us'] !== undefined && !v['wire-timing']) {
    throw new OptionsError('hop-delay-us', 'only meaningful with --wire-timing');
  }
  return {
    serialPath: v.serial,
    baudRate: integer('baud', v.baud, 300, 10_000_000) ?? 612_500,
    modules: integer('modules', v.modules, 1, 62) ?? 4,
    cellVoltagesV: numberList('cells', v.cells),
    temperaturesC: numberList('temperatures', v.temperatures),
    seed: integer('seed', v.seed, 0, 2 ** 32 - 1) ?? 1,
    wireTiming: v['wire-timing'] === true,
    hopDelayUs: integer('hop-delay-us', v['hop-delay-us'], 0, 1_000_000),
    httpPort: integer('http-port', v['http-port'], 0, 65_535),
    httpHost: v['http-host'] ?? '127.0.0.1',
    scenarioPath: v.scenario,
    smartShuntPath: v.smartshunt,
  };
}
