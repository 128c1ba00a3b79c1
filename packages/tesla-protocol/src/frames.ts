import { crc8 } from './crc';
import { TeslaProtocolError } from './errors';
import { BROADCAST_ADDRESS, MAX_MODULE_ADDRESS, UNADDRESSED } from './registers';

/*
 * Frames on the module loop (tesla-bq76pl536a.md §2). Byte 0 is `address << 1`, plus 1 for a
 * write. Replies to address-0 traffic carry bit 7 in byte 0 and their CRC is computed with that
 * bit clear (the bit-7 rule, T-4).
 */

/** Highest register in the map; requests beyond it are refused. */
export const MAX_REGISTER = 0x4f;
/** Bit 7 of byte 0: set by an unaddressed (address 0) module in its replies. */
export const UNADDRESSED_REPLY_BIT = 0x80;
const WRITE_BIT = 0x01;

export interface ReadRequest {
  readonly kind: 'readRequest';
  /** 0 (unaddressed module) or 1..62. */
  readonly address: number;
  readonly register: number;
  /** Number of registers to read, 1.. up to the end of the map. */
  readonly count: number;
  /** Send the trailing CRC (tsBMS default, T-3); false = the 3-byte form. */
  readonly withCrc: boolean;
}

/** A write to one module (0..62) or a broadcast (0x3F). */
export interface WriteRequest {
  readonly kind: 'writeRequest';
  readonly address: number;
  readonly register: number;
  readonly value: number;
}

export interface ReadReply {
  readonly kind: 'readReply';
  readonly address: number;
  readonly register: number;
  readonly data: readonly number[];
  /** Bit 7 was set: the reply came from a module at address 0. */
  readonly fromUnaddressed: boolean;
}

export interface WriteEcho {
  readonly kind: 'writeEcho';
  readonly address: number;
  readonly register: number;
  readonly value: number;
  readonly fromUnaddressed: boolean;
}

export type Request = ReadRequest | WriteRequest;
export type Frame = ReadRequest | WriteRequest | ReadReply | WriteEcho;

/** Why bytes are not the frame that was expected (T-5 classes plus CRC/echo detail). */
export type FrameRejection = 'CRC' | 'BAD_FRAME' | 'ECHO_MISMATCH' | 'NO_SUCH_MODULE';

export type DecodeResult<F> =
  | { readonly ok: true; readonly frame: F }
  | {
      readonly ok: false;
      readonly rejection: FrameRejection;
      readonly reason: string;
    };

function invalidRequest(message: string, address?: number, register?: number): TeslaProtocolError {
  return new TeslaProtocolError('INVALID_REQUEST', message, {
    address,
    register,
  });
}

function isByte(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= 0xff;
}

function checkRegister(register: number, address: number): void {
  if (!Number.isInteger(register) || register < 0 || register > MAX_REGISTER) {
    throw invalidRequest(`register ${register} is outside 0x00..0x${MAX_REGISTER.toString(16)}`, address);
  }
}

/** A read of `count` registers from `register` at address 0..62. Throws INVALID_REQUEST. */
export function readRequest(address: number, register: number, count: number, withCrc = true): ReadRequest {
  if (!Number.isInteger(address) || address < UNADDRESSED || address > MAX_MODULE_ADDRESS) {
    throw invalidRequest(`read address ${address} is outside 0..${MAX_MODULE_ADDRESS}`, address, register);
  }
  checkRegister(register, address);
  if (!Number.isInteger(count) || count < 1 || register + count > MAX_REGISTER + 1) {
    throw invalidRequest(
      `read count ${count} from 0x${register.toString(16)} runs past the register map`,
      address,
      register,
    );
  }
  return Object.freeze({
    kind: 'readRequest',
    address,
    register,
    count,
    withCrc,
  });
}

/** A write to address 0..62, or 0x3F for a broadcast. Throws INVALID_REQUEST. */
export function writeRequest(address: number, register: number, value: number): WriteRequest {
  if (!Number.isInteger(address) || address < UNADDRESSED || address > BROADCAST_ADDRESS) {
    throw invalidRequest(`write address ${address} is outside 0..0x3f`, address, register);
  }
  checkRegister(register, address);
  if (!isByte(value)) throw invalidRequest(`value ${value} is not a byte`, address, register);
  return Object.freeze({ kind: 'writeRequest', address, register, value });
}

