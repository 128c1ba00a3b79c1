import type { SeededRandom } from './prng';

export interface LineNoiseCounters {
  readonly bytesDropped: number;
  readonly bitsFlipped: number;
}

interface ByteFault {
  readonly probability: number;
  remaining: number;
}

/**
 * Byte-level damage on one direction of the loop, or on one module's replies: lost bytes and
 * single-bit errors, each with a
 * probability drawn from the chain's seeded fault PRNG, each optionally limited to a number of
 * hits after which it switches itself off.
 */
export class LineNoise {
  private drop: ByteFault | undefined;
  private flip: ByteFault | undefined;
  private dropped = 0;
  private flipped = 0;

  constructor(private readonly random: SeededRandom) {}

  setDrop(probability: number, limit = Infinity): void {
    this.drop = { probability, remaining: limit };
  }

  setFlip(probability: number, limit = Infinity): void {
    this.flip = { probability, remaining: limit };
  }

  clearDrop(): void {
    this.drop = undefined;
  }

  clearFlip(): void {
    this.flip = undefined;
  }

  get dropActive(): boolean {
    return this.drop !== undefined;
  }

  get flipActive(): boolean {
    return this.flip !== undefined;
  }

  /** The bytes as they arrive at the far end of this stretch of line. */
  apply(bytes: Uint8Array): Uint8Array {
    if (!this.drop && !this.flip) return bytes;
    const out: number[] = [];
    for (const byte of bytes) {
      if (this.drop && this.random.next() < this.drop.probability) {
        this.dropped++;
        if (--this.drop.remaining <= 0) this.drop = undefined;
        continue;
      }
      if (this.flip && this.random.next() < this.flip.probability) {
        this.flipped++;
        if (--this.flip.remaining <= 0) this.flip = undefined;
        out.push(byte ^ (1 << this.random.nextInt(8)));
        continue;
      }
      out.push(byte);
    }
    return Uint8Array.from(out);
  }

  get counters(): LineNoiseCounters {
    return { bytesDropped: this.dropped, bitsFlipped: this.flipped };
  }
}
