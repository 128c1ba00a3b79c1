import fc from 'fast-check';
import {
  decodeIna228AdcConfiguration,
  decodeIna228BusVoltage,
  decodeIna228Charge,
  decodeIna228ChargeC,
  decodeIna228Configuration,
  decodeIna228CurrentLsbA,
  decodeIna228Result,
  decodeIna228ShuntVoltage,
  encodeIna228AdcConfiguration,
  encodeIna228BusVoltage,
  encodeIna228Charge,
  encodeIna228Configuration,
  encodeIna228Result,
  encodeIna228ShuntCalibration,
  encodeIna228ShuntVoltage,
  INA228_AVERAGES,
  INA228_CONVERSION_TIMES_US,
  INA228_MODES,
  INA228_SHUNT_FULL_SCALES_V,
  ina228ResultTimeUs,
  isIna228ResultAtLimit,
  type Ina228AdcConfiguration,
  type Ina228Mode,
  type Ina228ShuntFullScaleV,
} from './ina228-registers';

// Register bytes from TI SLYS021A (INA228 datasheet). A 20-bit result sits in bits 23-4 of its
// 24-bit register (Tables 7-9, 7-10, 7-12), so a count c travels as the bytes of c << 4.
const bytes = (...values: number[]) => Uint8Array.of(...values);
const WIDE: Ina228ShuntFullScaleV = 0.16384;
const NARROW: Ina228ShuntFullScaleV = 0.04096;

const SHUNT_FIXTURES: [name: string, raw: Uint8Array, fullScaleV: Ina228ShuntFullScaleV, volts: number][] = [
  // Table 8-4: "Shunt voltage 311040d, 312.5 nV/LSB, 0.0972 V".
  ['Table 8-4, 311040 at ±163.84 mV', bytes(0x4b, 0xf0, 0x00), WIDE, 0.0972],
  // Section 8.2.2.5: "1011 0100 0001 0000 0000" is −311040, −97.2 mV.
  ['8.2.2.5, its negative example', bytes(0xb4, 0x10, 0x00), WIDE, -0.0972],
  // Table 8-1: one LSB is 312.5 nV at ADCRANGE = 0, 78.125 nV at ADCRANGE = 1.
  ['Table 8-1, one LSB at ±163.84 mV', bytes(0x00, 0x00, 0x10), WIDE, 312.5e-9],
  ['Table 8-1, one LSB at ±40.96 mV', bytes(0x00, 0x00, 0x10), NARROW, 78.125e-9],
  ['Table 8-1, minus one LSB at ±40.96 mV', bytes(0xff, 0xff, 0xf0), NARROW, -78.125e-9],
  // Table 8-1 / 6.5 VDIFF: the ranges' ends, −full scale and +full scale less one LSB.
  ['6.5, −40.96 mV', bytes(0x80, 0x00, 0x00), NARROW, -0.04096],
  ['6.5, +163.84 mV less one LSB', bytes(0x7f, 0xff, 0xf0), WIDE, 0.16384 - 312.5e-9],
];
// Table 8-4: "Bus voltage 245760d, 195.3125 µV/LSB, 48 V"; Table 6.5: 0 V to 85 V.
const BUS_FIXTURES: [raw: Uint8Array, volts: number][] = [
  [bytes(0x3c, 0x00, 0x00), 48],
  [bytes(0x00, 0x00, 0x10), 195.3125e-6],
  [bytes(0x00, 0x00, 0x00), 0],
  [bytes(0x6a, 0x40, 0x00), 85],
];

