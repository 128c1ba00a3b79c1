import { isPlainObject } from '@tsbms/bms-core';

/** Shown instead of a configured secret; sent back unchanged in a PUT it means "keep it". */
export const SECRET_MASK = '***';

/**
 * The `http` section's own secrets (hashes would allow offline guessing). The application adds
 * those of its other sections (`secretConfigPaths`): only it knows its whole configuration.
 */
export const HTTP_SECRET_CONFIG_PATHS = ['http.auth.passwordHash', 'http.auth.bearerTokenHash'] as const;

/** Where each secret sits in `document`: its parent object and key (absent paths are skipped). */
function secretSlots(
  document: unknown,
  secretPaths: readonly string[],
): { parent: Record<string, unknown>; key: string }[] {
  return secretPaths.flatMap((configPath) => {
    const segments = configPath.split('.');
    const key = segments[segments.length - 1];
    const parent = segments
      .slice(0, -1)
      .reduce<unknown>((node, segment) => (isPlainObject(node) ? node[segment] : undefined), document);
    return isPlainObject(parent) ? [{ parent, key }] : [];
  });
}

/**
 * A copy of the config (in the file's shape, as `configuration.current()` gives it) with every
 * configured secret of `secretPaths` replaced by `***` (null stays null: unset).
 */
export function redactConfig(config: unknown, secretPaths: readonly string[]): unknown {
  const copy: unknown = structuredClone(config);
  for (const { parent, key } of secretSlots(copy, secretPaths)) {
    if (parent[key] !== null && parent[key] !== undefined) parent[key] = SECRET_MASK;
  }
  return copy;
}

/**
 * A patch without the secrets that still read `***`: a form that sends back what GET showed
 * must not replace a password with the mask.
 */
export function withoutMaskedSecrets(patch: unknown, secretPaths: readonly string[]): unknown {
  if (!isPlainObject(patch)) return patch;
  const copy = structuredClone(patch);
  for (const { parent, key } of secretSlots(copy, secretPaths)) {
    if (parent[key] === SECRET_MASK) delete parent[key];
  }
  return copy;
}
