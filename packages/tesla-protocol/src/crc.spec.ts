import { crc8 } from './crc';

/** Every row of the spec's CRC table (tesla-bq76pl536a.md §3, T-8). */
const specVectors: ReadonlyArray<readonly [string, readonly number[], number]> = [
  ['ASCII 123456789 check value', [...Buffer.from('123456789', 'ascii')], 0xf4],
  ['broadcast RESET', [0x7f, 0x3c, 0xa5], 0x57],
  ['address 0: set address 1', [0x01, 0x3b, 0x81], 0x8b],
  ['read DEVICE_STATUS at address 0', [0x00, 0x00, 0x01], 0x07],
  ['reply from address 0 (bit 7 clear)', [0x00, 0x00, 0x01, 0x61], 0x35],
  ['read 0x00..0x12 from module 1', [0x02, 0x00, 0x13], 0xaf],
  ['module 1 ADDRESS_CONTROL reply', [0x02, 0x3b, 0x01, 0x81], 0xba],
  ['broadcast ADC_CONVERT', [0x7f, 0x34, 0x01], 0x8a],
  ['broadcast ADC_CONTROL', [0x7f, 0x30, 0x3d], 0x6a],
  ['broadcast IO_CONTROL', [0x7f, 0x31, 0x03], 0xc5],
  ['broadcast CB_CTRL = 0', [0x7f, 0x32, 0x00], 0xf3],
  ['module 1 ADC_CONTROL', [0x03, 0x30, 0x3d], 0xf7],
  ['module 1 IO_CONTROL', [0x03, 0x31, 0x03], 0x58],
  ['module 1 ADC_CONVERT', [0x03, 0x34, 0x01], 0x17],
  ['module 1 SHDW_CTRL unlock', [0x03, 0x3a, 0x35], 0x4d],
  ['module 1 COV 4.20 V', [0x03, 0x42, 0x2c], 0x08],
  ['module 1 CUV 3.50 V', [0x03, 0x44, 0x1c], 0xe6],
  ['module 1 OT 70 °C', [0x03, 0x46, 0x77], 0xda],
];

describe('crc8', () => {
  it.each(specVectors)('%s', (_name, bytes, expected) => {
    expect(crc8(bytes)).toBe(expected);
    expect(crc8(Uint8Array.from(bytes))).toBe(expected);
  });

  it('covers only the first `length` bytes when given', () => {
    expect(crc8([0x7f, 0x3c, 0xa5, 0x57], 3)).toBe(0x57);
    // A frame followed by its own CRC has a CRC of zero (property of a CRC with no final XOR).
    expect(crc8([0x7f, 0x3c, 0xa5, 0x57])).toBe(0);
  });

  it('the bit-7 example: the wire bytes of an address-0 reply give a different CRC', () => {
    expect(crc8([0x81, 0x3b, 0x81])).toBe(0x80);
  });

  it('is 0 for no bytes', () => {
    expect(crc8([])).toBe(0);
  });
});
