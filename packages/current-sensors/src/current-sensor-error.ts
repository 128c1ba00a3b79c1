/**
 * - `INVALID_OPTION`: a sensor option out of range (the option's name in `context.option`);
 * - `WRONG_DEVICE`: the chip at the address is not the one configured (its ID registers differ);
 * - `CONFIG_NOT_APPLIED`: the chip did not keep the configuration written to it;
 * - `NO_NEW_CONVERSION`: a converter answered with the result already read (it stopped converting).
 */
export type CurrentSensorErrorCode =
  | 'INVALID_OPTION'
  | 'WRONG_DEVICE'
  | 'CONFIG_NOT_APPLIED'
  | 'NO_NEW_CONVERSION';

/** Where a current sensor failed: which sensor, and the option or register concerned. */
export interface CurrentSensorErrorContext {
  /** The sensor's description: `INA226 at /dev/i2c-1 0x40`. */
  readonly sensor: string;
  readonly option?: string;
  readonly register?: number;
}

export class CurrentSensorError extends Error {
  constructor(
    readonly code: CurrentSensorErrorCode,
    message: string,
    readonly context: CurrentSensorErrorContext,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CurrentSensorError';
  }
}

/** Throws INVALID_OPTION unless `value` is a finite number in `min..max` (inclusive). */
export function requireNumberIn(
  sensor: string,
  option: string,
  value: unknown,
  min: number,
  max: number,
): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max)
    throw new CurrentSensorError(
      'INVALID_OPTION',
      `${sensor}: ${option} must be a number in ${min}..${max}, got ${String(value)}`,
      { sensor, option },
    );
  return value;
}

/** Throws INVALID_OPTION unless `value` is one of `allowed`. */
export function requireOneOf<T>(sensor: string, option: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T))
    throw new CurrentSensorError(
      'INVALID_OPTION',
      `${sensor}: ${option} must be one of ${allowed.join(', ')}, got ${String(value)}`,
      { sensor, option },
    );
  return value as T;
}
