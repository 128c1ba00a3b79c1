/** Little-endian field writers and readers for 8-byte inverter CAN payloads (every profile uses them). */

export class FrameEncodeError extends Error {
  readonly code = 'OUT_OF_RANGE';
  constructor(
    readonly canId: number,
    readonly field: string,
    readonly value: number,
    reason: string,
  ) {
    super(`0x${canId.toString(16).toUpperCase()} ${field} = ${value}: ${reason}`);
    this.name = 'FrameEncodeError';
  }
}

/** Builds one frame payload; checks every value against its field type before writing. */
export class PayloadWriter {
  readonly bytes = new Uint8Array(8);
  constructor(private readonly canId: number) {}

  /** Writes round(value / step) as an unsigned 16-bit field. */
  u16(offset: number, field: string, value: number, step = 1): this {
    return this.integer(offset, field, value, step, 0, 0xffff, 2);
  }

  /** Writes round(value / step) as a signed 16-bit field. */
  s16(offset: number, field: string, value: number, step = 1): this {
    return this.integer(offset, field, value, step, -0x8000, 0x7fff, 2);
  }

  u32(offset: number, field: string, value: number, step = 1): this {
    return this.integer(offset, field, value, step, 0, 0xffffffff, 4);
  }

  u8(offset: number, field: string, value: number): this {
    return this.integer(offset, field, value, 1, 0, 0xff, 1);
  }

  /**
   * 7-bit ASCII, padded to `length` with `padCode` (0x00 unless a protocol pads with spaces); longer
   * text is an error (config validation should prevent it).
   */
  ascii(offset: number, length: number, field: string, text: string, padCode = 0x00): this {
    if (text.length > length) {
      throw new FrameEncodeError(this.canId, field, text.length, `text longer than ${length} characters`);
    }
    for (let i = 0; i < length; i++) {
      const code = i < text.length ? text.charCodeAt(i) : padCode;
      if (code > 0x7f) throw new FrameEncodeError(this.canId, field, code, 'not 7-bit ASCII');
      this.bytes[offset + i] = code;
    }
    return this;
  }

  /** Sets (true) or clears (false) bit `bit` (0 = least significant) of the byte at `offset`. */
  flag(offset: number, bit: number, field: string, value: boolean): this {
    if (typeof value !== 'boolean')
      throw new FrameEncodeError(this.canId, field, Number(value), 'not a boolean');
    const mask = 1 << bit;
    this.bytes[offset] = value ? this.bytes[offset] | mask : this.bytes[offset] & ~mask;
    return this;
  }

  private integer(
    offset: number,
    field: string,
    value: number,
    step: number,
    min: number,
    max: number,
    width: number,
  ): this {
    if (!Number.isFinite(value)) throw new FrameEncodeError(this.canId, field, value, 'not a finite number');
    const count = Math.round(value / step);
    if (count < min || count > max) {
      throw new FrameEncodeError(
        this.canId,
        field,
        value,
        `outside the field range ${+(min * step).toFixed(6)}..${+(max * step).toFixed(6)}`,
      );
    }
    let unsigned = count < 0 ? count + 2 ** (8 * width) : count;
    for (let i = 0; i < width; i++) {
      this.bytes[offset + i] = unsigned & 0xff;
      unsigned = Math.floor(unsigned / 256);
    }
    return this;
  }
}

/** Reads fields from a payload of any length; a field beyond the end reads as undefined. */
export class PayloadReader {
  constructor(private readonly bytes: Uint8Array) {}

  u16(offset: number): number | undefined {
    if (offset + 2 > this.bytes.length) return undefined;
    return this.bytes[offset] | (this.bytes[offset + 1] << 8);
  }

  s16(offset: number): number | undefined {
    const raw = this.u16(offset);
    return raw === undefined ? undefined : raw >= 0x8000 ? raw - 0x10000 : raw;
  }

  u32(offset: number): number | undefined {
    if (offset + 4 > this.bytes.length) return undefined;
    return (this.u16(offset) as number) + (this.u16(offset + 2) as number) * 0x10000;
  }

  u8(offset: number): number | undefined {
    return offset < this.bytes.length ? this.bytes[offset] : undefined;
  }

  /** Bit `bit` (0 = least significant) of the byte at `offset`; undefined beyond the end. */
  flag(offset: number, bit: number): boolean | undefined {
    const byte = this.u8(offset);
    return byte === undefined ? undefined : (byte & (1 << bit)) !== 0;
  }

  /** ASCII up to the first NUL. */
  ascii(offset: number, length: number): string {
    let text = '';
    for (let i = offset; i < Math.min(offset + length, this.bytes.length); i++) {
      if (this.bytes[i] === 0) break;
      text += String.fromCharCode(this.bytes[i]);
    }
    return text;
  }
}
