/*
 * Victron's VE.Direct text protocol (BMV, SmartShunt, MPPT; "VE.Direct Protocol", Victron): at
 * 19200 baud 8N1 the device sends a block about once a second, each field `\r\n LABEL \t VALUE`,
 * the last one `Checksum` whose value is one byte chosen so that all the block's bytes add up to 0
 * modulo 256. HEX-protocol messages (`:` … `\n`) may sit between fields; they are not part of the
 * block. The parser takes bytes as they come, resynchronises on garbage and never throws: a block
 * that does not add up, or has an overlong label or value, is dropped and counted.
 */

const CR = 0x0d;
const LF = 0x0a;
const TAB = 0x09;
const COLON = 0x3a;
/** The protocol's limits: labels up to 9 characters, values up to 33. */
const MAX_LABEL = 9;
const MAX_VALUE = 33;
/** More fields than any device sends in one block: something is wrong, start over. */
const MAX_FIELDS = 40;
const CHECKSUM_LABEL = 'Checksum';

/** One block's fields in the order sent, the Checksum field aside. */
export type VeDirectBlock = ReadonlyMap<string, string>;

export interface VeDirectParserCounters {
  readonly blocks: number;
  /** Blocks that did not add up to 0 modulo 256. */
  readonly checksumErrors: number;
  /** Blocks abandoned for an overlong label or value, or too many fields. */
  readonly malformedBlocks: number;
  /** HEX-protocol messages skipped. */
  readonly hexMessages: number;
}

type State = 'idle' | 'lf' | 'label' | 'value' | 'checksum' | 'hex';

/** Incremental parser: `push` returns the blocks completed by these bytes. */
export class VeDirectTextParser {
  private state: State = 'idle';
  private stateBeforeHex: State = 'idle';
  private sum = 0;
  private label = '';
  private value = '';
  private fields = new Map<string, string>();
  private inBlock = false;
  private totals = { blocks: 0, checksumErrors: 0, malformedBlocks: 0, hexMessages: 0 };

  push(bytes: Uint8Array): VeDirectBlock[] {
    const blocks: VeDirectBlock[] = [];
    for (const byte of bytes) {
      const block = this.step(byte);
      if (block !== null) blocks.push(block);
    }
    return blocks;
  }

  counters(): VeDirectParserCounters {
    return { ...this.totals };
  }

  private step(byte: number): VeDirectBlock | null {
    if (this.state === 'hex') {
      if (byte === LF) this.state = this.stateBeforeHex;
      return null;
    }
    // A HEX message starts at the beginning of a line and is not part of the block around it.
    if (byte === COLON && (this.state === 'idle' || (this.state === 'label' && this.label === ''))) {
      this.stateBeforeHex = this.state;
      this.state = 'hex';
      this.totals.hexMessages++;
      return null;
    }
    if (this.state === 'checksum') return this.finish(byte);
    if (this.inBlock) this.sum = (this.sum + byte) & 0xff;
    switch (this.state) {
      case 'idle':
        if (byte === CR) this.startField(byte);
        return null;
      case 'lf':
        if (byte === LF) {
          this.state = 'label';
          this.label = '';
        } else this.abandon(false);
        return null;
      case 'label':
        if (byte === TAB) {
          this.state = this.label === CHECKSUM_LABEL ? 'checksum' : 'value';
          this.value = '';
        } else if (byte === CR || byte === LF || this.label.length >= MAX_LABEL) this.abandon(true);
        else this.label += String.fromCharCode(byte);
        return null;
      case 'value':
        if (byte === CR) {
          this.fields.set(this.label, this.value);
          if (this.fields.size > MAX_FIELDS) this.abandon(true);
          else this.state = 'lf';
        } else if (this.value.length >= MAX_VALUE) this.abandon(true);
        else this.value += String.fromCharCode(byte);
        return null;
    }
    return null;
  }

  /** A CR that starts a field; the first one starts a block and its checksum. */
  private startField(byte: number): void {
    if (!this.inBlock) {
      this.inBlock = true;
      this.sum = byte;
    }
    this.state = 'lf';
  }

  private finish(checksumByte: number): VeDirectBlock | null {
    const ok = ((this.sum + checksumByte) & 0xff) === 0;
    const block = this.fields;
    this.reset();
    if (!ok) {
      this.totals.checksumErrors++;
      return null;
    }
    this.totals.blocks++;
    return block;
  }

  /** Drops the block being read; `counted` when it had visibly started (a label was under way). */
  private abandon(counted: boolean): void {
    if (counted || this.fields.size > 0) this.totals.malformedBlocks++;
    this.reset();
  }

  private reset(): void {
    this.state = 'idle';
    this.inBlock = false;
    this.sum = 0;
    this.label = '';
    this.value = '';
    this.fields = new Map();
  }
}

/**
 * The bytes a device sends for `fields` (labels ≤ 9 and values ≤ 33 printable ASCII characters,
 * no `Checksum`), the checksum byte computed: what an emulated battery monitor writes.
 */
export function encodeVeDirectBlock(fields: Iterable<readonly [string, string]>): Uint8Array {
  let text = '';
  for (const [label, value] of fields) {
    if (!/^[\x21-\x7e]{1,9}$/.test(label) || label === CHECKSUM_LABEL || !/^[\x20-\x7e]{0,33}$/.test(value))
      throw new RangeError(`not a VE.Direct field: ${JSON.stringify([label, value])}`);
    text += `\r\n${label}\t${value}`;
  }
  text += `\r\n${CHECKSUM_LABEL}\t`;
  const bytes = Uint8Array.from(text, (c) => c.charCodeAt(0));
  const sum = bytes.reduce((a, b) => (a + b) & 0xff, 0);
  return Uint8Array.of(...bytes, (0x100 - sum) & 0xff);
}
