import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseCandumpLine } from '@tsbms/inverter-can';
import { formatEntry, type InverterProfile } from './monitor';
import { PROFILES, profileNamed } from './profiles';
import { MonitorSummary } from './summary';

const PROFILE_NAMES = PROFILES.map((profile) => profile.name).join('|');

const USAGE = `Usage: npm run can-monitor -- [FILE|-] [--profile ${PROFILE_NAMES}] [--json] [--summary] [--strict]

Decodes a "candump -L" recording (a file, or stdin when FILE is - or absent) as the frames of one
inverter profile (default ${PROFILES[0].name}): one readable line per frame (--json: one JSON object
per frame). What breaks the profile's rules is flagged with the rule id of its document, or with
its section where no numbered rule covers it:
${PROFILES.map((p) => `  ${p.name.padEnd(17)} ${p.document}`).join('\n')}
At the end, what the recording breaks of the profile's schedule: an id never seen, a gap over
1.2 s, frames too close together or too many.
  --summary  per-id counts, the longest gap and the schedule findings instead of the frames
  --strict   exit 1 when a frame or the schedule was flagged (for CI); otherwise the exit code is 0
Live: candump -L can0 | npm run can-monitor -- --profile pylontech`;

interface Options {
  readonly file: string | null;
  readonly profile: InverterProfile;
  readonly json: boolean;
  readonly summary: boolean;
  readonly strict: boolean;
}

function parseOptions(argv: readonly string[]): Options | 'help' {
  let file: string | null = null;
  let profileName = PROFILES[0].name;
  let json = false;
  let summary = false;
  let strict = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return 'help';
    else if (arg === '--json') json = true;
    else if (arg === '--summary') summary = true;
    else if (arg === '--strict') strict = true;
    else if (arg === '--profile') profileName = argv[++i] ?? '';
    else if (arg.startsWith('--profile=')) profileName = arg.slice('--profile='.length);
    else if (arg.startsWith('--')) throw new Error(`unknown option ${arg}`);
    else if (file === null) file = arg === '-' ? null : arg;
    else throw new Error(`one input only, got ${file} and ${arg}`);
  }
  const profile = profileNamed(profileName);
  if (profile === undefined) throw new Error(`unknown profile "${profileName}" (${PROFILE_NAMES})`);
  return { file, profile, json, summary, strict };
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
  const write = (line: string) => process.stdout.write(`${line}\n`);
  const input = options.file === null ? process.stdin : createReadStream(options.file);
  const describe = options.profile.createDescriber();
  const summary = new MonitorSummary(options.profile.schedule);
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    if (line.trim() === '') continue;
    const record = parseCandumpLine(line);
    if (record === null) {
      summary.unparsedLines++;
      if (!options.summary) write(options.json ? JSON.stringify({ unparsed: line }) : `?? ${line}`);
      continue;
    }
    const entry = describe(record);
    summary.add(entry);
    if (!options.summary) write(options.json ? JSON.stringify(entry) : formatEntry(entry));
  }
  const findings = summary.scheduleFindings();
  if (options.summary && options.json) {
    write(
      JSON.stringify({
        profile: options.profile.name,
        ids: summary.rows(),
        unparsedLines: summary.unparsedLines,
        flaggedFrames: summary.flaggedFrames,
        scheduleFindings: findings,
      }),
    );
  } else if (options.summary) {
    write(summary.format().join('\n'));
  } else {
    for (const finding of findings)
      write(options.json ? JSON.stringify({ scheduleFinding: finding }) : `!! ${finding}`);
  }
  return options.strict && summary.violations() > 0 ? 1 : 0;
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
