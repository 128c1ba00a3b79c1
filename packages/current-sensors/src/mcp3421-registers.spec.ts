import fc from 'fast-check';
import {
  decodeMcp3421Configuration,
  decodeMcp3421Result,
  encodeMcp3421Configuration,
  encodeMcp3421Result,
  isMcp3421CodeAtLimit,
  MCP3421_GAINS,
  MCP3421_RESOLUTIONS_BITS,
  mcp3421InputVoltage,
  mcp3421LsbV,
  mcp3421OutputCode,
  mcp3421ReadLength,
  mcp3421SamplesPerSecond,
  type Mcp3421Configuration,
  type Mcp3421ResolutionBits,
} from './mcp3421-registers';

// Bytes and values from Microchip DS22003E (MCP3421 datasheet) unless a fixture says otherwise.
const bytes = (...values: number[]) => Uint8Array.of(...values);
const AT_18_BITS: Mcp3421Configuration = { resolutionBits: 18, gain: 1, continuous: true };
/** The configuration byte pyBMS writes: RDY, continuous, 3.75 SPS, gain 1 (0x9C). */
const PYBMS_BYTE = 0x9c;

describe('MCP3421 configuration byte', () => {
  // Register 5-1: bit 7 RDY, 6-5 C1-C0 (unused on the MCP3421), 4 O/C, 3-2 S1-S0, 1-0 G1-G0;
  // "1 0 0 1 0 0 0 0" at power-on.
  const FIXTURES: [byte: number, config: Mcp3421Configuration][] = [
    [0x10, { resolutionBits: 12, gain: 1, continuous: true }], // power-on 0x90 less RDY
    [0x1c, AT_18_BITS],
    [0x0b, { resolutionBits: 16, gain: 8, continuous: false }],
    [0x15, { resolutionBits: 14, gain: 2, continuous: true }],
  ];

  it.each(FIXTURES)('decodes and encodes 0x%s', (byte, config) => {
    expect(decodeMcp3421Configuration(byte)).toEqual(config);
    expect(encodeMcp3421Configuration(config)).toBe(byte);
  });
  it('reads the power-on byte 0x90 and pyBMS’s 0x9C, RDY and the channel bits aside', () => {
    expect(decodeMcp3421Configuration(0x90)).toEqual(FIXTURES[0][1]);
    expect(decodeMcp3421Configuration(PYBMS_BYTE)).toEqual(AT_18_BITS);
    expect(decodeMcp3421Configuration(0x7c)).toEqual(AT_18_BITS);
  });
  it('round-trips every configuration, and refuses one the chip lacks', () => {
    const config = fc.record({
      resolutionBits: fc.constantFrom(...MCP3421_RESOLUTIONS_BITS),
      gain: fc.constantFrom(...MCP3421_GAINS),
      continuous: fc.boolean(),
    });
    fc.assert(
      fc.property(config, (c) =>
        expect(decodeMcp3421Configuration(encodeMcp3421Configuration(c))).toEqual(c),
      ),
    );
    expect(() => encodeMcp3421Configuration({ ...AT_18_BITS, gain: 3 as 1 })).toThrow(RangeError);
  });
  it('gives the data rate and read length of each resolution (Register 5-1, Table 5-3)', () => {
    expect(MCP3421_RESOLUTIONS_BITS.map(mcp3421SamplesPerSecond)).toEqual([240, 60, 15, 3.75]);
    expect(MCP3421_RESOLUTIONS_BITS.map(mcp3421ReadLength)).toEqual([3, 3, 3, 4]);
  });
});

