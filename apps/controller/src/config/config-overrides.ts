import { getAtPath, setAtPath } from '@tsbms/bms-core';
import { ControllerConfigError } from './errors';

/**
 * A setting given outside the file (environment variable, command line). Overrides apply to the
 * running configuration only and win over the file; `origin` names where the value came from,
 * e.g. `--modules` or `TSBMS_SERIAL_PATH`, so messages can say where to change it.
 */
export interface ConfigOverride {
  readonly configPath: string;
  readonly value: unknown;
  readonly origin: string;
}

/** A copy of the document with the overrides set, in order (a non-object is left to the schema). */
export function applyOverrides(document: unknown, overrides: readonly ConfigOverride[]): unknown {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) return document;
  const result = structuredClone(document) as Record<string, unknown>;
  for (const { configPath, value } of overrides) setAtPath(result, configPath.split('.'), value);
  return result;
}

/** The override that decides `configPath` (the last one given wins), if any. */
export function overrideOf(
  overrides: readonly ConfigOverride[],
  configPath: string,
): ConfigOverride | undefined {
  return [...overrides].reverse().find((override) => override.configPath === configPath);
}

/**
 * The same error with each issue at an overridden setting saying so: `--modules 4` with three
 * strings in the file is the command line's doing, not the file's.
 */
export function withOverrideOrigins(
  error: ControllerConfigError,
  overrides: readonly ConfigOverride[],
): ControllerConfigError {
  const issues = error.issues.map((issue) => {
    const override = overrideOf(overrides, issue.configPath);
    return override === undefined
      ? issue
      : { ...issue, reason: `${issue.reason} (set by ${override.origin})` };
  });
  return new ControllerConfigError(error.code, issues, error.file);
}

/**
 * The overridden settings whose value in the file a change would alter: the running value would
 * not follow (the override wins), so such a change is refused rather than silently ignored.
 */
export function overriddenChanges(
  before: unknown,
  after: unknown,
  overrides: readonly ConfigOverride[],
): { readonly configPath: string; readonly reason: string }[] {
  return overrides
    .filter(
      ({ configPath }) =>
        JSON.stringify(getAtPath(before, configPath)) !== JSON.stringify(getAtPath(after, configPath)),
    )
    .map(({ configPath, origin }) => ({
      configPath,
      reason: `set by ${origin}, which wins over the file: change it there`,
    }));
}
