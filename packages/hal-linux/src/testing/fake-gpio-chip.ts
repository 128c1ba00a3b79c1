import { constants } from 'node:os';
import type { GpioBias, GpioBinding } from '../gpio-binding';

const { errno } = constants;

/** Thrown like the native addon throws: a message, a positive errno and the system call. */
function systemError(code: keyof typeof errno, syscall: string): Error {
  return Object.assign(new Error(`${syscall} failed: ${code}`), { errno: Math.abs(errno[code]), syscall });
}

interface FakeRequest {
  readonly chipPath: string;
  readonly offsets: readonly number[];
  readonly activeLow: boolean;
  readonly direction: 'output' | 'input';
}

interface FakeLine {
  /**
   * Physical level, 0 or 1: driven by the request of an output line, by the wiring of an input
   * line ({@link FakeGpioChips.setInputLevel}); kept after the line is freed (as most drivers do).
   */
  physical: 0 | 1;
  consumer: string | null;
  direction: 'output' | 'input' | null;
  /** The bias of the last input request; null for an output or a line never requested as input. */
  bias: GpioBias | null;
}

/**
 * GPIO chips as the kernel's character device presents them, behind the {@link GpioBinding}
 * interface: ENOENT for a missing chip, EINVAL for an offset the chip lacks, EBUSY for a line
 * already requested, EBADF for a closed request, EPERM for setting an input, the active-low
 * inversion on both directions, output lines starting inactive, input lines reading the level the
 * wiring puts on the pin, and freed lines keeping their last physical level.
 */
export class FakeGpioChips implements GpioBinding {
  private readonly chips = new Map<string, FakeLine[]>();
  private readonly requests = new Map<number, FakeRequest>();
  private nextFd = 20;
  private pendingSetFailure: keyof typeof errno | null = null;
  private pendingGetFailure: keyof typeof errno | null = null;
  /** Every binding call, in order, for asserting what reached the "kernel". */
  readonly calls: string[] = [];

  /** `chips`: chip path → number of lines. */
  constructor(chips: Readonly<Record<string, number>>) {
    for (const [path, lineCount] of Object.entries(chips)) {
      this.chips.set(
        path,
        Array.from({ length: lineCount }, () => ({
          physical: 0 as const,
          consumer: null,
          direction: null,
          bias: null,
        })),
      );
    }
  }

  /** The next setLineValue fails with this errno (e.g. EIO from an I2C expander). */
  failNextSet(code: keyof typeof errno): void {
    this.pendingSetFailure = code;
  }

  /** The next getLineValue fails with this errno (e.g. EIO from an I2C expander). */
  failNextGet(code: keyof typeof errno): void {
    this.pendingGetFailure = code;
  }

  /**
   * The level the wiring puts on an input pin (1 = high): an auxiliary contact to ground makes it
   * 0 when closed. Throws for a line requested as an output: two drivers on one wire is a test bug.
   */
  setInputLevel(chipPath: string, offset: number, level: 0 | 1): void {
    const line = this.line(chipPath, offset);
    if (line.direction === 'output' && line.consumer !== null) {
      throw new Error(`line ${offset} on ${chipPath} is an output: the fake does not drive it from outside`);
    }
    line.physical = level;
  }

  /** The bias the last input request set on the line, null if it was never requested as an input. */
  biasOf(chipPath: string, offset: number): GpioBias | null {
    return this.line(chipPath, offset).bias;
  }

  /** The pin's electrical level (1 = high). */
  physicalLevel(chipPath: string, offset: number): 0 | 1 {
    return this.line(chipPath, offset).physical;
  }

  /** Who holds the line, null when free. */
  consumerOf(chipPath: string, offset: number): string | null {
    return this.line(chipPath, offset).consumer;
  }

  get openRequests(): number {
    return this.requests.size;
  }

