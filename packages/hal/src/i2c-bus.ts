/**
 * One I2C bus (Linux `/dev/i2c-N` in production, an in-memory bus in tests), with the transfers
 * the current sensors need. Registers are addressed the way the sensors' datasheets do: a register
 * pointer byte, then data. 16-bit registers are big-endian on the wire (most significant byte
 * first), as on the INA226/INA228 and ADS1115; the adapter hides SMBus's little-endian word order.
 */
export interface I2cBus {
  /** Where the bus is, for messages: `/dev/i2c-1`. */
  readonly path: string;
  /** Reads the 16-bit register `register` of the device at `address` (0..0xFFFF, MSB first). */
  readWord(address: number, register: number): Promise<number>;
  /** Writes `value` (0..0xFFFF) to the 16-bit register `register`, MSB first. */
  writeWord(address: number, register: number, value: number): Promise<void>;
  /** Reads `length` (1..32) bytes starting at `register` (an SMBus I2C-block read). */
  readBlock(address: number, register: number, length: number): Promise<Uint8Array>;
  /** Writes `bytes` (1..32) starting at `register` (an SMBus I2C-block write). */
  writeBlock(address: number, register: number, bytes: Uint8Array): Promise<void>;
  /** A plain read of `length` (1..32) bytes, no register pointer (MCP3421-style converters). */
  read(address: number, length: number): Promise<Uint8Array>;
  /** A plain write of `bytes` (1..32), no register pointer. */
  write(address: number, bytes: Uint8Array): Promise<void>;
  /** Releases the bus; later transfers reject with I2C_CLOSED. Idempotent. */
  close(): Promise<void>;
}

/**
 * - `I2C_INVALID_TRANSFER`: an address, register, value or length outside what I2C can carry,
 *   refused before anything reaches the bus;
 * - `I2C_NO_DEVICE`: nothing acknowledged the address (ENXIO, EREMOTEIO: absent, unpowered, wrong
 *   address, or a wire off);
 * - `I2C_TRANSFER_FAILED`: any other failure of a transfer (arbitration lost, timeout, EIO);
 * - `I2C_OPEN_FAILED`: the bus device cannot be opened (no `/dev/i2c-N`, no permission);
 * - `I2C_CLOSED`: the bus was closed.
 */
export type I2cErrorCode =
  | 'I2C_INVALID_TRANSFER'
  | 'I2C_NO_DEVICE'
  | 'I2C_TRANSFER_FAILED'
  | 'I2C_OPEN_FAILED'
  | 'I2C_CLOSED';

/** Where an I2C failure happened: the bus, the device and the register (when there was one). */
export interface I2cErrorContext {
  readonly bus: string;
  readonly address?: number;
  readonly register?: number;
}

export class I2cError extends Error {
  constructor(
    readonly code: I2cErrorCode,
    message: string,
    readonly context: I2cErrorContext,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'I2cError';
  }
}

/** Longest transfer tsBMS makes: SMBus's I2C-block limit, which Linux's i2c-dev enforces. */
export const MAX_I2C_TRANSFER_BYTES = 32;

/** `0x40` style, for messages about I2C addresses and registers. */
export const hexByte = (value: number): string => `0x${value.toString(16).padStart(2, '0')}`;

/** Where a transfer goes, for messages: `/dev/i2c-1 device 0x40 register 0x01`. */
export function i2cWhere({ bus, address, register }: I2cErrorContext): string {
  const device = address === undefined ? '' : ` device ${hexByte(address)}`;
  return `${bus}${device}${register === undefined ? '' : ` register ${hexByte(register)}`}`;
}

function invalid(context: I2cErrorContext, what: string, value: unknown, range: string): I2cError {
  return new I2cError(
    'I2C_INVALID_TRANSFER',
    `${i2cWhere(context)}: ${what} ${String(value)} is outside ${range}`,
    context,
  );
}

const isIntegerIn = (value: unknown, min: number, max: number): value is number =>
  Number.isInteger(value) && (value as number) >= min && (value as number) <= max;

/**
 * Throws I2C_INVALID_TRANSFER for what no adapter may put on the bus: a 7-bit address outside
 * 0x03..0x77 (the rest are reserved), a register outside 0..0xFF, a word outside 0..0xFFFF, a length
 * or byte count outside 1..32, bytes that are not a Uint8Array. Shared by every adapter and fake,
 * so they refuse the same transfers with the same error.
 */
export function assertValidI2cTransfer(
  bus: string,
  transfer: {
    readonly address: number;
    readonly register?: number;
    readonly word?: number;
    readonly length?: number;
    readonly bytes?: Uint8Array;
  },
): void {
  const { address, register } = transfer;
  const context: I2cErrorContext = {
    bus,
    ...(isIntegerIn(address, 0, 0x7f) ? { address } : {}),
    ...(isIntegerIn(register, 0, 0xff) ? { register } : {}),
  };
  if (!isIntegerIn(address, 0x03, 0x77)) throw invalid(context, 'address', address, '0x03..0x77');
  if ('register' in transfer && !isIntegerIn(register, 0, 0xff))
    throw invalid(context, 'register', register, '0x00..0xff');
  if ('word' in transfer && !isIntegerIn(transfer.word, 0, 0xffff))
    throw invalid(context, 'word', transfer.word, '0..0xffff');
  if ('length' in transfer && !isIntegerIn(transfer.length, 1, MAX_I2C_TRANSFER_BYTES))
    throw invalid(context, 'length', transfer.length, `1..${MAX_I2C_TRANSFER_BYTES}`);
  if ('bytes' in transfer) {
    if (!(transfer.bytes instanceof Uint8Array))
      throw invalid(context, 'data', typeof transfer.bytes, 'a Uint8Array');
    if (!isIntegerIn(transfer.bytes.length, 1, MAX_I2C_TRANSFER_BYTES))
      throw invalid(context, 'byte count', transfer.bytes.length, `1..${MAX_I2C_TRANSFER_BYTES}`);
  }
}
