import { constants } from 'node:os';

/**
 * `INVALID_LINES`: the requested lines were rejected before any system call. `RELEASED`: `set` or `read`
 * after `release()`. `NO_NATIVE_BINDING`: the addon (build/Release/tsbms_gpio.node) is not built or does
 * not load. `E...`: the kernel refused (`ENOENT` no such chip, `EACCES` no permission, `EBUSY` a line
 * is held by another consumer, `EINVAL` an offset the chip does not have, `ENOTTY` not a GPIO chip).
 */
export type GpioErrorCode = 'INVALID_LINES' | 'RELEASED' | 'NO_NATIVE_BINDING' | `E${string}`;

export interface GpioErrorContext {
  readonly chipPath: string;
  /** Every line offset of the request, in request order. */
  readonly lines: readonly number[];
  /** The one line concerned (a failed set), else null. */
  readonly line?: number | null;
  /** The name of the output or input on that line ('contactorPositive'), else null. */
  readonly output?: string | null;
  /** The failed system call ('open', 'ioctl GPIO_V2_GET_LINE_IOCTL'), else null. */
  readonly syscall?: string | null;
  /** The kernel's errno, else null. */
  readonly errno?: number | null;
}

export class GpioError extends Error {
  override readonly name = 'GpioError';
  readonly chipPath: string;
  readonly lines: readonly number[];
  readonly line: number | null;
  readonly output: string | null;
  readonly syscall: string | null;
  readonly errno: number | null;

  constructor(
    readonly code: GpioErrorCode,
    message: string,
    context: GpioErrorContext,
  ) {
    const where =
      context.line === undefined || context.line === null
        ? `lines ${context.lines.join(',')}`
        : `line ${context.line}${context.output ? ` (${context.output})` : ''}`;
    super(`GPIO ${context.chipPath} ${where}: ${message}`);
    this.chipPath = context.chipPath;
    this.lines = Object.freeze([...context.lines]);
    this.line = context.line ?? null;
    this.output = context.output ?? null;
    this.syscall = context.syscall ?? null;
    this.errno = context.errno ?? null;
  }
}

/** The shape of a system error thrown by the native binding (and by Node's own fs calls). */
interface SystemErrorLike {
  readonly errno: number;
  readonly syscall: string;
  readonly message: string;
}

function isSystemError(error: unknown): error is SystemErrorLike {
  const candidate = error as Partial<SystemErrorLike> | null;
  return typeof candidate?.errno === 'number' && typeof candidate.syscall === 'string';
}

const ERRNO_NAMES = new Map<number, string>(
  Object.entries(constants.errno).map(([name, number]) => [Math.abs(number), name]),
);

/** `ENOENT` for 2; errno values Node does not name keep their number. */
export function errnoName(errno: number): `E${string}` {
  const name = ERRNO_NAMES.get(Math.abs(errno));
  return name === undefined ? `ERRNO${Math.abs(errno)}` : (name as `E${string}`);
}

/** Wraps what a binding call threw; anything but a system error (a bug) is rethrown as it is. */
export function gpioErrorFromBinding(error: unknown, context: GpioErrorContext): GpioError {
  if (!isSystemError(error)) throw error;
  const errno = Math.abs(error.errno);
  const code = errnoName(errno);
  return new GpioError(code, `${error.message} (${code})`, { ...context, syscall: error.syscall, errno });
}
