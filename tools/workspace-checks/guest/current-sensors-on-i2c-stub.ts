/**
 * Runs inside user-mode Linux with i2c-stub answering at 0x40 and 0x48 on /dev/i2c-0
 * (tools/with-vcan --i2c-stub 0x40,0x48), driven by current-sensors-on-i2c-stub.spec.ts: presets
 * the stub's registers with i2cset, the independent writer, as an INA226 (IDs, a shunt and a bus
 * voltage) and an ADS1115 (a conversion) show them, then opens each driver on the real LinuxI2cBus
 * and collects samples on the system clock. Prints one JSON object on stdout for the spec; exits 1
 * if a step did not finish.
 *
 *   node --conditions=@tsbms/source -r @swc-node/register tools/workspace-checks/guest/current-sensors-on-i2c-stub.ts
 */
import { execFileSync } from 'node:child_process';
import { firstValueFrom, take, toArray } from 'rxjs';
import { systemClock } from '@tsbms/hal';
import { reportGuestResults } from '@tsbms/hal/testing';
import { LinuxI2cBus } from '@tsbms/hal-linux';
import { Ads1115CurrentSource, Ina226CurrentSource } from '@tsbms/current-sensors';

/** The ADS1115's conversion register for 12.5 mV at ±0.256 V: 1600 codes of 7.8125 µV. */
const ADS1115_CONVERSION = 0x0640;

/** The registers to preset: what a real INA226 answers with 12.5 mV across the shunt and 26.4 V on VBUS. */
const PRESET = {
  manufacturerId: 0x5449,
  dieId: 0x2260,
  shuntVoltage: 0x1388, // 5000 × 2.5 µV = 12.5 mV
  busVoltage: 0x5280, // 21120 × 1.25 mV = 26.4 V
};

/** i2cset writes SMBus words low byte first; a real INA226 sends its high byte first. */
const i2csetRegister = (address: number, register: number, value: number) => {
  const onTheWire = ((value & 0xff) << 8) | (value >> 8);
  const hex = (n: number) => `0x${n.toString(16)}`;
  execFileSync('i2cset', ['-y', '0', hex(address), hex(register), hex(onTheWire), 'w']);
};

void reportGuestResults(async (results) => {
  i2csetRegister(0x40, 0xfe, PRESET.manufacturerId);
  i2csetRegister(0x40, 0xff, PRESET.dieId);
  i2csetRegister(0x40, 0x01, PRESET.shuntVoltage);
  i2csetRegister(0x40, 0x02, PRESET.busVoltage);
  i2csetRegister(0x48, 0x00, ADS1115_CONVERSION);
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
});
