import { ControllerConfigError } from '../errors';

/** The ControllerConfigError `action` throws; fails the test when it throws nothing or something else. */
export function configErrorOf(action: () => unknown): ControllerConfigError {
  try {
    action();
  } catch (error) {
    if (error instanceof ControllerConfigError) return error;
    throw error;
  }
  throw new Error('no error was thrown');
}