export function broadcastWrite(register: number, value: number): WriteRequest {
  return writeRequest(BROADCAST_ADDRESS, register, value);
}

function headerByte(address: number, write: boolean, fromUnaddressed: boolean): number {
  return (address << 1) | (write ? WRITE_BIT : 0) | (fromUnaddressed ? UNADDRESSED_REPLY_BIT : 0);
}

/** Appends the CRC of `body`, computed with bit 7 of byte 0 clear (T-4). */
function withCrc(body: readonly number[]): Uint8Array {
  const crc = crc8([body[0] & ~UNADDRESSED_REPLY_BIT, ...body.slice(1)]);
  return Uint8Array.from([...body, crc]);
}

export function encodeFrame(frame: Frame): Uint8Array {
  switch (frame.kind) {
    case 'readRequest': {
      const body = [headerByte(frame.address, false, false), frame.register, frame.count];
      return frame.withCrc ? withCrc(body) : Uint8Array.from(body);
    }
    case 'writeRequest':
      return withCrc([headerByte(frame.address, true, false), frame.register, frame.value]);
    case 'readReply':
      return withCrc([
        headerByte(frame.address, false, frame.fromUnaddressed),
        frame.register,
        frame.data.length,
        ...frame.data,
      ]);
    case 'writeEcho':
      return withCrc([headerByte(frame.address, true, frame.fromUnaddressed), frame.register, frame.value]);
  }
}

/** The reply a request expects: a read reply header or the exact write echo, with bit 7 for address 0. */
export function expectedWriteEcho(request: WriteRequest): Uint8Array {
  return encodeFrame({
    kind: 'writeEcho',
    address: request.address,
    register: request.register,
    value: request.value,
    fromUnaddressed: request.address === UNADDRESSED,
  });
}

export function expectedReplyHeader(request: ReadRequest): readonly [number, number, number] {
  return [
    headerByte(request.address, false, request.address === UNADDRESSED),
    request.register,
    request.count,
  ];
}

/** Total bytes of the reply to a request. */
export function replyLength(request: Request): number {
  return request.kind === 'readRequest' ? request.count + 4 : 4;
}

function bytesEqual(a: Uint8Array | readonly number[], b: Uint8Array | readonly number[]): boolean {
  return a.length === b.length && Array.prototype.every.call(a, (v: number, i: number) => v === b[i]);
}

function hex(bytes: Uint8Array | readonly number[]): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

function reject<F>(rejection: FrameRejection, reason: string): DecodeResult<F> {
  return { ok: false, rejection, reason };
}

function crcMatches(bytes: Uint8Array | readonly number[]): boolean {
  const body = [bytes[0] & ~UNADDRESSED_REPLY_BIT, ...Array.from(bytes).slice(1, bytes.length - 1)];
  return crc8(body) === bytes[bytes.length - 1];
}

/**
 * Decodes the reply to `request` and checks everything T-4 asks: length, address (with the
 * bit-7 rule), register, count and CRC. The request coming back unchanged is NO_SUCH_MODULE.
 * Never throws.
 */
export function decodeReadReply(
  bytes: Uint8Array | readonly number[],
  request: ReadRequest,
): DecodeResult<ReadReply> {
  if (bytesEqual(bytes, encodeFrame(request)))
    return reject('NO_SUCH_MODULE', `request came back unchanged: ${hex(bytes)}`);
  const expectedLength = replyLength(request);
  if (bytes.length !== expectedLength) {
    return reject('BAD_FRAME', `reply has ${bytes.length} bytes, expected ${expectedLength}: ${hex(bytes)}`);
  }
  const [h0, register, count] = expectedReplyHeader(request);
  if (bytes[0] !== h0)
    return reject('BAD_FRAME', `reply byte 0 is 0x${hex([bytes[0]])}, expected 0x${hex([h0])}`);
  if (bytes[1] !== register)
    return reject('BAD_FRAME', `reply register 0x${hex([bytes[1]])}, expected 0x${hex([register])}`);
  if (bytes[2] !== count) return reject('BAD_FRAME', `reply count ${bytes[2]}, expected ${count}`);
  if (!crcMatches(bytes))
    return reject('CRC', `reply CRC 0x${hex([bytes[expectedLength - 1]])} is wrong: ${hex(bytes)}`);
  return {
    ok: true,
    frame: Object.freeze({
      kind: 'readReply',
      address: request.address,
      register,
      data: Object.freeze(Array.from(bytes).slice(3, 3 + count)),
      fromUnaddressed: request.address === UNADDRESSED,
    }),
  };
}

