import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  formatConfigPath,
  getAtPath,
  isPlainObject,
  setAtPath,
  type PersistedBmsState,
} from '@tsbms/bms-core';
import { redactConfig, SECRET_MASK } from '@tsbms/output-http';
import {
  ControllerConfigError,
  effectiveConfig,
  type ConfigIssue,
  type ConfigOverride,
  type ControllerConfig,
} from '../config';
import { persistedStateSchema } from './persisted-state-schema';

/*
 * One file with everything a controller needs to come back as it was: its configuration file's
 * settings and its state (latched faults, SoC and SoH, energy counters). Secrets are never in it
 * (`***`, as the HTTP API shows them): importing keeps the secrets the machine already has. A
 * checksum over the content tells an edited backup from an exported one. Pure: the CLI reads and
 * writes the files.
 */

export const BACKUP_FORMAT = 'tsbms-backup';

export interface BackupFile {
  readonly format: typeof BACKUP_FORMAT;
  readonly version: 1;
  /** ISO time of the export. */
  readonly createdAt: string;
  /** The controller that wrote it. */
  readonly controllerVersion: string;
  /** The configuration file's settings, secrets as `***`. */
  readonly config: unknown;
  /** Null when the controller had no state yet (or none was found). */
  readonly state: PersistedBmsState | null;
  /** SHA-256 (hex) of the canonical JSON of `{ config, state }`. */
  readonly sha256: string;
}

/** What an import will write, everything validated. */
export interface RestoredBackup {
  /** The configuration file's settings, secrets filled in from the file being replaced. */
  readonly configDocument: unknown;
  /** What will run (with the environment's overrides). */
  readonly config: ControllerConfig;
  readonly state: PersistedBmsState | null;
  readonly createdAt: string;
}

/** JSON with every object's keys sorted: the same content always hashes the same. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isPlainObject(value))
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

const checksum = (content: { config: unknown; state: unknown }) =>
  createHash('sha256').update(canonicalJson(content)).digest('hex');

export function createBackup(input: {
  readonly configDocument: unknown;
  readonly secretPaths: readonly string[];
  readonly state: PersistedBmsState | null;
  readonly createdAtMs: number;
  readonly controllerVersion: string;
}): BackupFile {
  const config = redactConfig(input.configDocument, input.secretPaths);
  const state = input.state;
  return {
    format: BACKUP_FORMAT,
    version: 1,
    createdAt: new Date(input.createdAtMs).toISOString(),
    controllerVersion: input.controllerVersion,
    config,
    state,
    sha256: checksum({ config, state }),
  };
}

export function backupText(backup: BackupFile): string {
  return `${JSON.stringify(backup, null, 2)}\n`;
}

const envelopeSchema = z.strictObject({
  format: z.literal(BACKUP_FORMAT, { error: `not a tsBMS backup (format "${BACKUP_FORMAT}")` }),
  version: z.literal(1, { error: 'a backup version this controller does not know' }),
  createdAt: z.iso.datetime(),
  controllerVersion: z.string().max(40),
  config: z.record(z.string(), z.unknown()),
  state: z.unknown(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 in hex'),
});

/** The backup refused: every issue's path is in the backup's own shape (`config.cells.…`, `state.soc.…`). */
function refused(issues: readonly ConfigIssue[], source: string): ControllerConfigError {
  return new ControllerConfigError('INVALID_CONFIG', issues, source);
}

const zodIssues = (error: z.ZodError, prefix: readonly PropertyKey[]): ConfigIssue[] =>
  error.issues.flatMap((issue) =>
    (issue.code === 'unrecognized_keys' ? issue.keys : [null]).map((key) => ({
      configPath: formatConfigPath([...prefix, ...issue.path, ...(key === null ? [] : [key])]),
      reason: key === null ? issue.message.replace(/^Invalid input: /, '') : 'unknown key',
    })),
  );

/**
 * Reads and checks a backup, changing nothing: the envelope, the state value by value, the
 * configuration as it would run here (secrets that read `***` taken from `currentDocument`, the
 * environment's overrides applied), then the checksum. Throws ControllerConfigError with the path
 * of every bad value, `source` as the file.
 */
export function readBackup(
  text: string,
  options: {
    readonly source: string;
    readonly secretPaths: readonly string[];
    readonly currentDocument: unknown;
    readonly overrides: readonly ConfigOverride[];
  },
): RestoredBackup {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw refused([{ configPath: '', reason: `not JSON: ${(error as Error).message}` }], options.source);
  }
  const envelope = envelopeSchema.safeParse(parsed);
  if (!envelope.success) throw refused(zodIssues(envelope.error, []), options.source);
  const backup = envelope.data;

  const state = backup.state === null ? null : persistedStateSchema.safeParse(backup.state);
  if (state !== null && !state.success) throw refused(zodIssues(state.error, ['state']), options.source);

  const configDocument = withSecretsOf(backup.config, options.currentDocument, options.secretPaths);
  let config: ControllerConfig;
  try {
    config = effectiveConfig(configDocument, options.overrides, options.source);
  } catch (error) {
    if (!(error instanceof ControllerConfigError)) throw error;
    throw refused(
      error.issues.map((issue) => ({
        ...issue,
        configPath: issue.configPath === '' ? 'config' : `config.${issue.configPath}`,
      })),
      options.source,
    );
  }

  if (checksum({ config: backup.config, state: backup.state }) !== backup.sha256) {
    throw refused(
      [
        {
          configPath: 'sha256',
          reason: 'the content does not match its checksum: the backup was changed after it was exported',
        },
      ],
      options.source,
    );
  }
  return { configDocument, config, state: state?.data ?? null, createdAt: backup.createdAt };
}

/** The backup's settings with each `***` secret replaced by the current file's value, or left out. */
function withSecretsOf(
  config: Readonly<Record<string, unknown>>,
  currentDocument: unknown,
  secretPaths: readonly string[],
): unknown {
  const document = structuredClone(config) as Record<string, unknown>;
  for (const secretPath of secretPaths) {
    if (getAtPath(document, secretPath) !== SECRET_MASK) continue;
    const segments = secretPath.split('.');
    const current = getAtPath(currentDocument, secretPath);
    if (current !== undefined) setAtPath(document, segments, current);
    else {
      const parent = getAtPath(document, segments.slice(0, -1).join('.'));
      if (isPlainObject(parent)) delete parent[segments[segments.length - 1]];
    }
  }
  return document;
}
