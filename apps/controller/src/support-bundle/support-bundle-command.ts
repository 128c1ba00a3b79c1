import { renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { Writable } from 'node:stream';
import type { Clock } from '@tsbms/hal';
import {
  effectiveConfig,
  envOverrides,
  errorMessage,
  nodeFileSystem,
  parseConfigText,
  readConfigText,
} from '../config';
import { SECRET_CONFIG_PATHS } from '../services/output-services';
import { included, notIncluded, type SupportBundleInput } from './bundle-input';
import { recordingPart } from './bundle-parts';
import { askDaemon, type DaemonCredentials } from './daemon-client';
import { historyFileEvents, savedStateOf } from './file-sources';
import type { SecretValue } from './secret-scan';
import { makeSupportBundle, type SupportBundle } from './support-bundle';
import { collectVersions } from './versions';

export const SUPPORT_BUNDLE_USAGE = `Usage: npm run support-bundle -- --config FILE [--out PATH]
       npm run support-bundle -- --config FILE [--out PATH] --url http://127.0.0.1:8080 [--token TOKEN | --user NAME:PASSWORD]

Writes one archive (.tar.gz) for a bug report: the running configuration with its secrets as ***
(settings the environment sets by the variable's name only), the status, the last fault events,
the bus counters, the versions and, when recordFile is set, the tail of the readings recording
with the command that replays it (README.txt inside). No secret value is ever in it: every file
is checked before the archive is written, and the bundle is refused if one is found.

--config FILE   the controller's configuration file (its state, history and recording files
                are found through it)
--out PATH      the archive to write, or a folder for it (default:
                ./tsbms-support-<time>.tar.gz)
--url URL       also ask the running daemon's HTTP API for its status, fault log and bus
                counters (GET /api/status, /api/events, /metrics); without it they are not in
                the bundle, as no daemon was asked
--token TOKEN   with --url: an API token (Authorization: Bearer)
--user N:P      with --url: HTTP Basic user name and password

The dashboard's settings page makes the same bundle from the running daemon
(GET /api/support-bundle).

Exit codes: 0 written, 1 a file could not be read or written, the daemon did not answer, or a
secret was found in the bundle, 2 bad options.`;

export interface SupportBundleCommandIo {
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly env: NodeJS.ProcessEnv;
  readonly clock: Clock;
  readonly controllerVersion: string;
  /** Where the user is: relative paths are read from here, and the archive goes here without --out. */
  readonly cwd: string;
  readonly fetch?: typeof fetch;
}

class UsageError extends Error {}

interface SupportBundleOptions {
  readonly configFile: string;
  readonly out: string | undefined;
  readonly url: string | undefined;
  readonly credentials: DaemonCredentials;
}

function parseOptions(argv: readonly string[], cwd: string): SupportBundleOptions | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      allowPositionals: false,
      options: {
        config: { type: 'string' },
        out: { type: 'string' },
        url: { type: 'string' },
        token: { type: 'string' },
        user: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]);
  }
  if (values.help) return 'help';
  if (values.config === undefined || values.config === '') throw new UsageError('--config FILE is needed');
  if (values.out === '') throw new UsageError('--out needs a path');
  if (values.url !== undefined) {
    let url: URL;
    try {
      url = new URL(values.url);
    } catch {
      throw new UsageError(
        `--url needs the daemon's address such as http://127.0.0.1:8080, got "${values.url}"`,
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new UsageError(`--url must start with http:// or https://, not ${url.protocol}//`);
    if (url.username !== '' || url.password !== '')
      throw new UsageError('--url takes no credentials: use --token or --user');
  }
  if ((values.token !== undefined || values.user !== undefined) && values.url === undefined)
    throw new UsageError('--token and --user go with --url');
  if (values.token !== undefined && values.user !== undefined)
    throw new UsageError('give --token or --user, not both');
  if (values.token === '') throw new UsageError('--token needs a token');
  let credentials: DaemonCredentials = null;
  if (values.token !== undefined) credentials = { token: values.token };
  if (values.user !== undefined) {
    const colon = values.user.indexOf(':');
    if (colon <= 0) throw new UsageError('--user takes NAME:PASSWORD');
    credentials = { username: values.user.slice(0, colon), password: values.user.slice(colon + 1) };
  }
  return {
    configFile: path.resolve(cwd, values.config),
    out: values.out === undefined ? undefined : path.resolve(cwd, values.out),
    url: values.url,
    credentials,
  };
}

/** The credentials given on the command line are secrets of the bundle too. */
function credentialSecrets(credentials: DaemonCredentials): SecretValue[] {
  if (credentials === null) return [];
  if ('token' in credentials) return [{ origin: '--token', value: credentials.token }];
  return [{ origin: 'the password of --user', value: credentials.password }];
}

const sizeText = (bytes: number) =>
  bytes < 10 * 1024
    ? `${bytes} B`
    : bytes < 10 * 1024 * 1024
      ? `${(bytes / 1024).toFixed(1)} KiB`
      : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** `--out` as given, a file in it when it is a folder, or the default name in `cwd`. */
function archivePath(out: string | undefined, cwd: string, fileName: string): string {
  if (out === undefined) return path.join(cwd, fileName);
  try {
    if (statSync(out).isDirectory()) return path.join(out, fileName);
  } catch {
    // not there yet: the archive's own name
  }
  return out;
}

/** Written whole or not at all (a temp file beside it, renamed); readable by its owner only. */
function writeArchive(file: string, body: Buffer): void {
  const tmp = `${file}.tmp`;
  try {
    writeFileSync(tmp, body, { mode: 0o600 });
    renameSync(tmp, file);
  } catch (error) {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing was left
    }
    throw error;
  }
}

