import type { ControllerConfig } from '../config';

/** Shown instead of a configured secret; sent back unchanged in a PUT it means "keep it". */
export const SECRET_MASK = '***';

/** Settings never shown over HTTP (passwords, and hashes, which would allow offline guessing). */
export const SECRET_CONFIG_PATHS = [
  'mqtt.password',
  'http.auth.passwordHash',
  'http.auth.bearerTokenHash',
] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A copy of the config with every configured secret replaced by `***` (null stays null: unset). */
export function redactConfig(config: ControllerConfig): unknown {
  const copy: unknown = structuredClone(config);
  for (const configPath of SECRET_CONFIG_PATHS) {
    const segments = configPath.split('.');
    const parent = segments
      .slice(0, -1)
      .reduce<unknown>((node, key) => (isRecord(node) ? node[key] : undefined), copy);
    const key = segments[segments.length - 1];
    if (isRecord(parent) && parent[key] !== null && parent[key] !== undefined) parent[key] = SECRET_MASK;
  }
  return copy;
}

/**
 * A patch without the secrets that still read `***`: a form that sends back what GET showed
 * must not replace a password with the mask.
 */
export function withoutMaskedSecrets(patch: unknown): unknown {
  if (!isRecord(patch)) return patch;
  const copy = structuredClone(patch);
  for (const configPath of SECRET_CONFIG_PATHS) {
    const segments = configPath.split('.');
    const parent = segments
      .slice(0, -1)
      .reduce<unknown>((node, key) => (isRecord(node) ? node[key] : undefined), copy);
    const key = segments[segments.length - 1];
    if (isRecord(parent) && parent[key] === SECRET_MASK) delete parent[key];
  }
  return copy;
}
