import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseCandumpLine } from '@tsbms/inverter-can';
import { describeRecord, formatEntry, MonitorSummary } from './monitor';

const USAGE = `Usage: npm run can-monitor -- [FILE|-] [--json] [--summary]

Decodes a "candump -L" recording (a file, or stdin when FILE is - or absent) as Victron CAN-bus
BMS frames: one readable line per frame (--json: one JSON object per frame), flagging unknown ids,
lengths other than 8 and extended ids. --summary prints per-id counts and the longest gap instead.
Live: candump -L can0 | npm run can-monitor`;

interface Options {
  readonly file: string | null;
  readonly json: boolean;
  readonly summary: boolean;
}

function parseOptions(argv: readonly string[]): Options | 'help' {
  let file: string | null = null;
  let json = false;
  let summary = false;
  for (const arg of argv) {
    if (arg === '--help' || arg === '-h') return 'help';
    else if (arg === '--json') json = true;
    else if (arg === '--summary') summary = true;
    else if (arg.startsWith('--')) throw new Error(`unknown option ${arg}`);
    else if (file === null) file = arg === '-' ? null : arg;
    else throw new Error(`one input only, got ${file} and ${arg}`);
  }
  return { file, json, summary };
}

async function main(argv: readonly string[]): Promise<number> {
  let options: Options | 'help';
  try {
    options = parseOptions(argv);
  } catch (error) {
    process.stderr.write(`can-monitor: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const input = options.file === null ? process.stdin : createReadStream(options.file);
  const summary = new MonitorSummary();
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    if (line.trim() === '') continue;
    const record = parseCandumpLine(line);
    if (record === null) {
      summary.unparsedLines++;
      if (!options.summary)
        process.stdout.write(options.json ? `${JSON.stringify({ unparsed: line })}\n` : `?? ${line}\n`);
      continue;
    }
    const entry = describeRecord(record);
    summary.add(entry);
    if (options.summary) continue;
    process.stdout.write(options.json ? `${JSON.stringify(entry)}\n` : `${formatEntry(entry)}\n`);
  }
  if (options.summary) {
    if (options.json)
      process.stdout.write(
        `${JSON.stringify({ ids: summary.rows(), unparsedLines: summary.unparsedLines })}\n`,
      );
    else process.stdout.write(`${summary.format().join('\n')}\n`);
  }
  return 0;
}

// `can-monitor file | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`can-monitor: ${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