describe('MCP3421 output codes', () => {
  // Table 5-3: at 18 bits three data bytes, the first with six repeated sign bits (MMMMMMD17D16);
  // at 12-16 bits two, with 4, 2 or 0 repeated sign bits. Codes and volts from Table 4-4 (18 bits,
  // PGA = 1, LSB 15.625 µV) and Table 4-3 (each resolution's minimum and maximum code).
  const READS: [
    name: string,
    raw: Uint8Array,
    resolutionBits: Mcp3421ResolutionBits,
    code: number,
    volts: number,
  ][] = [
    // The table rounds the maximum code's voltage to 2.048 V; it is 2.048 V − 1 LSB.
    ['Table 4-4, VREF − 1 LSB', bytes(0x01, 0xff, 0xff, 0x1c), 18, 131071, 2.048 - 15.625e-6],
    ['Table 4-4, 2 LSB', bytes(0x00, 0x00, 0x02, 0x1c), 18, 2, 31.25e-6],
    ['Table 4-4, 1 LSB', bytes(0x00, 0x00, 0x01, 0x1c), 18, 1, 15.625e-6],
    ['Table 4-4, 0', bytes(0x00, 0x00, 0x00, 0x1c), 18, 0, 0],
    ['Table 4-4, −1 LSB', bytes(0xff, 0xff, 0xff, 0x1c), 18, -1, -15.625e-6],
    ['Table 4-4, −2 LSB', bytes(0xff, 0xff, 0xfe, 0x1c), 18, -2, -31.25e-6],
    ['Table 4-4, −VREF', bytes(0xfe, 0x00, 0x00, 0x1c), 18, -131072, -2.048],
    ['Table 4-3, 16-bit maximum', bytes(0x7f, 0xff, 0x18), 16, 32767, 2.048 - 62.5e-6],
    ['Table 4-3, 16-bit minimum', bytes(0x80, 0x00, 0x18), 16, -32768, -2.048],
    ['Table 4-3, 14-bit maximum', bytes(0x1f, 0xff, 0x14), 14, 8191, 2.048 - 250e-6],
    ['Table 4-3, 14-bit minimum', bytes(0xe0, 0x00, 0x14), 14, -8192, -2.048],
    ['Table 4-3, 12-bit maximum', bytes(0x07, 0xff, 0x10), 12, 2047, 2.047],
    ['Table 4-3, 12-bit minimum', bytes(0xf8, 0x00, 0x10), 12, -2048, -2.048],
    // MCP3423 evaluation board guide DS51778A, Figure 1-15 (same output format): 18 bits,
    // "Output code: F907 in hex (= 63751 in decimal)", 0.996 V, RDY 0.
    ['DS51778A Figure 1-15', bytes(0x00, 0xf9, 0x07, 0x1c), 18, 63751, 0.996109375],
  ];

  it.each(READS)('decodes %s', (_, raw, resolutionBits, code, volts) => {
    const result = decodeMcp3421Result(raw, resolutionBits);
    expect(result).toEqual({ code, fresh: true, configurationByte: raw[raw.length - 1] });
    expect(mcp3421InputVoltage(code, decodeMcp3421Configuration(result.configurationByte))).toBeCloseTo(
      volts,
      8,
    );
  });
  it.each(READS)('encodes %s', (_, raw, resolutionBits, code, volts) => {
    const configurationByte = raw[raw.length - 1];
    expect(encodeMcp3421Result({ code, fresh: true, configurationByte }, resolutionBits)).toEqual(raw);
    expect(mcp3421OutputCode(volts, decodeMcp3421Configuration(configurationByte))).toBe(code);
  });
  it('reads RDY = 1 as a result read before (Register 5-1), and the configuration byte repeated after it', () => {
    expect(decodeMcp3421Result(bytes(0x00, 0x12, 0x34, PYBMS_BYTE), 18)).toEqual({
      code: 0x1234,
      fresh: false,
      configurationByte: PYBMS_BYTE,
    });
    expect(decodeMcp3421Result(bytes(0x12, 0x34, 0x18, 0x18), 16).code).toBe(0x1234);
    expect(() => decodeMcp3421Result(bytes(0x12, 0x34, 0x1c), 18)).toThrow(RangeError);
  });
  it('has LSBs of 1 mV, 250 µV, 62.5 µV and 15.625 µV (Table 4-1), divided by the gain (Equation 4-4)', () => {
    expect(MCP3421_RESOLUTIONS_BITS.map(mcp3421LsbV)).toEqual([1e-3, 250e-6, 62.5e-6, 15.625e-6]);
    expect(mcp3421InputVoltage(1, { ...AT_18_BITS, gain: 8 })).toBeCloseTo(1.953125e-6, 12);
  });
  it('locks the code at the ends of the range rather than rolling over (4.9.1), and flags the ends', () => {
    expect(mcp3421OutputCode(3, AT_18_BITS)).toBe(131071);
    expect(mcp3421OutputCode(-3, AT_18_BITS)).toBe(-131072);
    expect(mcp3421OutputCode(0.3, { ...AT_18_BITS, gain: 8 })).toBe(131071); // 2.4 V after the PGA
    expect([131071, -131072, 131070, 0].map((code) => isMcp3421CodeAtLimit(code, 18))).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(isMcp3421CodeAtLimit(2047, 12)).toBe(true);
  });
  it('round-trips every code of every resolution and gain, through the bytes and through volts', () => {
    const read = fc
      .record({
        resolutionBits: fc.constantFrom(...MCP3421_RESOLUTIONS_BITS),
        gain: fc.constantFrom(...MCP3421_GAINS),
        fresh: fc.boolean(),
        fraction: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
      })
      .map(({ fraction, ...rest }) => {
        const half = 2 ** (rest.resolutionBits - 1);
        return { ...rest, code: Math.floor(fraction * 2 * half) - half };
      });
    fc.assert(
      fc.property(read, ({ resolutionBits, gain, fresh, code }) => {
        const config = { resolutionBits, gain, continuous: true };
        const configurationByte = encodeMcp3421Configuration(config);
        const raw = encodeMcp3421Result({ code, fresh, configurationByte }, resolutionBits);
        expect(raw).toHaveLength(mcp3421ReadLength(resolutionBits));
        expect(decodeMcp3421Result(raw, resolutionBits)).toEqual({
          code,
          fresh,
          configurationByte: configurationByte | (fresh ? 0 : 0x80),
        });
        expect(mcp3421OutputCode(mcp3421InputVoltage(code, config), config)).toBe(code);
      }),
    );
  });
});
