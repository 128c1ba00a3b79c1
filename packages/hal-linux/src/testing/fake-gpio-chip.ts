import { constants } from 'node:os';
import type { GpioBinding } from '../gpio-binding';

const { errno } = constants;

/** Thrown like the native addon throws: a message, a positive errno and the system call. */
function systemError(code: keyof typeof errno, syscall: string): Error {
  return Object.assign(new Error(`${syscall} failed: ${code}`), { errno: Math.abs(errno[code]), syscall });
}

interface FakeRequest {
  readonly chipPath: string;
  readonly offsets: readonly number[];
  readonly activeLow: boolean;
}

interface FakeLine {
  /** Physical level, 0 or 1, kept after the line is freed (as most drivers do). */
  physical: 0 | 1;
  consumer: string | null;
}

/**
 * GPIO chips as the kernel's character device presents them, behind the {@link GpioBinding}
 * interface: ENOENT for a missing chip, EINVAL for an offset the chip lacks, EBUSY for a line
 * already requested, EBADF for a closed request, the active-low inversion, lines starting
 * inactive, and freed lines keeping their last physical level.
 */
export class FakeGpioChips implements GpioBinding {
  private readonly chips = new Map<string, FakeLine[]>();
  private readonly requests = new Map<number, FakeRequest>();
  private nextFd = 20;
  private pendingSetFailure: keyof typeof errno | null = null;
  /** Every binding call, in order, for asserting what reached the "kernel". */
  readonly calls: string[] = [];

  /** `chips`: chip path → number of lines. */
  constructor(chips: Readonly<Record<string, number>>) {
    for (const [path, lineCount] of Object.entries(chips)) {
      this.chips.set(
        path,
        Array.from({ length: lineCount }, () => ({ physical: 0 as const, consumer: null })),
      );
    }
  }

  /** The next setLineValue fails with this errno (e.g. EIO from an I2C expander). */
  failNextSet(code: keyof typeof errno): void {
    this.pendingSetFailure = code;
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
    for (const offset of offsets) {
      lines[offset].consumer = consumer;
      lines[offset].physical = activeLow ? 1 : 0;
    }
    const fd = this.nextFd++;
    this.requests.set(fd, { chipPath, offsets: [...offsets], activeLow });
    return fd;
  }

  setLineValue(fd: number, index: number, active: boolean): void {
    this.calls.push(`set ${fd} #${index} ${active ? 'active' : 'inactive'}`);
    const syscall = 'ioctl GPIO_V2_LINE_SET_VALUES_IOCTL';
    const request = this.requests.get(fd);
    if (request === undefined) throw systemError('EBADF', syscall);
    if (index >= request.offsets.length) throw systemError('EINVAL', syscall);
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

  private line(chipPath: string, offset: number): FakeLine {
    const line = this.chips.get(chipPath)?.[offset];
    if (line === undefined) throw new Error(`the fake has no line ${offset} on ${chipPath}`);
    return line;
  }
}
