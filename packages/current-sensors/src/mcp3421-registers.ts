/*
 * The MCP3421's configuration byte and output bytes (Microchip DS22003E): no register pointer, a
 * write of one configuration byte, a read of the conversion (two data bytes at 12-16 bits, three at
 * 18 bits, sign-extended, MSB first) followed by the configuration byte, whose RDY bit says whether
 * the result is new. Pure encode/decode, shared by the driver and the emulated chip.
 */

/** RDY (bit 7) as read: 1 = the output register has not been updated since it was last read. */
export const MCP3421_NOT_READY_BIT = 0x80;
/** O/C (bit 4): 1 = continuous conversion (the power-on default), 0 = one-shot. */
const CONTINUOUS_BIT = 0x10;
/** The configuration at power-on (Register 5-1): RDY, continuous, 240 SPS (12 bits), gain 1. */
export const MCP3421_POWER_ON_CONFIGURATION = 0x90;
/** The internal reference: the input spans ±2.048 V / gain. */
const REFERENCE_V = 2.048;

/** Resolution in bits by S1-S0 (bits 3-2), in code order: 240, 60, 15 and 3.75 samples per second. */
export const MCP3421_RESOLUTIONS_BITS = [12, 14, 16, 18] as const;
export type Mcp3421ResolutionBits = (typeof MCP3421_RESOLUTIONS_BITS)[number];
const SAMPLES_PER_SECOND = [240, 60, 15, 3.75] as const;
/** PGA gain by G1-G0 (bits 1-0), in code order. */
export const MCP3421_GAINS = [1, 2, 4, 8] as const;
export type Mcp3421Gain = (typeof MCP3421_GAINS)[number];

export interface Mcp3421Configuration {
  readonly resolutionBits: Mcp3421ResolutionBits;
  readonly gain: Mcp3421Gain;
  readonly continuous: boolean;
}

/** The configuration byte for `config`, RDY clear (a write of RDY only matters in one-shot mode). */
export function encodeMcp3421Configuration(config: Mcp3421Configuration): number {
  const rate = MCP3421_RESOLUTIONS_BITS.indexOf(config.resolutionBits);
  const gain = MCP3421_GAINS.indexOf(config.gain);
  if (rate < 0 || gain < 0) throw new RangeError(`not an MCP3421 configuration: ${JSON.stringify(config)}`);
  return (config.continuous ? CONTINUOUS_BIT : 0) | (rate << 2) | gain;
}

/** What a configuration byte selects (RDY and the unused C1-C0 aside). */
export function decodeMcp3421Configuration(byte: number): Mcp3421Configuration {
  return {
    resolutionBits: MCP3421_RESOLUTIONS_BITS[(byte >> 2) & 0b11],
    gain: MCP3421_GAINS[byte & 0b11],
    continuous: (byte & CONTINUOUS_BIT) !== 0,
  };
}

/** The bits that select a configuration: equal in two bytes means the same settings. */
export const MCP3421_CONFIGURATION_BITS = CONTINUOUS_BIT | 0b1111;

/** Samples per second at a resolution (Register 5-1, S1-S0). */
export function mcp3421SamplesPerSecond(resolutionBits: Mcp3421ResolutionBits): number {
  return SAMPLES_PER_SECOND[MCP3421_RESOLUTIONS_BITS.indexOf(resolutionBits)];
}

/** Bytes in a read of the result and its configuration byte: 4 at 18 bits, 3 below (Table 5-3). */
export function mcp3421ReadLength(resolutionBits: Mcp3421ResolutionBits): 3 | 4 {
  return resolutionBits === 18 ? 4 : 3;
}

/** One read of the chip: the output code, whether it is new, and the configuration byte's settings. */
export interface Mcp3421Result {
  /** The signed output code, −2^(N−1) .. 2^(N−1) − 1 (Table 4-3). */
  readonly code: number;
  /** RDY read as 0: the result was updated since the last read. */
  readonly fresh: boolean;
  /** The configuration byte as read, RDY included. */
  readonly configurationByte: number;
}

/**
 * A read made at `resolutionBits`: the data bytes, then the configuration byte. The repeated sign
 * bits above the MSB are ignored, as Table 5-3 allows; the configuration byte is returned as read,
 * for the caller to check it still holds the settings the data was decoded with. RangeError for
 * fewer bytes than {@link mcp3421ReadLength}.
 */
export function decodeMcp3421Result(bytes: Uint8Array, resolutionBits: Mcp3421ResolutionBits): Mcp3421Result {
  const length = mcp3421ReadLength(resolutionBits);
  if (bytes.length < length)
    throw new RangeError(`an MCP3421 read needs ${length} bytes, got ${bytes.length}`);
  const raw = bytes.subarray(0, length - 1).reduce((value, byte) => (value << 8) | byte, 0);
  const signBit = 2 ** (resolutionBits - 1);
  const magnitude = raw % (signBit * 2);
  const configurationByte = bytes[length - 1];
  return {
    code: magnitude >= signBit ? magnitude - signBit * 2 : magnitude,
    fresh: (configurationByte & MCP3421_NOT_READY_BIT) === 0,
    configurationByte,
  };
}

/** The bytes the chip sends for a result: the code sign-extended to 16 or 24 bits, then the configuration byte. */
export function encodeMcp3421Result(
  result: Mcp3421Result,
  resolutionBits: Mcp3421ResolutionBits,
): Uint8Array {
  const dataLength = mcp3421ReadLength(resolutionBits) - 1;
  const raw = result.code < 0 ? result.code + 256 ** dataLength : result.code;
  const data = Array.from(
    { length: dataLength },
    (_, i) => Math.floor(raw / 256 ** (dataLength - 1 - i)) % 256,
  );
  const ready = result.fresh ? 0 : MCP3421_NOT_READY_BIT;
  return Uint8Array.of(...data, (result.configurationByte & ~MCP3421_NOT_READY_BIT) | ready);
}

/** One output code's step (Equation 4-3): 2 × 2.048 V / 2^N, before the gain. */
export function mcp3421LsbV(resolutionBits: Mcp3421ResolutionBits): number {
  return (2 * REFERENCE_V) / 2 ** resolutionBits;
}

/** The input voltage of an output code (Equation 4-4): code × LSB / gain. */
export function mcp3421InputVoltage(code: number, config: Mcp3421Configuration): number {
  return (code * mcp3421LsbV(config.resolutionBits)) / config.gain;
}

/** The output code for an input voltage, locked at the ends of the range as the chip's are (4.9.1). */
export function mcp3421OutputCode(volts: number, config: Mcp3421Configuration): number {
  const half = 2 ** (config.resolutionBits - 1);
  const code = Math.round((volts * config.gain) / mcp3421LsbV(config.resolutionBits));
  return Math.max(-half, Math.min(half - 1, code));
}

/** True at either end of the code range: the input may be beyond it (the codes do not roll over). */
export function isMcp3421CodeAtLimit(code: number, resolutionBits: Mcp3421ResolutionBits): boolean {
  const half = 2 ** (resolutionBits - 1);
  return code === half - 1 || code === -half;
}
