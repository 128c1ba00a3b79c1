import type { z } from 'zod';
import { formatConfigPath } from '@tsbms/bms-core';
import { ControllerConfigError, type ConfigIssue } from './errors';
import { libraryConfigs } from './library-configs';
import { controllerConfigSchema, type ControllerConfig } from './schema';

/**
 * Validates a parsed config document (from YAML, JSON or a merged patch): the schema first (types,
 * unknown keys), then the libraries' own checks by building their configs. Throws one
 * ControllerConfigError with a line per problem, `SOURCE: PATH: REASON`.
 */
export function parseControllerConfig(document: unknown, source: string): ControllerConfig {
  const parsed = controllerConfigSchema.safeParse(document);
  if (!parsed.success) {
    throw new ControllerConfigError('INVALID_CONFIG', parsed.error.issues.flatMap(schemaIssues), source);
  }
  const config: ControllerConfig = deepFreeze(parsed.data);
  try {
    libraryConfigs(config);
  } catch (error) {
    throw error instanceof ControllerConfigError ? error.withFile(source) : error;
  }
  return config;
}

/** Sections that were renamed: the old key is refused with where its settings went. */
const RENAMED_SECTIONS: Readonly<Record<string, string>> = {
  can: 'renamed to `inverter` (same keys; its `profile` is victron unless you set another): rename the section',
};

function unknownKeyReason(path: readonly PropertyKey[], key: string, message: string): string {
  if (path.length === 0 && Object.hasOwn(RENAMED_SECTIONS, key)) return RENAMED_SECTIONS[key];
  // A schema may say more than zod's "Unrecognized key" (the inverter section names its profile).
  return message.startsWith('Unrecognized key') ? 'unknown key' : `unknown key: ${message}`;
}

function schemaIssues(issue: z.core.$ZodIssue): ConfigIssue[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      configPath: formatConfigPath([...issue.path, key]),
      reason: unknownKeyReason(issue.path, key, issue.message),
    }));
  }
  return [
    { configPath: formatConfigPath(issue.path), reason: issue.message.replace(/^Invalid input: /, '') },
  ];
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}
