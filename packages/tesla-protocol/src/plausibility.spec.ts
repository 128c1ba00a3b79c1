import { cellVoltageToRaw, gpaiVoltageToRaw, temperatureToRaw } from './conversions';
import { checkCellRaw, checkModuleVoltageRaw, checkRawBits, checkTemperatureRaw } from './plausibility';

describe('plausibility (T-13)', () => {
  it('rejects bit 15 and bit 14', () => {
    expect(checkRawBits(0x8000 | 10000)).toBe('bit 15 set');
    expect(checkRawBits(0x4000 | 10000)).toBe('bit 14 set');
    expect(checkRawBits(0x3fff)).toBeNull();
    expect(checkCellRaw(0x4000 | 10000)).toBe('bit 14 set');
    expect(checkTemperatureRaw(0x8000 | 4374)).toBe('bit 15 set');
    expect(checkModuleVoltageRaw(0x8000 | 9975, 20.3)).toBe('bit 15 set');
  });

  it('accepts cells in 0.5..5.0 V and rejects outside', () => {
    expect(checkCellRaw(cellVoltageToRaw(0.5))).toBeNull();
    expect(checkCellRaw(cellVoltageToRaw(3.7))).toBeNull();
    expect(checkCellRaw(cellVoltageToRaw(5.0))).toBeNull();
    expect(checkCellRaw(cellVoltageToRaw(0.49))).toBe('cell voltage 0.49 V outside 0.5..5.0 V');
    expect(checkCellRaw(cellVoltageToRaw(5.31))).toBe('cell voltage 5.31 V outside 0.5..5.0 V');
    expect(checkCellRaw(0)).toMatch(/0\.00 V outside/);
  });

  it('accepts temperatures in -40..120 °C and rejects outside', () => {
    expect(checkTemperatureRaw(temperatureToRaw(-39.9))).toBeNull();
    expect(checkTemperatureRaw(temperatureToRaw(25))).toBeNull();
    expect(checkTemperatureRaw(temperatureToRaw(119.9))).toBeNull();
    expect(checkTemperatureRaw(temperatureToRaw(-45))).toMatch(/-4\d\.\d °C outside -40\.\.120 °C/);
    expect(checkTemperatureRaw(temperatureToRaw(125))).toMatch(/12\d\.\d °C outside/);
    // An open thermistor reads near 0 (about -100 °C).
    expect(checkTemperatureRaw(3)).toMatch(/outside/);
    // A shorted one reads very high.
    expect(checkTemperatureRaw(16383)).toBe('temperature 359.4 °C outside -40..120 °C');
  });

  it('rejects GPAI differing from the cell sum by more than 0.2 V', () => {
    const sum = 6 * 3.7;
    expect(checkModuleVoltageRaw(gpaiVoltageToRaw(sum), sum)).toBeNull();
    expect(checkModuleVoltageRaw(gpaiVoltageToRaw(sum + 0.19), sum)).toBeNull();
    expect(checkModuleVoltageRaw(gpaiVoltageToRaw(sum - 0.19), sum)).toBeNull();
    expect(checkModuleVoltageRaw(gpaiVoltageToRaw(sum + 0.25), sum)).toMatch(
      /differs from cell sum 22\.20 V/,
    );
    expect(checkModuleVoltageRaw(gpaiVoltageToRaw(sum - 3.7), sum)).toMatch(/by 3\.70 V/);
  });
});