async function gather(options: SupportBundleOptions, io: SupportBundleCommandIo): Promise<SupportBundle> {
  const { configFile } = options;
  const document = parseConfigText(readConfigText(configFile, nodeFileSystem), configFile);
  const config = effectiveConfig(document, envOverrides(io.env), configFile);
  const nowMs = io.clock.now();
  const stateFile = config.stateFile ?? `${configFile}.state.json`;
  const historyFile = config.history.file ?? `${configFile}.history.sqlite`;
  const asked =
    options.url === undefined ? null : await askDaemon(options.url, options.credentials, io.fetch);
  const noDaemon = 'no running daemon was asked (pass --url http://127.0.0.1:8080 to include it)';
  const input: SupportBundleInput = {
    createdAtMs: nowMs,
    madeBy:
      asked === null
        ? `npm run support-bundle from the files of ${configFile}`
        : `npm run support-bundle from the files of ${configFile} and the daemon at ${new URL(options.url ?? '').origin}`,
    config,
    secretPaths: SECRET_CONFIG_PATHS,
    env: io.env,
    status: asked === null ? notIncluded(noDaemon) : included(asked.status),
    ...(asked === null ? { savedState: savedStateOf(stateFile, io.clock) } : {}),
    faultLog:
      asked === null
        ? notIncluded(noDaemon)
        : included({
            source: "the daemon's fault log (GET /api/events, since it started)",
            events: asked.events,
          }),
    history: historyFileEvents(historyFile, io.clock),
    linkStats:
      asked === null
        ? notIncluded(noDaemon)
        : asked.linkStats === null
          ? notIncluded(asked.linkStatsProblem ?? 'GET /metrics failed')
          : included(asked.linkStats),
    versions: collectVersions(io.controllerVersion),
    recording: recordingPart(config.recordFile),
  };
  return makeSupportBundle(input, credentialSecrets(options.credentials));
}

/** `npm run support-bundle -- --config FILE …`; resolves the exit code. */
export async function supportBundleCommand(
  argv: readonly string[],
  io: SupportBundleCommandIo,
): Promise<number> {
  let options: SupportBundleOptions | 'help';
  try {
    options = parseOptions(argv, io.cwd);
  } catch (error) {
    io.stderr.write(`support-bundle: ${(error as Error).message}\n${SUPPORT_BUNDLE_USAGE}\n`);
    return 2;
  }
  if (options === 'help') {
    io.stdout.write(`${SUPPORT_BUNDLE_USAGE}\n`);
    return 0;
  }
  try {
    const bundle = await gather(options, io);
    const file = archivePath(options.out, io.cwd, bundle.fileName);
    writeArchive(file, bundle.body);
    const width = Math.max(...bundle.files.map((f) => f.name.length));
    io.stdout.write(
      [
        `support-bundle: wrote ${file} (${sizeText(bundle.body.length)})`,
        ...bundle.files.map((f) => `  ${f.name.padEnd(width)}  ${sizeText(f.bytes)}`),
        ...(options.url === undefined
          ? [
              'the status, the fault log and the bus counters are not included: no running daemon was asked (--url)',
            ]
          : []),
        '',
      ].join('\n'),
    );
    return 0;
  } catch (error) {
    io.stderr.write(`support-bundle: ${errorMessage(error).split('\n')[0]}\n`);
    return 1;
  }
}
