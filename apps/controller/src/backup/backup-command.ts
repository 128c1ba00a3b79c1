import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Writable } from 'node:stream';
import { stringify } from 'yaml';
import { silentLogger, type Clock } from '@tsbms/hal';
import {
  effectiveConfig,
  envOverrides,
  errorMessage,
  isControllerConfigError,
  nodeFileSystem,
  parseConfigText,
  readConfigText,
  replaceFileKeepingPrevious,
  writeFileAtomically,
  type ConfigFileSystem,
} from '../config';
import { RuntimeStateFile } from '../supervisor/runtime-state-file';
import { SECRET_CONFIG_PATHS } from '../services/output-services';
import { readBackup } from './backup-file';
import { exportBackupText } from './export-backup';

export const BACKUP_USAGE = `Usage: npm run backup -- export --config FILE [--out BACKUP]
       npm run backup -- import --config FILE BACKUP [--dry-run] [--force]

export  writes one file with the configuration file's settings (secrets as ***) and the state
        (latched faults, SoC and SoH, energy counters) to BACKUP, or to stdout.
import  checks everything in BACKUP first (each bad value is named by its path), then replaces
        the configuration file and the state file (each former file kept as FILE.previous).
        Secrets that read *** keep this machine's values. Stop the controller first: a running
        one saves its own state over the restored one (import refuses while the state file was
        saved in the last 2 minutes, unless --force). --dry-run checks and changes nothing.

Exit codes: 0 done, 1 a file could not be read or written or the controller seems to run,
2 bad options or a backup that is refused.`;

/** A running controller saves its state at least every minute (persistIntervalS). */
const RUNNING_IF_SAVED_WITHIN_MS = 120_000;

export interface BackupCommandIo {
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly env: NodeJS.ProcessEnv;
  readonly clock: Clock;
  readonly controllerVersion: string;
  readonly fsx?: ConfigFileSystem;
  /** When a file was last modified (ms), null when it does not exist. */
  readonly modifiedAtMs?: (file: string) => number | null;
}

const modifiedAt = (file: string): number | null => {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return null;
  }
};

class UsageError extends Error {}

function parseOptions(argv: readonly string[]) {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        config: { type: 'string' },
        out: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        force: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help' as const;
  const [action, ...rest] = positionals;
  if (action !== 'export' && action !== 'import') throw new UsageError('say export or import');
  if (values.config === undefined || values.config === '') throw new UsageError('--config FILE is needed');
  if (action === 'export' && rest.length > 0) throw new UsageError('export takes no file: use --out');
  if (action === 'import' && rest.length !== 1) throw new UsageError('import takes one backup file');
  return {
    action,
    configFile: values.config,
    out: values.out,
    backupFile: rest[0],
    dryRun: values['dry-run'],
    force: values.force,
  };
}

/** The configuration file's settings, or none when it does not exist yet (a fresh machine). */
function currentDocument(
  configFile: string,
  fsx: ConfigFileSystem,
): { text: string | null; document: unknown } {
  try {
    fsx.statSync(configFile);
  } catch {
    return { text: null, document: {} };
  }
  const text = readConfigText(configFile, fsx);
  return { text, document: parseConfigText(text, configFile) };
}

const stateFileOf = (configFile: string, stateFile: string | null) => stateFile ?? `${configFile}.state.json`;

/** `npm run backup -- export|import …`; resolves the exit code. */
export function backupCommand(argv: readonly string[], io: BackupCommandIo): number {
  const fsx = io.fsx ?? nodeFileSystem;
  let options: ReturnType<typeof parseOptions>;
  try {
    options = parseOptions(argv);
  } catch (error) {
    io.stderr.write(`backup: ${(error as Error).message}\n${BACKUP_USAGE}\n`);
    return 2;
  }
  if (options === 'help') {
    io.stdout.write(`${BACKUP_USAGE}\n`);
    return 0;
  }
  try {
    return options.action === 'export' ? exportBackup(options, io, fsx) : importBackup(options, io, fsx);
  } catch (error) {
    io.stderr.write(`backup: ${errorMessage(error)}\n`);
    return isControllerConfigError(error) ? 2 : 1;
  }
}

function exportBackup(
  options: { configFile: string; out: string | undefined },
  io: BackupCommandIo,
  fsx: ConfigFileSystem,
): number {
  const { document } = currentDocument(options.configFile, fsx);
  const config = effectiveConfig(document, envOverrides(io.env), options.configFile);
  const { text, stateProblem } = exportBackupText({
    configFile: options.configFile,
    stateFile: stateFileOf(options.configFile, config.stateFile),
    clock: io.clock,
    controllerVersion: io.controllerVersion,
    fsx,
  });
  if (stateProblem !== null) io.stderr.write(`backup: ${stateProblem}: the backup has no state\n`);
  if (options.out === undefined) io.stdout.write(text);
  else {
    writeFileAtomically(fsx, options.out, text);
    io.stderr.write(`backup: wrote ${options.out}\n`);
  }
  return 0;
}

function importBackup(
  options: { configFile: string; backupFile: string | undefined; dryRun: boolean; force: boolean },
  io: BackupCommandIo,
  fsx: ConfigFileSystem,
): number {
  const backupFile = options.backupFile ?? '';
  const current = currentDocument(options.configFile, fsx);
  const restored = readBackup(readConfigText(backupFile, fsx), {
    source: backupFile,
    secretPaths: SECRET_CONFIG_PATHS,
    currentDocument: current.document,
    overrides: envOverrides(io.env),
  });
  const stateFile = stateFileOf(options.configFile, restored.config.stateFile);
  const faults = restored.state?.faults?.faults.length ?? 0;
  const soc = restored.state?.soc?.socPercent;
  const summary = `the backup of ${restored.createdAt}: ${faults} latched fault(s), SoC ${soc === undefined ? 'unknown' : `${soc} %`}`;
  if (options.dryRun) {
    io.stdout.write(`backup: ${backupFile} is valid (${summary}); nothing changed (--dry-run)\n`);
    return 0;
  }
  const savedAtMs = (io.modifiedAtMs ?? modifiedAt)(stateFile);
  if (!options.force && savedAtMs !== null && io.clock.now() - savedAtMs < RUNNING_IF_SAVED_WITHIN_MS) {
    io.stderr.write(
      `backup: ${stateFile} was saved ${Math.round((io.clock.now() - savedAtMs) / 1000)} s ago: a controller seems to run and would save its own state over the restored one. Stop it first (systemctl stop tsbms-controller), or pass --force\n`,
    );
    return 1;
  }
  // JSON stays JSON; anything else is written as YAML (its comments are in FILE.previous).
  const asJson =
    current.text === null ? options.configFile.endsWith('.json') : current.text.trimStart().startsWith('{');
  const configText = asJson
    ? `${JSON.stringify(restored.configDocument, null, 2)}\n`
    : stringify(restored.configDocument);
  if (
    restored.state !== null &&
    !new RuntimeStateFile(stateFile, silentLogger, io.clock, fsx).save(restored.state)
  )
    throw new Error(`the state file ${stateFile} cannot be written; nothing was changed`);
  if (current.text === null) writeFileAtomically(fsx, options.configFile, configText);
  else replaceFileKeepingPrevious(fsx, options.configFile, configText);
  io.stdout.write(
    `backup: restored ${options.configFile} and ${stateFile} from ${summary}; the former files are kept as .previous. Start the controller.\n`,
  );
  return 0;
}