describe('INA228 20-bit results', () => {
  it.each(SHUNT_FIXTURES)('decodes the shunt voltage: %s', (_, raw, fullScaleV, volts) => {
    expect(decodeIna228ShuntVoltage(raw, fullScaleV)).toBeCloseTo(volts, 12);
  });
  it.each(SHUNT_FIXTURES)('encodes the shunt voltage: %s', (_, raw, fullScaleV, volts) => {
    expect(encodeIna228ShuntVoltage(volts, fullScaleV)).toEqual(raw);
  });
  it.each(BUS_FIXTURES)('decodes and encodes the bus voltage %s', (raw, volts) => {
    expect(decodeIna228BusVoltage(raw)).toBeCloseTo(volts, 9);
    expect(encodeIna228BusVoltage(volts)).toEqual(raw);
  });
  it('decodes and encodes Table 8-4’s CURRENT, 314572 steps of 10 A / 2^19: 6 A', () => {
    expect(decodeIna228Result(bytes(0x4c, 0xcc, 0xc0))).toBe(314572);
    expect(encodeIna228Result(314572)).toEqual(bytes(0x4c, 0xcc, 0xc0));
    expect(314572 * (10 / 2 ** 19)).toBeCloseTo(6, 4);
  });
  it('round-trips every 20-bit count and every register value, ignoring the reserved bits 3-0', () => {
    fc.assert(
      fc.property(fc.integer({ min: -0x80000, max: 0x7ffff }), (count) => {
        expect(decodeIna228Result(encodeIna228Result(count))).toBe(count);
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffff }), fc.constantFrom(WIDE, NARROW), (raw, range) => {
        const register = bytes(raw >> 16, (raw >> 8) & 0xff, raw & 0xff);
        const withoutReserved = bytes(raw >> 16, (raw >> 8) & 0xff, raw & 0xf0);
        expect(encodeIna228ShuntVoltage(decodeIna228ShuntVoltage(register, range), range)).toEqual(
          withoutReserved,
        );
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0x7ffff }), (count) => {
        const register = encodeIna228Result(count);
        expect(encodeIna228BusVoltage(decodeIna228BusVoltage(register))).toEqual(register);
      }),
    );
  });
  it('clips beyond the range, as the saturated ADC does, and flags the ends', () => {
    expect(encodeIna228ShuntVoltage(0.1, NARROW)).toEqual(bytes(0x7f, 0xff, 0xf0));
    expect(encodeIna228ShuntVoltage(-1, WIDE)).toEqual(bytes(0x80, 0x00, 0x00));
    expect(encodeIna228BusVoltage(-3)).toEqual(bytes(0, 0, 0));
    expect(
      [bytes(0x7f, 0xff, 0xf0), bytes(0x80, 0, 0), bytes(0x7f, 0xff, 0xe0), bytes(0x80, 0, 0x10)].map(
        isIna228ResultAtLimit,
      ),
    ).toEqual([true, true, false, false]);
  });
});

describe('INA228 CHARGE register', () => {
  // Table 8-4: "Charge 1132462080d, Current LSB = 19.073486 µC/LSB, 21600 C".
  const TABLE_8_4 = bytes(0x00, 0x43, 0x80, 0x00, 0x00);
  const CHARGE_FIXTURES: [raw: Uint8Array, count: number][] = [
    [TABLE_8_4, 1132462080],
    [bytes(0, 0, 0, 0, 0), 0],
    [bytes(0xff, 0xff, 0xff, 0xff, 0xff), -1], // Table 7-15: two's complement
    [bytes(0x7f, 0xff, 0xff, 0xff, 0xff), 2 ** 39 - 1],
    [bytes(0x80, 0, 0, 0, 0), -(2 ** 39)],
  ];

  it.each(CHARGE_FIXTURES)('decodes and encodes %s as %s', (raw, count) => {
    expect(decodeIna228Charge(raw)).toBe(count);
    expect(encodeIna228Charge(count)).toEqual(raw);
  });
  it('is Table 8-4’s 21600 C in coulombs (Equation 7)', () => {
    expect(decodeIna228ChargeC(TABLE_8_4, 10 / 2 ** 19)).toBeCloseTo(21600, 6);
  });
  it('round-trips every 40-bit value, and wraps beyond it as the register rolls over (8.1.2)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 5, maxLength: 5 }), (raw) => {
        expect(encodeIna228Charge(decodeIna228Charge(raw))).toEqual(raw);
      }),
    );
    expect(decodeIna228Charge(encodeIna228Charge(2 ** 39))).toBe(-(2 ** 39));
    expect(decodeIna228Charge(encodeIna228Charge(-(2 ** 39) - 1))).toBe(2 ** 39 - 1);
  });
});

describe('INA228 SHUNT_CAL', () => {
  // 8.2.2.3: 10 A maximum (CURRENT_LSB 19.0735 µA) and 16.2 mΩ give SHUNT_CAL 4050 (FD2h).
  it('encodes the datasheet’s example to 4050, four times that at ±40.96 mV (Equation 2)', () => {
    expect(encodeIna228ShuntCalibration(10 / 2 ** 19, 0.0162, WIDE)).toBe(0xfd2);
    expect(encodeIna228ShuntCalibration(10 / 2 ** 19, 0.0162, NARROW)).toBe(4 * 4050);
  });
  it('decodes 4050 back to its CURRENT_LSB, and the reset value 0x1000 to the shunt LSB / ohms', () => {
    expect(decodeIna228CurrentLsbA(4050, 0.0162, WIDE)).toBeCloseTo(19.0735e-6, 9);
    expect(decodeIna228CurrentLsbA(0x1000, 0.0001, WIDE)).toBeCloseTo(312.5e-9 / 0.0001, 12);
    expect(decodeIna228CurrentLsbA(0x1000, 0.0001, NARROW)).toBeCloseTo(78.125e-9 / 0.0001, 12);
  });
  it('round-trips every register value and refuses what 15 bits cannot hold', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 0x7fff }),
        fc.double({ min: 1e-5, max: 1, noNaN: true }),
        fc.constantFrom(WIDE, NARROW),
        (calibration, shuntOhm, range) => {
          const lsb = decodeIna228CurrentLsbA(calibration, shuntOhm, range);
          expect(encodeIna228ShuntCalibration(lsb, shuntOhm, range)).toBe(calibration);
        },
      ),
    );
    expect(() => encodeIna228ShuntCalibration(1, 0.01, WIDE)).toThrow(RangeError);
  });
});

