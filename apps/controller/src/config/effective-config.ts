import { applyOverrides, withOverrideOrigins, type ConfigOverride } from './config-overrides';
import { ControllerConfigError } from './errors';
import { parseControllerConfig } from './parse-config';
import type { ControllerConfig } from './schema';

/**
 * What will actually run: the file's settings under the overrides (environment, then command
 * line), validated as a whole. Start-up and every run-time change go through here, so a change
 * that is valid in the file but not with `--modules 4` on top is refused before it is saved.
 */
export function effectiveConfig(
  document: unknown,
  overrides: readonly ConfigOverride[],
  source: string,
): ControllerConfig {
  try {
    return parseControllerConfig(applyOverrides(document, overrides), source);
  } catch (error) {
    throw error instanceof ControllerConfigError ? withOverrideOrigins(error, overrides) : error;
  }
}
