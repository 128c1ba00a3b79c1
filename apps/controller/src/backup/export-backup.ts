import { silentLogger, type Clock } from '@tsbms/hal';
import { nodeFileSystem, parseConfigText, readConfigText, type ConfigFileSystem } from '../config';
import { SECRET_CONFIG_PATHS } from '../services/output-services';
import { RuntimeStateFile } from '../supervisor/runtime-state-file';
import { backupText, createBackup } from './backup-file';

export interface BackupSources {
  /** The configuration file; null: the controller runs on the defaults (nothing to back up but state). */
  readonly configFile: string | null;
  readonly stateFile: string;
  readonly clock: Clock;
  readonly controllerVersion: string;
  readonly fsx?: ConfigFileSystem;
}

/**
 * A backup of the files as they are on disk: the configuration file's settings and the state file
 * (saved the moment a fault latches, and every minute). `stateProblem` says why the backup has no
 * state when the state file cannot be used.
 */
export function exportBackupText(sources: BackupSources): {
  readonly text: string;
  readonly stateProblem: string | null;
} {
  const fsx = sources.fsx ?? nodeFileSystem;
  const document =
    sources.configFile === null
      ? {}
      : parseConfigText(readConfigText(sources.configFile, fsx), sources.configFile);
  const load = new RuntimeStateFile(sources.stateFile, silentLogger, sources.clock, fsx).load();
  const text = backupText(
    createBackup({
      configDocument: document,
      secretPaths: SECRET_CONFIG_PATHS,
      state: load.kind === 'loaded' ? load.state : null,
      createdAtMs: sources.clock.now(),
      controllerVersion: sources.controllerVersion,
    }),
  );
  return {
    text,
    stateProblem:
      load.kind === 'lost' ? `the state file ${sources.stateFile} cannot be used (${load.reason})` : null,
  };
}

/** `tsbms-backup-2026-12-05T12-00-00Z.json`: sorts by time, no characters a file system refuses. */
export function backupFileName(atMs: number): string {
  return `tsbms-backup-${new Date(atMs)
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-')}.json`;
}
