import { InvalidArgumentError } from '../invalid-argument-error';

/**
 * For specs of the argument guards: runs `action` (a constructor call, a factory, an async entry
 * point) and resolves to the InvalidArgumentError it throws or rejects with, after checking its
 * `code`, that it names `argument` and that its message starts with that name. Throws a plain
 * Error otherwise (nothing thrown, another error, another argument), so it needs no test framework.
 */
export async function expectInvalidArgument(
  action: () => unknown,
  argument: string,
): Promise<InvalidArgumentError> {
  let thrown: unknown;
  try {
    await action();
  } catch (error) {
    thrown = error;
  }
  if (!(thrown instanceof InvalidArgumentError)) {
    throw new Error(
      `expected an InvalidArgumentError naming ${argument}, got ${String(thrown ?? 'no error')}`,
    );
  }
  const { code, message } = thrown;
  if (code !== 'INVALID_ARGUMENT' || thrown.argument !== argument || !message.startsWith(`${argument} `)) {
    throw new Error(`expected an InvalidArgumentError naming ${argument}, got ${code}: ${message}`);
  }
  return thrown;
}
