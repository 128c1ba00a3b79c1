import * as path from 'node:path';
import { runInUserModeLinux, userModeLinuxTimeoutMs, type GuestRun } from '@tsbms/test-support';

/*
 * The I2C current sensor drivers on the real Linux I2C path (issue 13): tools/with-vcan boots
 * user-mode Linux with i2c-dev and i2c-stub (SMBus chips at 0x40, 0x41 and 0x48 on /dev/i2c-0), the
 * guest script presets the chips' registers with i2cset as an INA226, an INA228 (its 24- and 40-bit
 * registers by I2C block writes, read back by the driver's I2C block reads) and an ADS1115 show them
 * and reads them through LinuxI2cBus and the drivers. i2c-stub keeps what is written, so it stands
 * in for the registers, not for the converters: the values are the preset ones, the configurations
 * are what the drivers wrote. The MCP3421 cannot be exercised this way: it has no registers, and
 * i2c-stub answers no plain read without one.
 */
const guestScript = path.join(__dirname, 'guest', 'current-sensors-on-i2c-stub.ts');

interface Sample {
  timeMs: number;
  currentA: number;
  quality: string;
}
interface GuestResults {
  failure?: string;
  current?: Sample[];
  busVoltage?: { timeMs: number; voltageV: number };
  counters?: { samples: number; dropped: number };
  configurationOnTheWire?: string;
  description?: string;
  wrongAddress?: { code?: string; message?: string };
  ads1115Current?: Sample[];
  ads1115ConfigOnTheWire?: string;
  ina228Current?: Sample[];
  ina228BusVoltage?: { timeMs: number; voltageV: number };
  ina228Charge?: { timeMs: number; chargeAh: number };
  ina228Description?: string;
  ina228WordsOnTheWire?: { config: string; adcConfig: string; shuntCal: string };
}

let run: GuestRun<GuestResults>['run'];
let results: GuestResults;

beforeAll(() => {
  ({ run, results } = runInUserModeLinux<GuestResults>({
    script: guestScript,
    withVcanArgs: ['--i2c-stub', '0x40,0x41,0x48'],
  }));
}, userModeLinuxTimeoutMs());

describe('the I2C current sensors on /dev/i2c-0 with i2c-stub, in user-mode Linux', () => {
  it('runs every step in the guest', () => {
    expect(results.failure).toBeUndefined();
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('reads 12.5 mV across a 100 µΩ shunt as 125 A, three samples in time order', () => {
    expect(results.current).toHaveLength(3);
    for (const sample of results.current ?? []) {
      expect(sample.currentA).toBeCloseTo(125, 9);
      expect(sample.quality).toBe('good');
    }
    const times = (results.current ?? []).map((sample) => sample.timeMs);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(results.counters).toEqual({ samples: 3, dropped: 0 });
    expect(results.description).toBe('INA226 at /dev/i2c-0 0x40');
  });

  it('reads the bus voltage register as 26.4 V', () => {
    expect(results.busVoltage?.voltageV).toBeCloseTo(26.4, 9);
  });

  it('wrote its configuration high byte first: 4 averages of 1.1 ms, continuous (0x4327)', () => {
    // i2cget shows the SMBus word, low byte first on the wire: 0x4327 arrives as 0x2743.
    expect(results.configurationOnTheWire).toBe('0x2743');
  });

  it('fails with I2C_NO_DEVICE where no chip answers', () => {
    expect(results.wrongAddress).toMatchObject({ code: 'I2C_NO_DEVICE' });
    expect(results.wrongAddress?.message).toMatch(
      /^\/dev\/i2c-0 device 0x44 register 0xfe: no device answers/,
    );
  });

  it('reads the ADS1115 conversion 0x0640 at ±0.256 V across a 100 µΩ shunt as 125 A', () => {
    expect(results.ads1115Current).toHaveLength(2);
    for (const sample of results.ads1115Current ?? []) expect(sample.currentA).toBeCloseTo(125, 9);
    // 0x0A83 (AIN0-AIN1, ±0.256 V, continuous, 128 SPS), low byte first as i2cget shows it.
    expect(results.ads1115ConfigOnTheWire).toBe('0x830a');
  });

  it('reads the INA228’s 24-bit VSHUNT at ±40.96 mV across 100 µΩ as 39.2 A and VBUS as 51.2 V', () => {
    expect(results.ina228Current).toHaveLength(2);
    for (const sample of results.ina228Current ?? []) {
      expect(sample.currentA).toBeCloseTo(39.2, 9);
      expect(sample.quality).toBe('good');
    }
    expect(results.ina228BusVoltage?.voltageV).toBeCloseTo(51.2, 9);
    expect(results.ina228Description).toBe('INA228 at /dev/i2c-0 0x41');
  });

  it('reads the INA228’s 40-bit CHARGE, 11520000 steps of 0.78125 mA·s, as 2.5 Ah', () => {
    expect(results.ina228Charge?.chargeAh).toBeCloseTo(2.5, 9);
  });

  it('wrote the INA228’s CONFIG (±40.96 mV), ADC_CONFIG and SHUNT_CAL high byte first', () => {
    // CONFIG 0x0010, ADC_CONFIG 0xBB69 (shunt and bus continuous, 1052 µs, 4 averages), SHUNT_CAL
    // 0x1000, each low byte first as i2cget shows it.
    expect(results.ina228WordsOnTheWire).toEqual({
      config: '0x1000',
      adcConfig: '0x69bb',
      shuntCal: '0x0010',
    });
  });
});
