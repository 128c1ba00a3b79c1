import { dirname } from 'node:path';
import {
  nodeFileSystem,
  replaceFileKeepingPrevious,
  syncDirectory,
  type ConfigFileSystem,
} from './atomic-file';
import { changedConfigPaths } from './config-diff';
import { overriddenChanges, type ConfigOverride } from './config-overrides';
import { patchConfigText } from './config-patch';
import { effectiveConfig } from './effective-config';
import { envOverrides } from './env-overrides';
import { ControllerConfigError, configFileError, errorMessage } from './errors';
import { isPlainObject, jsonDepthExceeds, MAX_PATCH_DEPTH } from '@tsbms/bms-core';
import { parseConfigText, readConfigText } from './load-config';
import type { ControllerConfig } from './schema';

export interface ConfigStoreOptions {
  /** Settings given on the command line: they win over the file and the environment. */
  readonly commandLine?: readonly ConfigOverride[];
  readonly fileSystem?: ConfigFileSystem;
}

/** A change about to be saved, for the checks a caller adds (remote-change policy, output checks). */
export interface ProposedConfigChange {
  readonly before: ControllerConfig;
  readonly after: ControllerConfig;
  /** Dotted paths of the settings that would change; never empty. */
  readonly changedPaths: readonly string[];
}

/** Refuses a proposed change by throwing a ControllerConfigError; returns when it may be saved. */
export type ConfigChangeCheck = (change: ProposedConfigChange) => void;

/** A saved state of the file, opaque to callers. */
export interface ConfigCheckpoint {
  readonly text: string;
  readonly config: ControllerConfig;
}

/** The outcome of an accepted update. No changed paths = nothing was written (a no-op). */
export interface ConfigChange {
  readonly config: ControllerConfig;
  readonly changedPaths: readonly string[];
}

/**
 * The one path for run-time changes (HTTP and MQTT): a patch is merged into the file's settings,
 * validated as what will actually run (file + environment + command line), checked by the
 * caller's checks, and only then written, atomically, keeping FILE.previous. Overrides apply to
 * `config` but are never written to the file.
 */
export class ConfigStore {
  private constructor(
    readonly file: string,
    private readonly overrides: readonly ConfigOverride[],
    private readonly fsx: ConfigFileSystem,
    private text: string,
    private current: ControllerConfig,
  ) {}

  /** Loads and validates `file` (which must exist); throws ControllerConfigError. */
  static open(file: string, env: NodeJS.ProcessEnv, options: ConfigStoreOptions = {}): ConfigStore {
    const fsx = options.fileSystem ?? nodeFileSystem;
    const overrides = [...envOverrides(env), ...(options.commandLine ?? [])];
    const text = readConfigText(file, fsx);
    return new ConfigStore(
      file,
      overrides,
      fsx,
      text,
      effectiveConfig(parseConfigText(text, file), overrides, file),
    );
  }

  /** The running configuration (file + environment + command line). */
  get config(): ControllerConfig {
    return this.current;
  }

  /**
   * Applies a partial config (same shape as the file). A rejected patch throws (INVALID_CONFIG,
   * or whatever a check throws) and changes nothing; a failed write throws CONFIG_FILE. A patch
   * that changes no running setting is a no-op: nothing is written. `config` always matches the
   * file on disk: a failure after the new file is in place (syncing the directory) still updates it.
   */
  update(patch: unknown, checks: readonly ConfigChangeCheck[] = []): ConfigChange {
    if (!isPlainObject(patch)) throw this.invalid('(root)', 'a patch must be a mapping of settings');
    // Before anything walks it recursively (the YAML editor does).
    if (jsonDepthExceeds(patch, MAX_PATCH_DEPTH)) {
      throw this.invalid('(root)', `a patch nests deeper than ${MAX_PATCH_DEPTH} levels`);
    }
    const document = parseConfigText(this.text, this.file);
    const text = patchConfigText(this.text, document, patch);
    // What is written is what was validated: the new text is parsed back, as a restart would.
    const candidate = parseConfigText(text, this.file);
    const overridden = overriddenChanges(document, candidate, this.overrides);
    if (overridden.length > 0) throw new ControllerConfigError('INVALID_CONFIG', overridden, this.file);
    const config = effectiveConfig(candidate, this.overrides, this.file);
    const changedPaths = changedConfigPaths(this.current, config);
    if (changedPaths.length === 0) return { config: this.current, changedPaths };
    for (const check of checks) check({ before: this.current, after: config, changedPaths });
    this.replace(text, config);
    return { config, changedPaths };
  }

  /** The file and configuration as they are now, to {@link restore} later. */
  checkpoint(): ConfigCheckpoint {
    return { text: this.text, config: this.current };
  }

  /**
   * Puts the file back as it was at `checkpoint` (the settings saved since could not start) and
   * returns the configuration that runs again. A failed write throws CONFIG_FILE.
   */
  restore(checkpoint: ConfigCheckpoint): ControllerConfig {
    if (checkpoint.text !== this.text) this.replace(checkpoint.text, checkpoint.config);
    return this.current;
  }

  private replace(text: string, config: ControllerConfig): void {
    this.save(() => replaceFileKeepingPrevious(this.fsx, this.file, text));
    this.text = text;
    this.current = config;
    this.save(() => syncDirectory(this.fsx, dirname(this.file)));
  }

  private invalid(configPath: string, reason: string): ControllerConfigError {
    return new ControllerConfigError('INVALID_CONFIG', [{ configPath, reason }], this.file);
  }

  private save(step: () => void): void {
    try {
      step();
    } catch (error) {
      throw configFileError(this.file, `could not save: ${errorMessage(error)}`);
    }
  }
}
