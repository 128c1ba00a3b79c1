import { BITS_PER_BYTE } from './wire-timing';
import { requireNumberInRange } from './errors';

/** What a UART made of a burst of bytes sent at another rate. */
export interface UartReception {
  /** The bytes the receiver assembled (a byte with a framing error is delivered as sampled). */
  readonly bytes: Uint8Array;
  /** Bytes whose stop bit was sampled low: what the kernel counts as frame errors. */
  readonly framingErrors: number;
}

export interface UartRates {
  /** The sender's real line rate, baud. */
  readonly sentBaud: number;
  /** The rate the receiver samples at, baud. */
  readonly receivedBaud: number;
}

/**
 * A burst of back-to-back 8N1 bytes sent at one rate and sampled by a UART at another: the
 * receiver waits for a falling edge, checks the start bit half a bit later, then samples each data
 * bit and the stop bit in the middle of its own bit time. Its error grows by the rate difference
 * every bit, so about 5 % (half a bit over the 9.5 bits to the stop bit) garbles bytes and raises
 * framing errors, and a smaller difference passes unchanged — as on a real line. The line is
 * idle (high) before and after the burst.
 */
export function receiveAtRate(sent: Uint8Array, rates: UartRates): UartReception {
  const sentBitS = 1 / requireNumberInRange(rates.sentBaud, 'sentBaud', 300, 10_000_000);
  const sampleBitS = 1 / requireNumberInRange(rates.receivedBaud, 'receivedBaud', 300, 10_000_000);
  const totalBits = sent.length * BITS_PER_BYTE;
  // Level of the sent bit `index` (0 start, 1..8 data LSB first, 9 stop); idle high outside.
  const bitLevel = (index: number): number => {
    if (index < 0 || index >= totalBits) return 1;
    const position = index % BITS_PER_BYTE;
    if (position === 0) return 0;
    if (position === BITS_PER_BYTE - 1) return 1;
    return (sent[Math.floor(index / BITS_PER_BYTE)] >> (position - 1)) & 1;
  };
  const levelAt = (timeS: number): number => bitLevel(Math.floor(timeS / sentBitS));
  /** The first falling edge at or after `fromS`: the start of a low bit after a high one. */
  const nextFallingEdge = (fromS: number): number | null => {
    for (let index = Math.max(0, Math.ceil(fromS / sentBitS - 1e-9)); index < totalBits; index++) {
      if (bitLevel(index) === 0 && bitLevel(index - 1) === 1) return index * sentBitS;
    }
    return null;
  };

  const bytes: number[] = [];
  let framingErrors = 0;
  for (let edge = nextFallingEdge(0); edge !== null; ) {
    const startS = edge;
    const sample = (bit: number) => levelAt(startS + (bit + 0.5) * sampleBitS);
    if (sample(0) !== 0) {
      // A glitch, not a start bit: look again after it.
      edge = nextFallingEdge(edge + sentBitS);
      continue;
    }
    let byte = 0;
    for (let bit = 1; bit <= 8; bit++) byte |= sample(bit) << (bit - 1);
    bytes.push(byte);
    const stopS = edge + (BITS_PER_BYTE - 0.5) * sampleBitS;
    if (levelAt(stopS) !== 1) framingErrors++;
    edge = nextFallingEdge(stopS);
  }
  return { bytes: Uint8Array.from(bytes), framingErrors };
}
