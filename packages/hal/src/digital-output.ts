import type { Clock } from './clock';

/**
 * One on/off output: a contactor or heater relay, a status LED. `true` = energised. De-energised
 * must mean the safe state (contactor open, heater off), so a dead process leaves the pack safe.
 *
 * `set` is synchronous on purpose: the fail-safe opens every relay "in the same tick"
 * (bms-behaviour.md B-13), which an awaited write could not promise, and the Linux GPIO character
 * device sets a line with one ioctl that completes in microseconds. A failure throws at once.
 */
export interface DigitalOutput {
  /** What the output drives, for logs and status ('contactorPositive', 'heater', ...). */
  readonly name: string;
  /** The level last set (false before the first `set`). */
  readonly state: boolean;
  set(on: boolean): void;
}

/** One change of a simulated output. */
export interface OutputTransition {
  readonly atMs: number;
  readonly on: boolean;
}

/**
 * An output with no hardware behind it, for the embedded demo and tests: it keeps its level and
 * records every change with the clock's time. Setting the level it already has records nothing.
 */
export class SimulatedDigitalOutput implements DigitalOutput {
  private level = false;
  private readonly changes: OutputTransition[] = [];

  constructor(
    readonly name: string,
    private readonly clock: Clock,
  ) {}

  get state(): boolean {
    return this.level;
  }

  /** Every change since construction, oldest first. */
  get transitions(): readonly OutputTransition[] {
    return this.changes;
  }

  set(on: boolean): void {
    if (on === this.level) return;
    this.level = on;
    this.changes.push(Object.freeze({ atMs: this.clock.now(), on }));
  }
}
