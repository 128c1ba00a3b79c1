import { loadNativeGpioBinding, type GpioBinding } from './gpio-binding';
import { GpioError, gpioErrorFromBinding } from './gpio-error';

/** The kernel's limit on lines in one request (GPIO_V2_LINES_MAX). */
export const GPIO_LINES_MAX = 64;

/** A line request checked and ready for the binding, in the order of `names`. */
export interface PreparedGpioRequest {
  readonly names: readonly string[];
  readonly offsets: readonly number[];
  readonly binding: GpioBinding;
}

function validateRequest(chipPath: string, names: readonly string[], offsets: readonly number[]): void {
  const reject = (message: string) => {
    throw new GpioError('INVALID_LINES', message, { chipPath, lines: offsets });
  };
  if (chipPath.length === 0) reject('the chip path is empty');
  if (offsets.length === 0) reject('no lines to request');
  if (offsets.length > GPIO_LINES_MAX)
    reject(`${offsets.length} lines: one request takes at most ${GPIO_LINES_MAX}`);
  const owner = new Map<number, string>();
  offsets.forEach((offset, index) => {
    if (!Number.isInteger(offset) || offset < 0 || offset > 0xffff_ffff) {
      reject(`${names[index]}: ${offset} is not a line offset (an integer from 0)`);
    }
    const other = owner.get(offset);
    if (other !== undefined) reject(`${names[index]}: line ${offset} is already ${other}`);
    owner.set(offset, names[index]);
  });
}

/**
 * What every line request does before its system call, outputs and inputs alike: invalid lines
 * are rejected (INVALID_LINES), and without a `binding` the native addon is loaded
 * (NO_NATIVE_BINDING when it is not built).
 */
export function prepareGpioRequest(
  chipPath: string,
  lines: Readonly<Record<string, number>>,
  binding: GpioBinding | undefined,
): PreparedGpioRequest {
  const names = Object.keys(lines);
  const offsets = names.map((name) => lines[name]);
  validateRequest(chipPath, names, offsets);
  if (binding !== undefined) return { names, offsets, binding };
  try {
    return { names, offsets, binding: loadNativeGpioBinding() };
  } catch (error) {
    throw new GpioError(
      'NO_NATIVE_BINDING',
      `the GPIO addon is not built (${(error as Error).message.split('\n')[0]}); run npm ci, or npm rebuild @tsbms/hal-linux`,
      { chipPath, lines: offsets },
    );
  }
}

/**
 * One line request's file descriptor, owned by GpioOutputs or GpioInputs: every call on a line
 * goes through {@link onLine} (RELEASED once freed, binding errors as GpioErrors naming the chip
 * and the line), and {@link freeLines} closes it once.
 */
export abstract class GpioLineRequest {
  private fd: number | null;

  /** @internal use openGpioOutputs / openGpioInputs */
  constructor(
    readonly chipPath: string,
    protected readonly names: readonly string[],
    protected readonly offsets: readonly number[],
    fd: number,
    protected readonly binding: GpioBinding,
  ) {
    this.fd = fd;
  }

  get released(): boolean {
    return this.fd === null;
  }

  /** Runs `call` on the request's fd for the line at `index`; `refused` says what a released request cannot do. */
  protected onLine<T>(index: number, refused: string, call: (fd: number) => T): T {
    const context = {
      chipPath: this.chipPath,
      lines: this.offsets,
      line: this.offsets[index],
      output: this.names[index],
    };
    if (this.fd === null) throw new GpioError('RELEASED', `${refused}: the lines were released`, context);
    try {
      return call(this.fd);
    } catch (error) {
      throw gpioErrorFromBinding(error, context);
    }
  }

  /** Closes the request once; the failure as a GpioError, or null. Repeat calls return null. */
  protected freeLines(): GpioError | null {
    if (this.fd === null) return null;
    const fd = this.fd;
    this.fd = null;
    try {
      this.binding.releaseLines(fd);
      return null;
    } catch (error) {
      return gpioErrorFromBinding(error, { chipPath: this.chipPath, lines: this.offsets });
    }
  }
}