describe('INA228 CONFIG and ADC_CONFIG', () => {
  const RESET_ADC: Ina228AdcConfiguration = {
    mode: 'allContinuous',
    busConversionUs: 1052,
    shuntConversionUs: 1052,
    temperatureConversionUs: 1052,
    averages: 1,
  };

  it('decodes CONFIG’s reset value 0h (Table 7-5): ±163.84 mV, no delay, no compensation', () => {
    expect(decodeIna228Configuration(0x0000)).toEqual({
      conversionDelayMs: 0,
      temperatureCompensation: false,
      shuntFullScaleV: WIDE,
    });
  });
  it('encodes ADCRANGE = 1 as bit 4 and 510 ms (FFh) into bits 13-6 (Table 7-5)', () => {
    const config = { conversionDelayMs: 0, temperatureCompensation: false, shuntFullScaleV: NARROW } as const;
    expect(encodeIna228Configuration(config)).toBe(0x0010);
    expect(
      encodeIna228Configuration({ ...config, conversionDelayMs: 510, temperatureCompensation: true }),
    ).toBe(0x3ff0);
    expect(() => encodeIna228Configuration({ ...config, conversionDelayMs: 3 })).toThrow(RangeError);
  });
  it('decodes ADC_CONFIG’s reset value FB68h (Table 7-6), and encodes it back', () => {
    expect(decodeIna228AdcConfiguration(0xfb68)).toEqual(RESET_ADC);
    expect(encodeIna228AdcConfiguration(RESET_ADC)).toBe(0xfb68);
    expect(encodeIna228AdcConfiguration({ ...RESET_ADC, mode: 'shuntAndBusContinuous', averages: 16 })).toBe(
      0xbb6a,
    );
  });
  it('round-trips every configuration', () => {
    const config = fc.record({
      conversionDelayMs: fc.integer({ min: 0, max: 255 }).map((steps) => steps * 2),
      temperatureCompensation: fc.boolean(),
      shuntFullScaleV: fc.constantFrom(...INA228_SHUNT_FULL_SCALES_V),
    });
    fc.assert(
      fc.property(config, (c) => expect(decodeIna228Configuration(encodeIna228Configuration(c))).toEqual(c)),
    );
    const time = fc.constantFrom(...INA228_CONVERSION_TIMES_US);
    const adc = fc.record({
      mode: fc.constantFrom(...(Object.keys(INA228_MODES) as Ina228Mode[])),
      busConversionUs: time,
      shuntConversionUs: time,
      temperatureConversionUs: time,
      averages: fc.constantFrom(...INA228_AVERAGES),
    });
    fc.assert(
      fc.property(adc, (c) =>
        expect(decodeIna228AdcConfiguration(encodeIna228AdcConfiguration(c))).toEqual(c),
      ),
    );
  });
  it('reads MODE 8h as the shutdown it is, and refuses values the chip lacks', () => {
    expect(decodeIna228AdcConfiguration(0x8000).mode).toBe('shutdown');
    expect(() => encodeIna228AdcConfiguration({ ...RESET_ADC, averages: 2 as 1 })).toThrow(RangeError);
  });
  it('times a result as Table 8-2 does: conversion time × averages per input converted', () => {
    const shuntOnly = { ...RESET_ADC, mode: 'shuntContinuous' as const };
    expect(ina228ResultTimeUs({ ...shuntOnly, averages: 4 })).toBe(4208); // 1052 µs × 4: 4.208 ms
    expect(ina228ResultTimeUs({ ...shuntOnly, shuntConversionUs: 4120, averages: 1024 })).toBe(4218880);
    expect(ina228ResultTimeUs({ ...RESET_ADC, mode: 'shuntAndBusContinuous', averages: 16 })).toBe(16 * 2104);
    expect(ina228ResultTimeUs({ ...RESET_ADC, busConversionUs: 50 })).toBe(50 + 1052 + 1052);
    expect(ina228ResultTimeUs({ ...RESET_ADC, mode: 'shutdown' })).toBe(0);
  });
});
