import { loadNativeGpioBinding, type GpioBinding } from './gpio-binding';
import { GpioError } from './gpio-error';

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
