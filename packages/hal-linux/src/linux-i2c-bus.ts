import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import {
  assertValidI2cTransfer,
  I2cError,
  i2cWhere,
  requireObject,
  type I2cBus,
  type I2cErrorCode,
} from '@tsbms/hal';
import type { PromisifiedBus } from 'i2c-bus';

export interface LinuxI2cBusOptions {
  /** The N of `/dev/i2c-N` (1 on a Raspberry Pi's header pins 3 and 5). */
  readonly busNumber: number;
}

/** errno codes meaning nothing acknowledged the address (drivers differ; i2c-stub says ENODEV). */
const NO_DEVICE_ERRNOS = new Set(['ENXIO', 'EREMOTEIO', 'ENODEV']);

/** SMBus words travel low byte first; the sensors send their registers high byte first. */
const swapBytes = (word: number): number => ((word & 0xff) << 8) | (word >> 8);

/**
 * {@link I2cBus} on Linux's i2c-dev (`/dev/i2c-N`) through the `i2c-bus` package, whose native
 * addon makes the kernel's SMBus transfers in libuv's thread pool. Transfers are made one at a
 * time, in call order: one bus carries one transfer at a time anyway, and a sensor's pointer write
 * and read must not interleave with another caller's. The process needs read and write access to
 * the device (the `i2c` group on Raspberry Pi OS).
 */
export class LinuxI2cBus implements I2cBus {
  readonly path: string;
  private queue: Promise<unknown> = Promise.resolve();
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly bus: PromisifiedBus,
    busNumber: number,
  ) {
    this.path = `/dev/i2c-${busNumber}`;
  }

  /** Opens `/dev/i2c-N`; rejects with I2C_OPEN_FAILED naming it (missing, no permission). */
  static async open(options: LinuxI2cBusOptions): Promise<LinuxI2cBus> {
    requireObject(options, 'options', 'LinuxI2cBus options ({ busNumber })');
    const { busNumber } = options;
    const path = `/dev/i2c-${String(busNumber)}`;
    if (!Number.isInteger(busNumber) || busNumber < 0)
      throw new I2cError('I2C_OPEN_FAILED', `${path}: busNumber must be a whole number >= 0`, { bus: path });
    // Loaded on first use: a daemon without an I2C sensor never loads the native addon.
    const { openPromisified } = require('i2c-bus') as typeof import('i2c-bus');
    try {
      // i2c-bus opens the device only at the first transfer: check it is there and ours to use now.
      await access(path, constants.R_OK | constants.W_OK);
      return new LinuxI2cBus(await openPromisified(busNumber), busNumber);
    } catch (cause) {
      const detail = cause instanceof Error ? cause.message : String(cause);
      throw new I2cError('I2C_OPEN_FAILED', `cannot open ${path}: ${detail}`, { bus: path }, { cause });
    }
  }

  readWord(address: number, register: number): Promise<number> {
    return this.transfer({ address, register }, 'read', async () =>
      swapBytes(await this.bus.readWord(address, register)),
    );
  }

  writeWord(address: number, register: number, value: number): Promise<void> {
    return this.transfer({ address, register, word: value }, 'write', () =>
      this.bus.writeWord(address, register, swapBytes(value)),
    );
  }

  readBlock(address: number, register: number, length: number): Promise<Uint8Array> {
    return this.transfer({ address, register, length }, 'read', async () => {
      const { bytesRead, buffer } = await this.bus.readI2cBlock(
        address,
        register,
        length,
        Buffer.alloc(length),
      );
      return this.complete(bytesRead, length, buffer, { address, register });
    });
  }

  writeBlock(address: number, register: number, bytes: Uint8Array): Promise<void> {
    return this.transfer({ address, register, bytes }, 'write', async () => {
      await this.bus.writeI2cBlock(address, register, bytes.length, Buffer.from(bytes));
    });
  }

  read(address: number, length: number): Promise<Uint8Array> {
    return this.transfer({ address, length }, 'read', async () => {
      const { bytesRead, buffer } = await this.bus.i2cRead(address, length, Buffer.alloc(length));
      return this.complete(bytesRead, length, buffer, { address });
    });
  }

  write(address: number, bytes: Uint8Array): Promise<void> {
    return this.transfer({ address, bytes }, 'write', async () => {
      const { bytesWritten } = await this.bus.i2cWrite(address, bytes.length, Buffer.from(bytes));
      if (bytesWritten !== bytes.length) {
        const context = { bus: this.path, address };
        throw new I2cError(
          'I2C_TRANSFER_FAILED',
          `${i2cWhere(context)}: wrote ${bytesWritten} of ${bytes.length} bytes`,
          context,
        );
      }
    });
  }

  close(): Promise<void> {
    this.closing ??= this.queue.then(
      () => this.bus.close(),
      () => this.bus.close(),
    );
    return this.closing;
  }

  /** Validates, then runs `work` after every earlier transfer, mapping the kernel's errors. */
  private transfer<T>(
    transfer: Parameters<typeof assertValidI2cTransfer>[1],
    operation: 'read' | 'write',
    work: () => Promise<T>,
  ): Promise<T> {
    try {
      assertValidI2cTransfer(this.path, transfer);
    } catch (error) {
      return Promise.reject(error);
    }
    const { address, register } = transfer;
    const context = { bus: this.path, address, ...(register === undefined ? {} : { register }) };
    if (this.closing !== undefined)
      return Promise.reject(
        new I2cError('I2C_CLOSED', `cannot ${operation}: ${this.path} is closed`, context),
      );
    const result = this.queue.then(work).catch((cause: unknown) => {
      if (cause instanceof I2cError) throw cause;
      throw this.transferError(cause, operation, context);
    });
    this.queue = result.catch(() => undefined);
    return result;
  }

  private transferError(
    cause: unknown,
    operation: 'read' | 'write',
    context: { bus: string; address: number; register?: number },
  ): I2cError {
    const errno = (cause as { code?: unknown } | null)?.code;
    const code: I2cErrorCode =
      typeof errno === 'string' && NO_DEVICE_ERRNOS.has(errno) ? 'I2C_NO_DEVICE' : 'I2C_TRANSFER_FAILED';
    const detail = cause instanceof Error ? cause.message : String(cause);
    const what = code === 'I2C_NO_DEVICE' ? 'no device answers' : `${operation} failed`;
    return new I2cError(code, `${i2cWhere(context)}: ${what} (${detail})`, context, { cause });
  }

  private complete(
    bytesRead: number,
    length: number,
    buffer: Buffer,
    at: { address: number; register?: number },
  ): Uint8Array {
    if (bytesRead !== length) {
      const context = { bus: this.path, ...at };
      throw new I2cError(
        'I2C_TRANSFER_FAILED',
        `${i2cWhere(context)}: read ${bytesRead} of ${length} bytes`,
        context,
      );
    }
    return Uint8Array.from(buffer.subarray(0, length));
  }
}
