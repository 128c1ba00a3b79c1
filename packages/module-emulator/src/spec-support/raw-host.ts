import { crc8 } from '@tsbms/tesla-protocol';
import type { ManualClock } from '@tsbms/hal';
import type { EmulatedChain } from '../emulated-chain';

/** A request with its CRC appended. */
export function withCrc(...bytes: number[]): Uint8Array {
  return Uint8Array.from([...bytes, crc8(bytes)]);
}

/** A write request to `address`. */
export function writeFrame(address: number, register: number, value: number): Uint8Array {
  return withCrc((address << 1) | 1, register, value);
}

/** A 4-byte (CRC'd) read request. */
export function readFrame(address: number, register: number, count: number): Uint8Array {
  return withCrc(address << 1, register, count);
}

/**
 * A host that speaks raw bytes to the chain in virtual time, for tests that check the wire
 * itself rather than the protocol library.
 */
export class RawHost {
  private received: number[] = [];
  readonly chunks: Uint8Array[] = [];

  constructor(
    private readonly chain: EmulatedChain,
    private readonly clock: ManualClock,
  ) {
    chain.link.data$.subscribe((chunk) => {
      this.chunks.push(chunk);
      this.received.push(...chunk);
    });
  }

  /** Sends `bytes`, lets `waitMs` of virtual time pass, returns everything that came back. */
  async transact(bytes: Uint8Array | number[], waitMs = 5): Promise<number[]> {
    this.received = [];
    await this.chain.link.write(Uint8Array.from(bytes));
    await this.clock.advanceByMs(waitMs);
    const got = this.received;
    this.received = [];
    return got;
  }

  /** Writes a register and returns the echo. */
  write(address: number, register: number, value: number): Promise<number[]> {
    return this.transact(writeFrame(address, register, value));
  }

  /** Reads `count` registers and returns just the data bytes (throws on a bad reply). */
  async read(address: number, register: number, count: number): Promise<number[]> {
    const reply = await this.transact(readFrame(address, register, count));
    const expectedByte0 = address === 0 ? 0x80 : address << 1;
    if (
      reply.length !== count + 4 ||
      reply[0] !== expectedByte0 ||
      reply[1] !== register ||
      reply[2] !== count
    ) {
      throw new Error(`bad reply to read ${address}/${register}/${count}: ${hex(reply)}`);
    }
    const unmarked = [reply[0] & 0x7f, ...reply.slice(1, -1)];
    if (crc8(unmarked) !== reply[reply.length - 1]) throw new Error(`bad CRC: ${hex(reply)}`);
    return reply.slice(3, -1);
  }

  /** Addresses every module in chain order as the spec's renumbering does (T-15). */
  async assignAddresses(count: number): Promise<void> {
    await this.transact(withCrc(0x7f, 0x3c, 0xa5), 110);
    for (let next = 1; next <= count; next++) {
      await this.transact(writeFrame(0, 0x3b, 0x80 | next));
    }
  }
}

export function hex(bytes: ArrayLike<number>): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}