  requestOutputLines(
    chipPath: string,
    offsets: readonly number[],
    consumer: string,
    activeLow: boolean,
  ): number {
    this.calls.push(`request ${chipPath} ${offsets.join(',')}${activeLow ? ' active-low' : ''}`);
    const lines = this.claim(chipPath, offsets, consumer);
    for (const offset of offsets) {
      lines[offset].direction = 'output';
      lines[offset].bias = null;
      lines[offset].physical = activeLow ? 1 : 0;
    }
    return this.addRequest({ chipPath, offsets: [...offsets], activeLow, direction: 'output' });
  }

  requestInputLines(
    chipPath: string,
    offsets: readonly number[],
    consumer: string,
    activeLow: boolean,
    bias: GpioBias,
  ): number {
    this.calls.push(
      `request input ${chipPath} ${offsets.join(',')}${activeLow ? ' active-low' : ''} bias ${bias}`,
    );
    const lines = this.claim(chipPath, offsets, consumer);
    for (const offset of offsets) {
      lines[offset].direction = 'input';
      lines[offset].bias = bias;
    }
    return this.addRequest({ chipPath, offsets: [...offsets], activeLow, direction: 'input' });
  }

  getLineValue(fd: number, index: number): boolean {
    this.calls.push(`get ${fd} #${index}`);
    const syscall = 'ioctl GPIO_V2_LINE_GET_VALUES_IOCTL';
    const request = this.requests.get(fd);
    if (request === undefined) throw systemError('EBADF', syscall);
    if (index >= request.offsets.length) throw systemError('EINVAL', syscall);
    if (this.pendingGetFailure !== null) {
      const code = this.pendingGetFailure;
      this.pendingGetFailure = null;
      throw systemError(code, syscall);
    }
    // As the kernel does, an output line reads back the level it drives.
    return (this.line(request.chipPath, request.offsets[index]).physical === 1) !== request.activeLow;
  }

  setLineValue(fd: number, index: number, active: boolean): void {
    this.calls.push(`set ${fd} #${index} ${active ? 'active' : 'inactive'}`);
    const syscall = 'ioctl GPIO_V2_LINE_SET_VALUES_IOCTL';
    const request = this.requests.get(fd);
    if (request === undefined) throw systemError('EBADF', syscall);
    if (index >= request.offsets.length) throw systemError('EINVAL', syscall);
    if (request.direction === 'input') throw systemError('EPERM', syscall);
    if (this.pendingSetFailure !== null) {
      const code = this.pendingSetFailure;
      this.pendingSetFailure = null;
      throw systemError(code, syscall);
    }
    this.line(request.chipPath, request.offsets[index]).physical = active !== request.activeLow ? 1 : 0;
  }

  releaseLines(fd: number): void {
    this.calls.push(`release ${fd}`);
    const request = this.requests.get(fd);
    if (request === undefined) throw systemError('EBADF', 'close');
    this.requests.delete(fd);
    for (const offset of request.offsets) this.line(request.chipPath, offset).consumer = null;
  }

  /** The kernel's checks of a line request, then the lines taken for `consumer`. */
  private claim(chipPath: string, offsets: readonly number[], consumer: string): FakeLine[] {
    const lines = this.chips.get(chipPath);
    if (lines === undefined) throw systemError('ENOENT', 'open');
    const syscall = 'ioctl GPIO_V2_GET_LINE_IOCTL';
    if (offsets.length === 0 || offsets.length > 64) throw systemError('EINVAL', syscall);
    if (offsets.some((offset) => offset >= lines.length)) throw systemError('EINVAL', syscall);
    // The kernel claims line by line, so a repeated offset finds its own claim: EBUSY.
    if (
      offsets.some((offset, index) => lines[offset].consumer !== null || offsets.indexOf(offset) !== index)
    ) {
      throw systemError('EBUSY', syscall);
    }
    for (const offset of offsets) lines[offset].consumer = consumer;
    return lines;
  }

  private addRequest(request: FakeRequest): number {
    const fd = this.nextFd++;
    this.requests.set(fd, request);
    return fd;
  }

  private line(chipPath: string, offset: number): FakeLine {
    const line = this.chips.get(chipPath)?.[offset];
    if (line === undefined) throw new Error(`the fake has no line ${offset} on ${chipPath}`);
    return line;
  }
}
