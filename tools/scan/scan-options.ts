import { parseArgs } from 'node:util';

export const SCAN_USAGE = `Usage: npm run scan -- [--serial PATH] [options]

Discovers the Tesla Model S module boards on a serial loop, scans them once and prints the
reading as JSON on stdout (progress goes to stderr). Without --serial it scans an in-process
emulated pack, so it runs with no hardware at all.

Options:
  --serial PATH        serial device or pty of the module loop (e.g. /dev/ttyUSB0)
  --baud N             line rate, default 612500 (617647 also works with both board revisions)
  --modules N          modules expected on the loop, 1..62, default 4
  --three-byte-reads   send reads without their CRC byte (fallback for boards that reject it)
  --timeout-ms N       reply timeout per transaction, default 100
  --help               show this text

Exit codes: 0 all expected modules found and scanned, 1 fewer or more found (the scan of those
found is still printed) or the port failed, 2 bad options.`;

export interface ScanToolOptions {
  readonly serialPath?: string;
  readonly baudRate: number;
  readonly modules: number;
  readonly readWithCrc: boolean;
  readonly replyTimeoutMs: number;
}

/** Parses the scan tool's command line; 'help' for --help; throws Error with a one-line message. */
export function parseScanOptions(argv: readonly string[]): ScanToolOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      serial: { type: 'string' },
      baud: { type: 'string', default: '612500' },
      modules: { type: 'string', default: '4' },
      'three-byte-reads': { type: 'boolean', default: false },
      'timeout-ms': { type: 'string', default: '100' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return 'help';
  const ranges: Record<'baud' | 'modules' | 'timeout-ms', [number, number]> = {
    baud: [300, 10_000_000],
    modules: [1, 62],
    'timeout-ms': [1, 10_000],
  };
  const checked = {} as Record<keyof typeof ranges, number>;
  for (const [name, [min, max]] of Object.entries(ranges) as Array<[keyof typeof ranges, [number, number]]>) {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new Error(`--${name} must be a whole number from ${min} to ${max}, got "${values[name]}"`);
    }
    checked[name] = n;
  }
  return {
    serialPath: values.serial,
    baudRate: checked.baud,
    modules: checked.modules,
    readWithCrc: !values['three-byte-reads'],
    replyTimeoutMs: checked['timeout-ms'],
  };
}
