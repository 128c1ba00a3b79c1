import * as fs from 'node:fs';
import { parseDocument } from 'yaml';
import { configFileError, errorMessage } from './errors';
import type { ConfigOverride } from './config-overrides';
import { effectiveConfig } from './effective-config';
import { envOverrides } from './env-overrides';
import type { ControllerConfig } from './schema';

/** The one file call loading needs (injectable so ConfigStore and tests share the path). */
export interface ConfigFileReader {
  readFileSync(path: string, encoding: 'utf8'): string;
}

/**
 * The controller's configuration: the file (YAML or JSON, told apart by the parser, not the
 * name) over the defaults, then the environment and command-line overrides. No file = the
 * defaults. Throws ControllerConfigError: CONFIG_FILE for a missing, unreadable, empty or
 * malformed file, INVALID_CONFIG for bad settings.
 */
export function loadControllerConfig(
  file: string | undefined,
  env: NodeJS.ProcessEnv,
  commandLine: readonly ConfigOverride[] = [],
): ControllerConfig {
  const document = file === undefined ? {} : parseConfigText(readConfigText(file, fs), file);
  return effectiveConfig(document, [...envOverrides(env), ...commandLine], file ?? 'defaults');
}

export function readConfigText(file: string, reader: ConfigFileReader): string {
  try {
    return reader.readFileSync(file, 'utf8');
  } catch (error) {
    throw configFileError(file, `cannot read the file: ${errorMessage(error)}`);
  }
}

/** YAML 1.2 (of which JSON is a subset) → a plain document; the first parse error as one line. */
export function parseConfigText(text: string, file: string): unknown {
  const document = parseDocument(text);
  const [error] = document.errors;
  if (error !== undefined)
    throw configFileError(file, `invalid YAML/JSON: ${error.message.split('\n')[0].replace(/:$/, '')}`);
  const value: unknown = document.toJS();
  // A truncated or blanked file must not silently become the defaults.
  if (value === null || value === undefined) {
    throw configFileError(file, 'the file holds no settings (write {} to run on the defaults)');
  }
  return value;
}
