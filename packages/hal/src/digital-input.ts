/**
 * One on/off input: a contactor's auxiliary (feedback) contact. `true` = active, which for a
 * feedback contact means the contactor is closed; the adapter hides the wiring (active low).
 *
 * `read` is synchronous on purpose, like DigitalOutput's `set`: the core reads every feedback
 * input at every poll (bms-behaviour.md B-14) in the same tick as it compares them with the
 * commands in force, and the Linux GPIO character device reads a line with one ioctl that
 * completes in microseconds. A failure throws at once.
 */
export interface DigitalInput {
  /** What the input senses, for logs and status ('contactorPositive', ...). */
  readonly name: string;
  read(): boolean;
}

/**
 * An input with no hardware behind it, for the embedded demo and tests: it reads its level, a
 * constant given to `set` (false until then) or a function it was wired to (a simulated contactor
 * whose auxiliary contact follows its coil: `() => relay.state`), and counts its reads.
 */
export class SimulatedDigitalInput implements DigitalInput {
  private level: () => boolean;
  private readCount = 0;

  constructor(
    readonly name: string,
    level: boolean | (() => boolean) = false,
  ) {
    this.level = typeof level === 'function' ? level : () => level;
  }

  /** How often `read` was called: a test sees whether the input is polled. */
  get reads(): number {
    return this.readCount;
  }

  /** What every later `read` returns (a contact sticking, a wire coming loose), whatever it followed before. */
  set(active: boolean): void {
    this.level = () => active;
  }

  read(): boolean {
    this.readCount += 1;
    return this.level();
  }
}
