/**
 * Runs inside user-mode Linux with i2c-stub answering at 0x40, 0x41 and 0x48 on /dev/i2c-0
 * (tools/with-vcan --i2c-stub 0x40,0x41,0x48), driven by current-sensors-on-i2c-stub.spec.ts:
 * presets the stub's registers with i2cset, the independent writer, as an INA226 (IDs, a shunt and
 * a bus voltage), an INA228 (IDs, shunt and bus voltage, charge) and an ADS1115 (a conversion) show
 * them, then opens each driver on the real LinuxI2cBus and collects samples on the system clock.
 * Prints one JSON object on stdout for the spec; exits 1 if a step did not finish.
 *
 *   node --conditions=@tsbms/source -r @swc-node/register tools/workspace-checks/guest/current-sensors-on-i2c-stub.ts
 */
import { execFileSync } from 'node:child_process';
import { firstValueFrom, take, toArray } from 'rxjs';
import { systemClock } from '@tsbms/hal';
import { reportGuestResults } from '@tsbms/hal/testing';
import { LinuxI2cBus } from '@tsbms/hal-linux';
import { Ads1115CurrentSource, Ina226CurrentSource, Ina228CurrentSource } from '@tsbms/current-sensors';

/** The ADS1115's conversion register for 12.5 mV at ±0.256 V: 1600 codes of 7.8125 µV. */
const ADS1115_CONVERSION = 0x0640;

/** The registers to preset: what a real INA226 answers with 12.5 mV across the shunt and 26.4 V on VBUS. */
const PRESET = {
  manufacturerId: 0x5449,
  dieId: 0x2260,
  shuntVoltage: 0x1388, // 5000 × 2.5 µV = 12.5 mV
  busVoltage: 0x5280, // 21120 × 1.25 mV = 26.4 V
};

const hex = (n: number) => `0x${n.toString(16)}`;

/** i2cset writes SMBus words low byte first; a real INA226 sends its high byte first. */
const i2csetRegister = (address: number, register: number, value: number) => {
  const onTheWire = ((value & 0xff) << 8) | (value >> 8);
  execFileSync('i2cset', ['-y', '0', hex(address), hex(register), hex(onTheWire), 'w']);
};

/**
 * An I2C block write: i2c-stub keeps each byte in the register it lands on, and an I2C block read
 * of n bytes at R returns those of R..R+n−1. An INA228's 24- and 40-bit registers are one address
 * each, so on the stub they overlap their neighbours: VSHUNT at 0x04 shares two bytes with VBUS at
 * 0x05, and CHARGE's second byte (0x0b) is DIAG_ALRT's high byte. The values are chosen to fit.
 */
const i2csetBlock = (address: number, register: number, bytes: readonly number[]) =>
  execFileSync('i2cset', ['-y', '0', hex(address), hex(register), ...bytes.map(hex), 'i']);

/**
 * What an INA228 shows at ±40.96 mV (78.125 nV steps) across 100 µΩ: VSHUNT 0x0c400 (50176 steps,
 * 3.92 mV: 39.2 A), VBUS 0x40000 (262144 × 195.3125 µV = 51.2 V), CHARGE 11520000 CURRENT_LSBs of
 * 0.78125 mA (9000 C, 2.5 Ah), DIAG_ALRT 0x0001 (no overflow).
 */
const INA228_SHUNT_AND_BUS = [0x0c, 0x40, 0x00, 0x00]; // 0x04..0x07: VSHUNT 0c 40 00, VBUS 40 00 00
const INA228_CHARGE = [0x00, 0x00, 0xaf, 0xc8, 0x00]; // 0x0a..0x0e

void reportGuestResults(async (results) => {
  i2csetRegister(0x40, 0xfe, PRESET.manufacturerId);
  i2csetRegister(0x40, 0xff, PRESET.dieId);
  i2csetRegister(0x40, 0x01, PRESET.shuntVoltage);
  i2csetRegister(0x40, 0x02, PRESET.busVoltage);
  i2csetRegister(0x48, 0x00, ADS1115_CONVERSION);
  i2csetRegister(0x41, 0x3e, 0x5449);
  i2csetRegister(0x41, 0x3f, 0x2281);
  i2csetRegister(0x41, 0x0b, 0x0001);
  i2csetBlock(0x41, 0x04, INA228_SHUNT_AND_BUS);
  i2csetBlock(0x41, 0x0a, INA228_CHARGE);
  const bus = await LinuxI2cBus.open({ busNumber: 0 });
  const source = await Ina226CurrentSource.open({
    bus,
    address: 0x40,
    shuntOhm: 0.0001,
    sampleIntervalMs: 20,
    averages: 4,
    clock: systemClock,
  });
  const voltage = firstValueFrom(source.busVoltage$);
  results['current'] = await firstValueFrom(source.current$.pipe(take(3), toArray()));
  results['busVoltage'] = await voltage;
  results['counters'] = source.counters();
  results['configurationOnTheWire'] = execFileSync('i2cget', ['-y', '0', '0x40', '0x00', 'w'], {
    encoding: 'utf8',
  }).trim();
  results['description'] = source.description;
  await source.close();
  await bus.close();
  const probeBus = await LinuxI2cBus.open({ busNumber: 0 });
  results['wrongAddress'] = await Ina226CurrentSource.open({
    bus: probeBus,
    address: 0x44,
    shuntOhm: 0.0001,
    clock: systemClock,
  }).catch((error: { code?: string; message?: string }) => ({ code: error.code, message: error.message }));
  await probeBus.close();
  const adcBus = await LinuxI2cBus.open({ busNumber: 0 });
  const adc = await Ads1115CurrentSource.open({
    bus: adcBus,
    address: 0x48,
    transducer: { kind: 'shunt', shuntOhm: 0.0001 },
    sampleIntervalMs: 20,
    clock: systemClock,
  });
  results['ads1115Current'] = await firstValueFrom(adc.current$.pipe(take(2), toArray()));
  results['ads1115ConfigOnTheWire'] = execFileSync('i2cget', ['-y', '0', '0x48', '0x01', 'w'], {
    encoding: 'utf8',
  }).trim();
  await adc.close();
  await adcBus.close();
  const ina228Bus = await LinuxI2cBus.open({ busNumber: 0 });
  const ina228 = await Ina228CurrentSource.open({
    bus: ina228Bus,
    address: 0x41,
    shuntOhm: 0.0001,
    maxCurrentA: 400, // 40 mV: the ±40.96 mV range
    sampleIntervalMs: 20,
    averages: 4,
    clock: systemClock,
  });
  const ina228Voltage = firstValueFrom(ina228.busVoltage$);
  const ina228Charge = firstValueFrom(ina228.chargeAh$);
  results['ina228Current'] = await firstValueFrom(ina228.current$.pipe(take(2), toArray()));
  results['ina228BusVoltage'] = await ina228Voltage;
  results['ina228Charge'] = await ina228Charge;
  results['ina228Description'] = ina228.description;
  const i2cgetWord = (register: number) =>
    execFileSync('i2cget', ['-y', '0', '0x41', hex(register), 'w'], { encoding: 'utf8' }).trim();
  results['ina228WordsOnTheWire'] = {
    config: i2cgetWord(0x00),
    adcConfig: i2cgetWord(0x01),
    shuntCal: i2cgetWord(0x02),
  };
  await ina228.close();
  await ina228Bus.close();
});
