import fc from 'fast-check';
import {
  ADS1115_DATA_RATES_SPS,
  ADS1115_FULL_SCALES_V,
  ADS1115_INPUTS,
  decodeAds1115Configuration,
  decodeAds1115Conversion,
  encodeAds1115Configuration,
  encodeAds1115Conversion,
  isAds1115ConversionAtLimit,
} from './ads1115-registers';

// TI SBAS444 (ADS1115 datasheet), "Output Data Format": 0x7FFF is +FS·(2^15 − 1)/2^15, 0x0001 one
// LSB = FS/2^15 (62.5 µV at ±2.048 V, 7.8125 µV at ±0.256 V), 0xFFFF minus one LSB, 0x8000 −FS.
// Config register reset value 0x8583 (single-shot, AIN0-AIN1, ±2.048 V, 128 SPS, comparator off).
const CONVERSION_FIXTURES: [raw: number, volts: number, fullScaleV: 2.048 | 0.256 | 6.144][] = [
  [0x7fff, 2.048 * (32767 / 32768), 2.048],
  [0x0001, 62.5e-6, 2.048],
  [0x0000, 0, 2.048],
  [0xffff, -62.5e-6, 2.048],
  [0x8000, -2.048, 2.048],
  [0x0001, 7.8125e-6, 0.256],
  [0x1900, 6400 * 7.8125e-6, 0.256], // 50 mV: a 500 A / 50 mV shunt at 500 A
  [0x4000, 3.072, 6.144], // half scale on ±6.144 V: a hall sensor's 2.5 V-ish output range
];

describe('ADS1115 conversion register', () => {
  it.each(CONVERSION_FIXTURES)('decodes 0x%s', (raw, volts, fullScaleV) => {
    expect(decodeAds1115Conversion(raw, fullScaleV)).toBeCloseTo(volts, 12);
  });
  it.each(CONVERSION_FIXTURES)('encodes to 0x%s', (raw, volts, fullScaleV) => {
    expect(encodeAds1115Conversion(volts, fullScaleV)).toBe(raw);
  });
  it('round-trips every code at every full scale, clips beyond it and flags the ends', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffff }),
        fc.constantFrom(...ADS1115_FULL_SCALES_V),
        (raw, fs) => {
          expect(encodeAds1115Conversion(decodeAds1115Conversion(raw, fs), fs)).toBe(raw);
        },
      ),
    );
    expect(encodeAds1115Conversion(1, 0.256)).toBe(0x7fff);
    expect(encodeAds1115Conversion(-1, 0.256)).toBe(0x8000);
    expect([0x7fff, 0x8000, 0x7ffe, 0].map(isAds1115ConversionAtLimit)).toEqual([true, true, false, false]);
  });
});

describe('ADS1115 config register', () => {
  it('decodes the reset value 0x8583', () => {
    expect(decodeAds1115Configuration(0x8583)).toEqual({
      input: 'ain0-ain1',
      fullScaleV: 2.048,
      continuous: false,
      dataRateSps: 128,
    });
  });
  it('encodes a shunt on AIN0-AIN1 at ±0.256 V, continuous, 128 SPS to 0x0A83, and a hall sensor on AIN0 at ±6.144 V, 860 SPS to 0x40E3', () => {
    expect(
      encodeAds1115Configuration({
        input: 'ain0-ain1',
        fullScaleV: 0.256,
        continuous: true,
        dataRateSps: 128,
      }),
    ).toBe(0x0a83);
    expect(
      encodeAds1115Configuration({ input: 'ain0', fullScaleV: 6.144, continuous: true, dataRateSps: 860 }),
    ).toBe(0x40e3);
  });
  it('round-trips every configuration, and reads PGA codes 6 and 7 as ±0.256 V', () => {
    const config = fc.record({
      input: fc.constantFrom(...ADS1115_INPUTS),
      fullScaleV: fc.constantFrom(...ADS1115_FULL_SCALES_V),
      continuous: fc.boolean(),
      dataRateSps: fc.constantFrom(...ADS1115_DATA_RATES_SPS),
    });
    fc.assert(
      fc.property(config, (c) =>
        expect(decodeAds1115Configuration(encodeAds1115Configuration(c))).toEqual(c),
      ),
    );
    expect(decodeAds1115Configuration(0x0e83).fullScaleV).toBe(0.256);
  });
});
