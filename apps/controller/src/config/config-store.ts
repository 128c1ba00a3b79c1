import { dirname } from 'node:path';
import {
  nodeFileSystem,
  replaceFileKeepingPrevious,
  syncDirectory,
  type ConfigFileSystem,
} from './atomic-file';
import { isPlainObject } from './config-path';
import { patchConfigText } from './config-patch';
import { applyEnvOverrides } from './env-overrides';
import { ControllerConfigError, configFileError, errorMessage } from './errors';
import { parseConfigText, readConfigText } from './load-config';
import { parseControllerConfig } from './parse-config';
import type { ControllerConfig } from './schema';

/**
 * The one path for run-time changes (HTTP and MQTT later): a patch is merged into the file's
 * settings, validated exactly as at start-up, and only then written, atomically, keeping
 * FILE.previous. The environment overrides apply to `config` but are never written to the file.
 */
export class ConfigStore {
  private constructor(
    readonly file: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly fsx: ConfigFileSystem,
    private text: string,
    private current: ControllerConfig,
  ) {}

  /** Loads and validates `file` (which must exist); throws ControllerConfigError. */
  static open(file: string, env: NodeJS.ProcessEnv, fsx: ConfigFileSystem = nodeFileSystem): ConfigStore {
    const text = readConfigText(file, fsx);
    return new ConfigStore(file, env, fsx, text, validate(text, file, env));
  }

  /** The running configuration (file + environment overrides). */
  get config(): ControllerConfig {
    return this.current;
  }

  /**
   * Applies a partial config (same shape as the file). A rejected patch throws INVALID_CONFIG and
   * changes nothing; a failed write throws CONFIG_FILE. `config` always matches the file on disk:
   * a failure after the new file is in place (syncing the directory) still updates it.
   */
  update(patch: unknown): ControllerConfig {
    if (!isPlainObject(patch)) {
      throw new ControllerConfigError(
        'INVALID_CONFIG',
        [{ configPath: '(root)', reason: 'a patch must be a mapping of settings' }],
        this.file,
      );
    }
    const text = patchConfigText(this.text, parseConfigText(this.text, this.file), patch);
    const config = validate(text, this.file, this.env);
    this.save(() => replaceFileKeepingPrevious(this.fsx, this.file, text));
    this.text = text;
    this.current = config;
    this.save(() => syncDirectory(this.fsx, dirname(this.file)));
    return config;
  }

  private save(step: () => void): void {
    try {
      step();
    } catch (error) {
      throw configFileError(this.file, `could not save: ${errorMessage(error)}`);
    }
  }
}

/** What is written is what was validated: the new text is parsed back, as a restart would. */
function validate(text: string, file: string, env: NodeJS.ProcessEnv): ControllerConfig {
  return parseControllerConfig(applyEnvOverrides(parseConfigText(text, file), env), file);
}
