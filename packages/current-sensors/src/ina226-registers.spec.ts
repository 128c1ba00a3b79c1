import fc from 'fast-check';
import {
  decodeIna226BusVoltage,
  decodeIna226Configuration,
  decodeIna226ShuntVoltage,
  encodeIna226BusVoltage,
  encodeIna226Configuration,
  encodeIna226ShuntVoltage,
  INA226_AVERAGES,
  INA226_CONVERSION_TIMES_US,
  INA226_MODES,
  ina226ResultTimeUs,
  isIna226ShuntAtLimit,
  type Ina226Configuration,
  type Ina226Mode,
} from './ina226-registers';

// Register values from TI SBOS547 (INA226 datasheet): the shunt voltage register's examples
// (full scale 0x7FFF = 81.9175 mV, one LSB 2.5 µV, two's complement below zero), the bus
// voltage's 1.25 mV LSB, and the configuration register's power-on value 0x4127.
const SHUNT_FIXTURES: [raw: number, volts: number][] = [
  [0x7fff, 0.0819175],
  [0x0001, 2.5e-6],
  [0x0000, 0],
  [0xffff, -2.5e-6],
  [0x8000, -0.08192],
  [0x0fa0, 0.01], // 4000 counts: 10 mV, 100 A through a 100 µΩ shunt
  [0xf060, -0.01],
];
const BUS_FIXTURES: [raw: number, volts: number][] = [
  [0x0000, 0],
  [0x0001, 0.00125],
  [0x2580, 12],
  [0x5dc0, 30],
  [0x7fff, 40.95875],
];
const POWER_ON_CONFIG: Ina226Configuration = {
  averages: 1,
  busConversionUs: 1100,
  shuntConversionUs: 1100,
  mode: 'shuntAndBusContinuous',
};

describe('INA226 shunt voltage register', () => {
  it.each(SHUNT_FIXTURES)('decodes 0x%s', (raw, volts) => {
    expect(decodeIna226ShuntVoltage(raw)).toBeCloseTo(volts, 12);
  });
  it.each(SHUNT_FIXTURES)('encodes to 0x%s', (raw, volts) => {
    expect(encodeIna226ShuntVoltage(volts)).toBe(raw);
  });
  it('round-trips every register value, and clips beyond ±81.92 mV to the ends, which are flagged', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff }), (raw) => {
        expect(encodeIna226ShuntVoltage(decodeIna226ShuntVoltage(raw))).toBe(raw);
      }),
    );
    expect(encodeIna226ShuntVoltage(0.5)).toBe(0x7fff);
    expect(encodeIna226ShuntVoltage(-0.5)).toBe(0x8000);
    expect([0x7fff, 0x8000, 0x7ffe, 0x8001, 0].map(isIna226ShuntAtLimit)).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
  });
});

describe('INA226 bus voltage register', () => {
  it.each(BUS_FIXTURES)('decodes 0x%s', (raw, volts) => {
    expect(decodeIna226BusVoltage(raw)).toBeCloseTo(volts, 9);
  });
  it.each(BUS_FIXTURES)('encodes to 0x%s', (raw, volts) => {
    expect(encodeIna226BusVoltage(volts)).toBe(raw);
  });
  it('round-trips every 15-bit value and ignores bit 15', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0x7fff }), (raw) => {
        expect(encodeIna226BusVoltage(decodeIna226BusVoltage(raw))).toBe(raw);
        expect(decodeIna226BusVoltage(raw | 0x8000)).toBe(decodeIna226BusVoltage(raw));
      }),
    );
  });
});

describe('INA226 configuration register', () => {
  it('decodes the power-on value 0x4127: 1 average, 1.1 ms conversions, shunt and bus continuous', () => {
    expect(decodeIna226Configuration(0x4127)).toEqual(POWER_ON_CONFIG);
  });
  it('encodes the power-on configuration to 0x4127, and 16 averages of 1.1 ms to 0x4527', () => {
    expect(encodeIna226Configuration(POWER_ON_CONFIG)).toBe(0x4127);
    expect(encodeIna226Configuration({ ...POWER_ON_CONFIG, averages: 16 })).toBe(0x4527);
    expect(
      encodeIna226Configuration({
        averages: 1024,
        busConversionUs: 8244,
        shuntConversionUs: 140,
        mode: 'powerDown',
      }),
    ).toBe(0x4000 | (7 << 9) | (7 << 6) | (0 << 3) | 0);
  });
  it('round-trips every configuration', () => {
    const config = fc.record({
      averages: fc.constantFrom(...INA226_AVERAGES),
      busConversionUs: fc.constantFrom(...INA226_CONVERSION_TIMES_US),
      shuntConversionUs: fc.constantFrom(...INA226_CONVERSION_TIMES_US),
      mode: fc.constantFrom(...(Object.keys(INA226_MODES) as Ina226Mode[])),
    });
    fc.assert(
      fc.property(config, (c) => {
        expect(decodeIna226Configuration(encodeIna226Configuration(c))).toEqual(c);
      }),
    );
  });
  it('has no configuration for the unused mode 0b100, and refuses to encode values the chip lacks', () => {
    expect(decodeIna226Configuration(0x4124)).toBeUndefined();
    expect(() => encodeIna226Configuration({ ...POWER_ON_CONFIG, averages: 2 as 1 })).toThrow(RangeError);
  });
  it('times a result as the conversions the mode makes, times the averages', () => {
    expect(ina226ResultTimeUs({ ...POWER_ON_CONFIG, averages: 16 })).toBe(16 * 2200);
    expect(ina226ResultTimeUs({ ...POWER_ON_CONFIG, mode: 'shuntContinuous', shuntConversionUs: 588 })).toBe(
      588,
    );
    expect(ina226ResultTimeUs({ ...POWER_ON_CONFIG, mode: 'busTriggered', busConversionUs: 140 })).toBe(140);
  });
});
