import { GpioError } from '../gpio-error';

/** The GpioError `action` throws; fails the test when it throws anything else or nothing. */
export function thrownGpioError(action: () => unknown): GpioError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(GpioError);
    return error as GpioError;
  }
  throw new Error('expected a GpioError');
}