/** Checks all 4 bytes of a write echo against the request (bit 7 set for address 0). Never throws. */
export function decodeWriteEcho(
  bytes: Uint8Array | readonly number[],
  request: WriteRequest,
): DecodeResult<WriteEcho> {
  const expected = expectedWriteEcho(request);
  if (bytesEqual(bytes, expected)) {
    return {
      ok: true,
      frame: Object.freeze({
        kind: 'writeEcho',
        address: request.address,
        register: request.register,
        value: request.value,
        fromUnaddressed: request.address === UNADDRESSED,
      }),
    };
  }
  // For address 0 the echo differs from the request (bit 7), so the request itself means nobody is there.
  if (bytesEqual(bytes, encodeFrame(request)))
    return reject('NO_SUCH_MODULE', `request came back unchanged: ${hex(bytes)}`);
  if (bytes.length !== 4)
    return reject('BAD_FRAME', `echo has ${bytes.length} bytes, expected 4: ${hex(bytes)}`);
  return reject('ECHO_MISMATCH', `echo ${hex(bytes)} differs from ${hex(expected)}`);
}

/**
 * Decodes bytes as a request (what a module receives), for emulators and loop monitors.
 * A 3-byte read is accepted without CRC. Never throws.
 */
export function decodeRequest(bytes: Uint8Array | readonly number[]): DecodeResult<Request> {
  if (bytes.length !== 3 && bytes.length !== 4)
    return reject('BAD_FRAME', `request has ${bytes.length} bytes`);
  if (bytes[0] & UNADDRESSED_REPLY_BIT)
    return reject('BAD_FRAME', `request byte 0 has bit 7 set: ${hex(bytes)}`);
  const write = (bytes[0] & WRITE_BIT) !== 0;
  const address = bytes[0] >> 1;
  if (bytes.length === 3 && write) return reject('BAD_FRAME', 'a write needs its CRC');
  if (bytes.length === 4 && !crcMatches(bytes)) return reject('CRC', `request CRC is wrong: ${hex(bytes)}`);
  try {
    const frame = write
      ? writeRequest(address, bytes[1], bytes[2])
      : readRequest(address, bytes[1], bytes[2], bytes.length === 4);
    return { ok: true, frame };
  } catch (e) {
    return reject('BAD_FRAME', (e as Error).message);
  }
}

/**
 * Decodes a self-contained reply without knowing the request: a read reply (length from its
 * count byte) or a write echo. Bit 7 is accepted only on address-0 frames. Never throws.
 */
export function decodeReply(bytes: Uint8Array | readonly number[]): DecodeResult<ReadReply | WriteEcho> {
  if (bytes.length < 4) return reject('BAD_FRAME', `reply has ${bytes.length} bytes`);
  const fromUnaddressed = (bytes[0] & UNADDRESSED_REPLY_BIT) !== 0;
  const address = (bytes[0] & ~UNADDRESSED_REPLY_BIT) >> 1;
  if (fromUnaddressed && address !== UNADDRESSED)
    return reject('BAD_FRAME', `bit 7 set on address ${address}`);
  const write = (bytes[0] & WRITE_BIT) !== 0;
  const expectedLength = write ? 4 : bytes[2] + 4;
  if (bytes.length !== expectedLength)
    return reject('BAD_FRAME', `reply has ${bytes.length} bytes, expected ${expectedLength}`);
  if (!crcMatches(bytes)) return reject('CRC', `reply CRC is wrong: ${hex(bytes)}`);
  try {
    if (write) {
      const request = writeRequest(address, bytes[1], bytes[2]);
      return {
        ok: true,
        frame: Object.freeze({
          ...request,
          kind: 'writeEcho',
          fromUnaddressed,
        }),
      };
    }
    const request = readRequest(address, bytes[1], bytes[2]);
    const data = Object.freeze(Array.from(bytes).slice(3, 3 + request.count));
    return {
      ok: true,
      frame: Object.freeze({
        kind: 'readReply',
        address,
        register: request.register,
        data,
        fromUnaddressed,
      }),
    };
  } catch (e) {
    return reject('BAD_FRAME', (e as Error).message);
  }
}
