import { assertValidI2cTransfer, I2cError, i2cWhere, type I2cBus } from '../../i2c-bus';

/**
 * A chip on a {@link MemoryI2cBus}, seen at the wire level: each transaction is the bytes after the
 * address byte. A register transfer is a write of the register pointer (and, for a register write,
 * the data after it); a register read is that pointer write followed by a read.
 */
export interface I2cDeviceModel {
  /** A write transaction's bytes (register pointer first, where the chip has registers). */
  write(bytes: Uint8Array): void;
  /** A read transaction of `length` bytes. */
  read(length: number): Uint8Array;
}

/**
 * A byte memory behind a register pointer that advances with every byte, as a 24C02 EEPROM or any
 * register file with auto-increment: what the I2cBus contract runs against in memory.
 */
export class I2cMemoryDevice implements I2cDeviceModel {
  readonly bytes = new Uint8Array(256);
  private pointer = 0;

  write(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.pointer = bytes[0];
    for (const byte of bytes.subarray(1)) this.bytes[this.advance()] = byte;
  }

  read(length: number): Uint8Array {
    return Uint8Array.from({ length }, () => this.bytes[this.advance()]);
  }

  private advance(): number {
    const at = this.pointer;
    this.pointer = (this.pointer + 1) & 0xff;
    return at;
  }
}

/**
 * An I2C bus in memory, behaving as the Linux adapter on `/dev/i2c-N` does (the I2cBus contract in
 * `@tsbms/hal/testing` checks both): transfers to an address nobody answers reject with
 * I2C_NO_DEVICE, invalid ones with I2C_INVALID_TRANSFER before reaching a device, and all of them
 * with I2C_CLOSED after `close()`. Every transaction is recorded in `transactions`.
 */
export class MemoryI2cBus implements I2cBus {
  private readonly devices = new Map<number, I2cDeviceModel>();
  private open = true;
  /** Every transaction that reached a device, in order: `w 40 01 12 34` / `r 40 2`. */
  readonly transactions: string[] = [];
  private failure: { readonly address: number; readonly error: I2cError } | undefined;

  constructor(readonly path = 'memory-i2c') {}

  /** Puts `device` on the bus at `address` (replacing any there); returns it. */
  attach<Device extends I2cDeviceModel>(address: number, device: Device): Device {
    this.devices.set(address, device);
    return device;
  }

  /** Takes the device at `address` off the bus (unplugged, unpowered): it stops acknowledging. */
  detach(address: number): void {
    this.devices.delete(address);
  }

  /** Makes every transfer to `address` fail with I2C_TRANSFER_FAILED (`undefined` stops it). */
  failTransfers(address: number | undefined, message = 'remote I/O error'): void {
    this.failure =
      address === undefined
        ? undefined
        : {
            address,
            error: new I2cError(
              'I2C_TRANSFER_FAILED',
              `${i2cWhere({ bus: this.path, address })}: ${message}`,
              {
                bus: this.path,
                address,
              },
            ),
          };
  }

  async readWord(address: number, register: number): Promise<number> {
    this.check({ address, register }, 'read');
    const device = this.device(address, register);
    this.writeTo(address, device, Uint8Array.of(register));
    const [high, low] = this.readFrom(address, device, 2);
    return (high << 8) | low;
  }

  async writeWord(address: number, register: number, value: number): Promise<void> {
    this.check({ address, register, word: value }, 'write');
    this.writeTo(address, this.device(address, register), Uint8Array.of(register, value >> 8, value & 0xff));
  }

  async readBlock(address: number, register: number, length: number): Promise<Uint8Array> {
    this.check({ address, register, length }, 'read');
    const device = this.device(address, register);
    this.writeTo(address, device, Uint8Array.of(register));
    return this.readFrom(address, device, length);
  }

  async writeBlock(address: number, register: number, bytes: Uint8Array): Promise<void> {
    this.check({ address, register, bytes }, 'write');
    this.writeTo(address, this.device(address, register), Uint8Array.of(register, ...bytes));
  }

  async read(address: number, length: number): Promise<Uint8Array> {
    this.check({ address, length }, 'read');
    return this.readFrom(address, this.device(address), length);
  }

  async write(address: number, bytes: Uint8Array): Promise<void> {
    this.check({ address, bytes }, 'write');
    this.writeTo(address, this.device(address), Uint8Array.from(bytes));
  }

  async close(): Promise<void> {
    this.open = false;
  }

  private check(transfer: Parameters<typeof assertValidI2cTransfer>[1], operation: 'read' | 'write'): void {
    assertValidI2cTransfer(this.path, transfer);
    if (!this.open)
      throw new I2cError('I2C_CLOSED', `cannot ${operation}: ${this.path} is closed`, {
        bus: this.path,
        address: transfer.address,
      });
    if (this.failure?.address === transfer.address) throw this.failure.error;
  }

  private device(address: number, register?: number): I2cDeviceModel {
    const device = this.devices.get(address);
    if (device === undefined) {
      const context = { bus: this.path, address, ...(register === undefined ? {} : { register }) };
      throw new I2cError('I2C_NO_DEVICE', `${i2cWhere(context)}: no device answers`, context);
    }
    return device;
  }

  private writeTo(address: number, device: I2cDeviceModel, bytes: Uint8Array): void {
    this.transactions.push(`w ${hex(address)} ${Array.from(bytes, hex).join(' ')}`);
    device.write(bytes);
  }

  private readFrom(address: number, device: I2cDeviceModel, length: number): Uint8Array {
    this.transactions.push(`r ${hex(address)} ${length}`);
    const bytes = device.read(length);
    if (bytes.length !== length)
      throw new Error(`fake device ${hex(address)} returned ${bytes.length} of ${length} bytes`);
    return Uint8Array.from(bytes);
  }
}

const hex = (byte: number) => byte.toString(16).padStart(2, '0');
