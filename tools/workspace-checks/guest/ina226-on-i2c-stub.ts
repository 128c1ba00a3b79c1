/**
 * Runs inside user-mode Linux with i2c-stub answering at 0x40 on /dev/i2c-0 (tools/with-vcan
 * --i2c-stub 0x40), driven by ina226-on-i2c-stub.spec.ts: presets the stub's registers as an
 * INA226 shows them (IDs, a shunt and a bus voltage) with i2cset, the independent writer, then opens
 * the INA226 driver on the real LinuxI2cBus and collects three samples on the system clock. Prints
 * one JSON object on stdout for the spec; exits 1 if a step did not finish.
 *
 *   node --conditions=@tsbms/source -r @swc-node/register tools/workspace-checks/guest/ina226-on-i2c-stub.ts
 */
import { execFileSync } from 'node:child_process';
import { firstValueFrom, take, toArray } from 'rxjs';
import { systemClock } from '@tsbms/hal';
import { LinuxI2cBus } from '@tsbms/hal-linux';
import { Ina226CurrentSource } from '@tsbms/current-sensors';

/** The registers to preset: what a real INA226 answers with 12.5 mV across the shunt and 26.4 V on VBUS. */
export const PRESET = {
  manufacturerId: 0x5449,
  dieId: 0x2260,
  shuntVoltage: 0x1388, // 5000 × 2.5 µV = 12.5 mV
  busVoltage: 0x5280, // 21120 × 1.25 mV = 26.4 V
};

/** i2cset writes SMBus words low byte first; a real INA226 sends its high byte first. */
const i2csetRegister = (register: number, value: number) => {
  const onTheWire = ((value & 0xff) << 8) | (value >> 8);
  execFileSync('i2cset', [
    '-y',
    '0',
    '0x40',
    `0x${register.toString(16)}`,
    `0x${onTheWire.toString(16)}`,
    'w',
  ]);
};

async function main(): Promise<void> {
  const results: Record<string, unknown> = {};
  try {
    i2csetRegister(0xfe, PRESET.manufacturerId);
    i2csetRegister(0xff, PRESET.dieId);
    i2csetRegister(0x01, PRESET.shuntVoltage);
    i2csetRegister(0x02, PRESET.busVoltage);
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
    const wrongAddress = await Ina226CurrentSource.open({
      bus: await LinuxI2cBus.open({ busNumber: 0 }),
      address: 0x44,
      shuntOhm: 0.0001,
      clock: systemClock,
    }).catch((error: { code?: string; message?: string }) => ({ code: error.code, message: error.message }));
    results['wrongAddress'] = wrongAddress;
  } catch (error) {
    results['failure'] = error instanceof Error ? error.stack : String(error);
    process.exitCode = 1;
  }
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

void main();
