import fc from 'fast-check';
import {
  cellVoltageFromRaw,
  cellVoltageToRaw,
  gpaiVoltageFromRaw,
  gpaiVoltageToRaw,
  readUint16BE,
  temperatureFromRaw,
  temperatureToRaw,
  thermistorOhmsFromRaw,
} from './conversions';

const VOLT_TOLERANCE = 1e-6;
const DEGREE_TOLERANCE = 0.001;

describe('cell voltage (§5 worked examples)', () => {
  it.each([
    [0x224d, 3.34989],
    [9437, 3.60015],
    [10747, 4.099905],
    [10000, 3.81493],
  ])('raw %i -> %f V', (raw, volts) => {
    expect(Math.abs(cellVoltageFromRaw(raw) - volts)).toBeLessThanOrEqual(VOLT_TOLERANCE);
    expect(cellVoltageToRaw(volts)).toBe(raw);
  });

  it('inverse round-trips every count within one count', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 16383 }), (raw) => {
        expect(Math.abs(cellVoltageToRaw(cellVoltageFromRaw(raw)) - raw)).toBeLessThanOrEqual(1);
      }),
    );
  });
});

describe('module (GPAI) voltage (§5 worked examples)', () => {
  it.each([
    [0x26f7, 20.295225],
    [12091, 24.600458],
  ])('raw %i -> %f V', (raw, volts) => {
    expect(Math.abs(gpaiVoltageFromRaw(raw) - volts)).toBeLessThanOrEqual(VOLT_TOLERANCE);
    expect(gpaiVoltageToRaw(volts)).toBe(raw);
  });

  it('inverse round-trips within one count', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 16383 }), (raw) => {
        expect(Math.abs(gpaiVoltageToRaw(gpaiVoltageFromRaw(raw)) - raw)).toBeLessThanOrEqual(1);
      }),
    );
  });
});

describe('temperature (§5 worked examples)', () => {
  it('0x1116: r = 0.13242, R = 9871.9 ohm', () => {
    expect(thermistorOhmsFromRaw(0x1116)).toBeCloseTo(9871.9, 0);
  });

  it.each([
    [0x1116, 25.343],
    [4332, 24.994],
    [8901, 59.998],
    [2000, 1.571],
    [1200, -10.876],
    [10000, 69.09],
  ])('raw %i -> %f °C', (raw, celsius) => {
    // The spec quotes three decimals, so the exact value lies within half a unit of the last digit.
    expect(Math.abs(temperatureFromRaw(raw) - celsius)).toBeLessThanOrEqual(DEGREE_TOLERANCE);
    expect(temperatureToRaw(celsius)).toBe(raw);
  });

  it.each([
    [-40, 277],
    [0, 1882],
    [65, 9518],
    [120, 14030],
  ])('%i °C is about raw %i (§5 landmarks)', (celsius, raw) => {
    expect(Math.abs(temperatureToRaw(celsius) - raw)).toBeLessThanOrEqual(1);
  });

  it('inverse round-trips within one count over -40..120 °C', () => {
    fc.assert(
      fc.property(fc.integer({ min: 277, max: 14030 }), (raw) => {
        expect(Math.abs(temperatureToRaw(temperatureFromRaw(raw)) - raw)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('is NaN where the divider gives no positive resistance (shorted sensor)', () => {
    expect(temperatureFromRaw(17000)).toBeNaN();
    expect(temperatureFromRaw(16383)).toBeGreaterThan(300);
  });
});

describe('readUint16BE', () => {
  it('reads high byte first', () => {
    expect(readUint16BE([0x00, 0x22, 0x4d], 1)).toBe(0x224d);
  });
});
