/** Why a configuration was rejected. */
export type ConfigErrorCode =
  | 'CONFIG_NOT_A_NUMBER'
  | 'CONFIG_OUT_OF_RANGE'
  | 'CONFIG_WRONG_ORDER'
  | 'CONFIG_OCV_NOT_MONOTONIC'
  | 'CONFIG_STRING_COUNT'
  /** A setting the running model cannot take (the module layout): it needs a new model. */
  | 'CONFIG_NOT_LIVE';

/** A configuration rejected when it is built: `path` names the offending key. */
export class ConfigError extends Error {
  constructor(
    readonly code: ConfigErrorCode,
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = 'ConfigError';
  }
}

/** A finite number, or a ConfigError naming the path. */
export function requireFinite(path: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ConfigError('CONFIG_NOT_A_NUMBER', path, `must be a finite number, got ${String(value)}`);
  }
  return value;
}

export function requirePositive(path: string, value: unknown): number {
  const n = requireFinite(path, value);
  if (n <= 0) throw new ConfigError('CONFIG_OUT_OF_RANGE', path, `must be > 0, got ${n}`);
  return n;
}

export function requireNonNegative(path: string, value: unknown): number {
  const n = requireFinite(path, value);
  if (n < 0) throw new ConfigError('CONFIG_OUT_OF_RANGE', path, `must be >= 0, got ${n}`);
  return n;
}

export function requirePositiveInteger(path: string, value: unknown): number {
  const n = requirePositive(path, value);
  if (!Number.isInteger(n))
    throw new ConfigError('CONFIG_OUT_OF_RANGE', path, `must be an integer, got ${n}`);
  return n;
}

/** Rejects unless `lower` < `upper` (both already validated numbers). */
export function requireBelow(path: string, lower: number, upper: number, what: string): void {
  if (!(lower < upper))
    throw new ConfigError('CONFIG_WRONG_ORDER', path, `${what} (${lower} must be < ${upper})`);
}
