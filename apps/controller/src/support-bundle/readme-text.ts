import {
  BUNDLE_EVENT_LIMIT,
  HISTORY_EVENT_WINDOW_MS,
  type BundlePart,
  type SupportBundleInput,
} from './bundle-input';
import { RECORDING_TAIL_MAX_BYTES, RECORDING_TAIL_MAX_LINES } from './recording-tail';
import { MIN_SCANNED_SECRET_LENGTH } from './secret-scan';

const partText = <T>(part: BundlePart<T>, shown: (value: T) => string) =>
  part.included ? shown(part.value) : `not included: ${part.reason}`;

/** One file's line: its name in a column, then what it is, wrapped under it. */
function fileLine(name: string, text: string): string {
  const words = text.split(' ');
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line !== '' && line.length + 1 + word.length > 78) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines.map((l, i) => `${i === 0 ? `  ${name.padEnd(20)}` : ' '.repeat(22)}${l}`).join('\n');
}

/** README.txt: what each file is, when the bundle was made, how to replay it. */
export function supportBundleReadme(input: SupportBundleInput): string {
  const { recording } = input;
  const windowDays = HISTORY_EVENT_WINDOW_MS / (24 * 3600 * 1000);
  const files = [
    fileLine('README.txt', 'this file.'),
    fileLine(
      'config.json',
      'the running configuration (file, environment, command line) in the config file\'s shape, under "config". ' +
        'Every secret (passwords, tokens, hashes) reads "***", as GET /api/config and the backup show them; a ' +
        'setting the environment sets reads "$VARIABLE", its name and never its value (the names are listed ' +
        'under "environment"); a password inside a URL reads ***.',
    ),
    fileLine(
      'replay-config.json',
      'the settings the BMS core decides by, for the replay below: the running configuration without the ' +
        "outputs' sections, the files the daemon writes and the settings the environment may set.",
    ),
    fileLine(
      'status.json',
      partText(
        input.status,
        () =>
          'the status snapshot (as GET /api/status): modules and cells, faults and alerts, contactors, limits, ' +
          'the link counters ("comms") and the outputs\' states ("outputs", the inverter CAN among them).',
      ) +
        (input.status.included || input.savedState === undefined
          ? ''
          : '; "savedState" holds the state file.'),
    ),
    fileLine(
      'events.json',
      `the last ${BUNDLE_EVENT_LIMIT} events of each source, oldest first. "faultLog": ${partText(
        input.faultLog,
        (list) => `${list.source} (fault raise, clear, acknowledge)`,
      )}. "history": ${partText(
        input.history,
        (list) => `${list.source}, the last ${windowDays} days (faults and contactor changes)`,
      )}.`,
    ),
    fileLine(
      'link-stats.json',
      partText(
        input.linkStats,
        () =>
          'the bus counters of the module loop (frames, CRC errors, timeouts, retries, bytes), in total and ' +
          'per module address (0 = unaddressed, 63 = broadcast).',
      ),
    ),
    fileLine(
      'versions.json',
      'the controller, Node.js, the platform, the OS release and the @tsbms packages.',
    ),
    recording.included
      ? fileLine(
          'recording.jsonl',
          `the last ${recording.value.tail.lines} scans of the readings recording (recordFile; at most ${RECORDING_TAIL_MAX_LINES} lines and ${RECORDING_TAIL_MAX_BYTES / 1024 / 1024} MiB, ` +
            `whichever is smaller${recording.value.tail.cut ? '; earlier scans left out' : ''}). The tail ` +
            'starts at a full line, after the recording header line, so --replay reads it as a whole recording.',
        )
      : fileLine('recording.jsonl', `not included: ${recording.reason}.`),
  ];
  const replay = recording.included
    ? [
        'Replay',
        '',
        'The scans of recording.jsonl through the BMS core with the same settings, in virtual time; the',
        "decisions (faults, contactors, limits) print as JSON lines. npm runs in the repository's root, so",
        'give the files by absolute path:',
        '',
        '  B="$PWD/tsbms-support"; mkdir -p "$B" && tar -xzf THIS-ARCHIVE.tar.gz -C "$B"',
        '  cd path/to/tsbms',
        '  npm run controller -- --replay "$B/recording.jsonl" --config "$B/replay-config.json" --pace fast',
        '',
        'With --pace realtime it runs as the daemon instead, scans at their recorded spacing, with the',
        'dashboard (no relay is switched in a replay).',
      ]
    : [
        'Replay',
        '',
        'This bundle has no recording to replay. Set recordFile in the config file (or start the',
        'controller with --record FILE) and make the next bundle after the problem shows again.',
      ];
  return [
    'tsBMS support bundle',
    '',
    `Made ${new Date(input.createdAtMs).toISOString()} by ${input.madeBy}, tsBMS controller ${input.versions.controller}.`,
    '',
    'Files',
    '',
    ...files,
    '',
    'Never in it: the value of a secret (passwords, tokens, their hashes, the password in a URL) or of',
    'an environment variable that sets a setting. Before the archive was written, every file was',
    'checked for every secret value of the running configuration and of the environment, and the',
    `bundle would have been refused had one been found. Values shorter than ${MIN_SCANNED_SECRET_LENGTH} characters`,
    'are not looked for (they turn up anywhere by chance).',
    '',
    ...replay,
    '',
  ].join('\n');
}
