import type { DigitalInput } from '@tsbms/hal';
import type { GpioBias, GpioBinding } from './gpio-binding';
import { gpioErrorFromBinding } from './gpio-error';
import { GpioLineRequest, prepareGpioRequest } from './gpio-request';

export interface GpioInputsOptions {
  /** The GPIO character device, e.g. `/dev/gpiochip0`. */
  readonly chipPath: string;
  /** Input name → line offset on the chip. Only the inputs that are wired. */
  readonly lines: Readonly<Record<string, number>>;
  /**
   * The contact pulls the pin LOW when it is closed (the usual wiring: an auxiliary contact to
   * ground, a pull-up to 3.3 V). The kernel then inverts every level, so `read()` is true for a
   * closed contact. Default false.
   */
  readonly activeLow?: boolean;
  /** The pin's pull resistor. Default 'as-is': what the firmware or device tree set. */
  readonly bias?: GpioBias;
  /** The label `gpioinfo` shows for the lines. Default 'tsbms'. */
  readonly consumer?: string;
  /** Default: the native addon. */
  readonly binding?: GpioBinding;
}

/** One requested input line. `read` is one ioctl: synchronous, and a refusal throws a GpioError at once. */
export class GpioDigitalInput implements DigitalInput {
  constructor(
    readonly name: string,
    /** The line offset on the chip. */
    readonly line: number,
    private readonly request: GpioInputs,
    private readonly index: number,
  ) {}

  read(): boolean {
    return this.request.sense(this.index);
  }
}

/** Input lines of one GPIO chip, requested together (one open, one ioctl). Create with {@link openGpioInputs}. */
export class GpioInputs extends GpioLineRequest {
  readonly inputs: Readonly<Record<string, GpioDigitalInput>> = Object.freeze(
    Object.fromEntries(
      this.names.map((name, index) => [name, new GpioDigitalInput(name, this.offsets[index], this, index)]),
    ),
  );

  /** @internal the one place a level is read from the kernel */
  sense(index: number): boolean {
    return this.onLine(index, 'cannot read', (fd) => this.binding.getLineValue(fd, index));
  }

  /** Frees the lines. Repeat calls do nothing; `read` afterwards throws RELEASED. */
  release(): void {
    const failure = this.freeLines();
    if (failure !== null) throw failure;
  }
}

/**
 * Requests the given lines of a GPIO chip as inputs, in one request. Invalid lines are rejected
 * before any system call; a chip that cannot be opened or lines that cannot be claimed (held by
 * another consumer, a bias the chip cannot set) throw a GpioError naming the chip and the lines.
 */
export function openGpioInputs(options: GpioInputsOptions): GpioInputs {
  const { chipPath, activeLow = false, bias = 'as-is', consumer = 'tsbms' } = options;
  const { names, offsets, binding } = prepareGpioRequest(chipPath, options.lines, options.binding);
  let fd: number;
  try {
    fd = binding.requestInputLines(chipPath, offsets, consumer, activeLow, bias);
  } catch (error) {
    throw gpioErrorFromBinding(error, { chipPath, lines: offsets });
  }
  return new GpioInputs(chipPath, names, offsets, fd, binding);
}
