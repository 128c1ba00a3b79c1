import {
  decodeReply,
  expectedReplyHeader,
  expectedWriteEcho,
  MAX_REGISTER,
  replyLength,
  UNADDRESSED_REPLY_BIT,
  type FrameRejection,
  type Request,
} from './frames';
import { crc8 } from './crc';

/** Longest frame on the loop: a read of the whole register map. */
export const MAX_FRAME_LENGTH = MAX_REGISTER + 1 + 4;

export type FramerOutput =
  /** A complete frame whose CRC (and, when a request is expected, header or echo) is right. */
  | { readonly kind: 'frame'; readonly bytes: Uint8Array }
  /** A complete frame with the expected header whose CRC or echo is wrong; its bytes were dropped. */
  | {
      readonly kind: 'rejected';
      readonly rejection: Extract<FrameRejection, 'CRC' | 'ECHO_MISMATCH'>;
      readonly bytes: Uint8Array;
    };

type Candidate =
  | { readonly status: 'none' }
  | { readonly status: 'needMore' }
  | { readonly status: 'frame'; readonly length: number }
  | {
      readonly status: 'rejected';
      readonly length: number;
      readonly rejection: 'CRC' | 'ECHO_MISMATCH';
    };

const NONE: Candidate = { status: 'none' };
const NEED_MORE: Candidate = { status: 'needMore' };

/**
 * Reassembles host-side frames from arbitrary chunks. Bytes that cannot start a frame are
 * dropped and counted; a frame is only ever yielded with a valid CRC. Told the request in
 * flight ({@link expect}), it looks for exactly that reply; otherwise it accepts any well-formed
 * read reply or write echo. Never throws.
 */
export class ReplyFramer {
  private buffer: number[] = [];
  private expected: Request | undefined;
  private dropped = 0;

  /** Bytes discarded so far (garbage, rejected frames, flushed stray input). */
  get droppedBytes(): number {
    return this.dropped;
  }

  /** Bytes held while waiting for the rest of a frame. */
  get pendingBytes(): number {
    return this.buffer.length;
  }

  /** Look for the reply to `request` from now on (undefined: any reply). */
  expect(request: Request | undefined): void {
    this.expected = request;
  }

  /** Discards everything buffered (stray input before a request). Returns how many bytes went. */
  clear(): number {
    const count = this.buffer.length;
    this.dropped += count;
    this.buffer = [];
    return count;
  }

  push(chunk: Uint8Array | readonly number[]): FramerOutput[] {
    for (const byte of chunk) this.buffer.push(byte & 0xff);
    const outputs: FramerOutput[] = [];
    let start = 0;
    while (start < this.buffer.length) {
      let candidate = this.candidateAt(start);
      if (candidate.status === 'needMore') {
        // A partial candidate must not hide a complete frame further on (lengths differ when no
        // request is expected, and the stream may pause here for good).
        const later = this.completeFrameAfter(start);
        if (later === undefined) break;
        start = later.start;
        candidate = later.candidate;
      }
      if (candidate.status === 'none') {
        start++;
        continue;
      }
      const bytes = Uint8Array.from(this.buffer.slice(start, start + candidate.length));
      this.dropped += start;
      if (candidate.status === 'frame') {
        outputs.push({ kind: 'frame', bytes });
        this.buffer = this.buffer.slice(start + candidate.length);
      } else {
        // Drop only the first byte: the real frame may begin inside the rejected one.
        outputs.push({
          kind: 'rejected',
          rejection: candidate.rejection,
          bytes,
        });
        this.dropped += 1;
        this.buffer = this.buffer.slice(start + 1);
      }
      start = 0;
    }
    this.dropped += start;
    this.buffer = this.buffer.slice(start);
    return outputs;
  }

  private completeFrameAfter(
    start: number,
  ): { start: number; candidate: Extract<Candidate, { status: 'frame' }> } | undefined {
    for (let next = start + 1; next < this.buffer.length; next++) {
      const candidate = this.candidateAt(next);
      if (candidate.status === 'frame') return { start: next, candidate };
    }
    return undefined;
  }

  private candidateAt(start: number): Candidate {
    const request = this.expected;
    if (request === undefined) return this.anyReplyAt(start);
    return request.kind === 'readRequest'
      ? this.readReplyAt(start, request)
      : this.writeEchoAt(start, expectedWriteEcho(request));
  }

  private readReplyAt(start: number, request: Request & { kind: 'readRequest' }): Candidate {
    const header = expectedReplyHeader(request);
    const available = this.buffer.length - start;
    for (let i = 0; i < Math.min(header.length, available); i++) {
      if (this.buffer[start + i] !== header[i]) return NONE;
    }
    const length = replyLength(request);
    if (available < length) return NEED_MORE;
    return this.crcOk(start, length)
      ? { status: 'frame', length }
      : { status: 'rejected', length, rejection: 'CRC' };
  }

  private writeEchoAt(start: number, echo: Uint8Array): Candidate {
    const available = this.buffer.length - start;
    // Byte 0 and the register identify the echo; value and CRC are then compared exactly.
    for (let i = 0; i < Math.min(2, available); i++) {
      if (this.buffer[start + i] !== echo[i]) return NONE;
    }
    if (available < echo.length) return NEED_MORE;
    for (let i = 2; i < echo.length; i++) {
      if (this.buffer[start + i] !== echo[i])
        return {
          status: 'rejected',
          length: echo.length,
          rejection: 'ECHO_MISMATCH',
        };
    }
    return { status: 'frame', length: echo.length };
  }

  private anyReplyAt(start: number): Candidate {
    const available = this.buffer.length - start;
    const b0 = this.buffer[start];
    // Bit 7 only ever comes with address 0.
    if (b0 & UNADDRESSED_REPLY_BIT && (b0 & 0x7e) !== 0) return NONE;
    if (available < 3) return NEED_MORE;
    const write = (b0 & 0x01) !== 0;
    const length = write ? 4 : this.buffer[start + 2] + 4;
    if (length > MAX_FRAME_LENGTH) return NONE;
    if (available < length) return NEED_MORE;
    // decodeReply checks the CRC and that address, register and count are possible.
    return decodeReply(this.buffer.slice(start, start + length)).ok ? { status: 'frame', length } : NONE;
  }

  private crcOk(start: number, length: number): boolean {
    const body = this.buffer.slice(start, start + length - 1);
    body[0] &= ~UNADDRESSED_REPLY_BIT;
    return crc8(body) === this.buffer[start + length - 1];
  }
}
