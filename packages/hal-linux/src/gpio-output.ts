import type { DigitalOutput } from '@tsbms/hal';
import type { GpioBinding } from './gpio-binding';
import { gpioErrorFromBinding } from './gpio-error';
import { GpioLineRequest, prepareGpioRequest } from './gpio-request';

export interface GpioOutputsOptions {
  /** The GPIO character device, e.g. `/dev/gpiochip0`. */
  readonly chipPath: string;
  /** Output name → line offset on the chip. Only the outputs that are fitted. */
  readonly lines: Readonly<Record<string, number>>;
  /**
   * The relay driver energises on a LOW pin. The kernel then inverts every level, so `set(false)`
   * and the initial state still mean de-energised (open). Default false.
   */
  readonly activeLow?: boolean;
  /** The label `gpioinfo` shows for the lines. Default 'tsbms'. */
  readonly consumer?: string;
  /** Default: the native addon. */
  readonly binding?: GpioBinding;
}

/** One requested line. `set` is one ioctl: synchronous, and a refusal throws a GpioError at once. */
export class GpioDigitalOutput implements DigitalOutput {
  private level = false;

  constructor(
    readonly name: string,
    /** The line offset on the chip. */
    readonly line: number,
    private readonly request: GpioOutputs,
    private readonly index: number,
  ) {}

  get state(): boolean {
    return this.level;
  }

  set(on: boolean): void {
    // Always written, even at the same level: a fail-safe set(false) must reach the pin.
    this.request.drive(this.index, on);
    this.level = on;
  }
}

/**
 * Output lines of one GPIO chip, requested together (one open, one ioctl) and all inactive from
 * the moment they are claimed. Create with {@link openGpioOutputs}.
 */
export class GpioOutputs extends GpioLineRequest {
  readonly outputs: Readonly<Record<string, GpioDigitalOutput>> = Object.freeze(
    Object.fromEntries(
      this.names.map((name, index) => [name, new GpioDigitalOutput(name, this.offsets[index], this, index)]),
    ),
  );

  /** @internal the one place a level reaches the kernel */
  drive(index: number, on: boolean): void {
    this.onLine(index, `cannot set ${on ? 'on' : 'off'}`, (fd) => this.binding.setLineValue(fd, index, on));
  }

  /**
   * Drives every line inactive, then frees the lines. Most GPIO drivers keep a freed line at its
   * last level, so the lines are switched off here rather than left to the kernel. Repeat calls
   * do nothing. Throws the first failure after still trying every line and closing the request.
   */
  release(): void {
    if (this.released) return;
    const failures: unknown[] = [];
    for (const output of Object.values(this.outputs)) {
      try {
        output.set(false);
      } catch (error) {
        failures.push(error);
      }
    }
    const failure = this.freeLines();
    if (failure !== null) failures.push(failure);
    if (failures.length > 0) throw failures[0];
  }
}

/**
 * Requests the given lines of a GPIO chip as outputs, all inactive (de-energised), in one
 * request. Invalid lines are rejected before any system call; a chip that cannot be opened or
 * lines that cannot be claimed throw a GpioError naming the chip and the lines.
 */
export function openGpioOutputs(options: GpioOutputsOptions): GpioOutputs {
  const { chipPath, activeLow = false, consumer = 'tsbms' } = options;
  const { names, offsets, binding } = prepareGpioRequest(chipPath, options.lines, options.binding);
  let fd: number;
  try {
    fd = binding.requestOutputLines(chipPath, offsets, consumer, activeLow);
  } catch (error) {
    throw gpioErrorFromBinding(error, { chipPath, lines: offsets });
  }
  return new GpioOutputs(chipPath, names, offsets, fd, binding);
}
