export type EmulatorErrorCode =
  | 'UNKNOWN_MODULE'
  | 'CELL_OUT_OF_RANGE'
  | 'THERMISTOR_OUT_OF_RANGE'
  | 'NOT_A_NUMBER'
  | 'VALUE_OUT_OF_RANGE'
  | 'UNKNOWN_FAULT'
  | 'INVALID_OPTION';

/** Context that lets a caller (or an HTTP API) say exactly what was wrong. */
export interface EmulatorErrorContext {
  readonly module?: number;
  readonly cell?: number;
  readonly thermistor?: number;
  readonly field?: string;
  readonly value?: unknown;
  readonly min?: number;
  readonly max?: number;
}

/**
 * A rejected request to change the emulator. Thrown before any state is touched, so a caller
 * that catches it can rely on nothing having changed.
 */
export class EmulatorError extends Error {
  constructor(
    readonly code: EmulatorErrorCode,
    message: string,
    readonly context: EmulatorErrorContext = {},
  ) {
    super(message);
    this.name = 'EmulatorError';
  }
}

/** Throws NOT_A_NUMBER unless `value` is a finite number. */
export function requireFiniteNumber(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new EmulatorError('NOT_A_NUMBER', `${field} must be a finite number`, { field, value });
  }
  return value;
}

/** Throws NOT_A_NUMBER or VALUE_OUT_OF_RANGE unless min <= value <= max. */
export function requireNumberInRange(
  value: unknown,
  field: string,
  min: number,
  max: number,
  context: EmulatorErrorContext = {},
): number {
  const n = requireFiniteNumber(value, field);
  if (n < min || n > max) {
    throw new EmulatorError('VALUE_OUT_OF_RANGE', `${field} must be within ${min}..${max}, got ${n}`, {
      ...context,
      field,
      value: n,
      min,
      max,
    });
  }
  return n;
}
