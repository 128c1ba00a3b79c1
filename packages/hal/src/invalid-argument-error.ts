/**
 * A caller passed the wrong thing to a public constructor or factory: `undefined`, a plain object
 * where a port was expected, a port missing a member. The libraries are used from plain JavaScript
 * too, where TypeScript's types protect nothing, so they reject it here, naming the argument,
 * instead of failing later deep inside (or, worse, in the middle of a scan).
 */
export class InvalidArgumentError extends Error {
  readonly code = 'INVALID_ARGUMENT';

  constructor(
    /** The argument's name as the signature has it: `'link'`, `'options.clock'`. */
    readonly argument: string,
    /** What it must be, e.g. `'a ByteLink (data$, events$, write, close)'`. */
    readonly expected: string,
    /** A short description of what was passed, e.g. `'a plain object without write'`. */
    readonly received: string,
  ) {
    super(`${argument} must be ${expected}, got ${received}`);
    this.name = 'InvalidArgumentError';
  }
}
