import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as path from 'node:path';
import { workspaceRoot } from './spec-support/libraries';

/*
 * The INA226 driver on the real Linux I2C path (issue 13): tools/with-vcan boots user-mode Linux
 * with i2c-dev and i2c-stub (an SMBus chip at 0x40 on /dev/i2c-0), the guest script presets the
 * chip's registers with i2cset as an INA226 shows them and reads them through LinuxI2cBus and
 * Ina226CurrentSource. i2c-stub keeps what is written, so it stands in for the registers, not for
 * the converter: the values are the preset ones, the configuration is what the driver wrote.
 */
const guestScript = path.join(__dirname, 'guest', 'ina226-on-i2c-stub.ts');

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
}

let run: SpawnSyncReturns<string>;
let results: GuestResults;

beforeAll(() => {
  run = spawnSync(
    path.join(workspaceRoot, 'tools', 'with-vcan'),
    [
      '--i2c-stub',
      '0x40',
      '--timeout-s',
      '90',
      '--',
      process.execPath,
      '--conditions=@tsbms/source',
      '-r',
      '@swc-node/register',
      guestScript,
    ],
    { cwd: workspaceRoot, encoding: 'utf8', timeout: 120_000 },
  );
  results = JSON.parse(run.stdout.trim().split('\n').at(-1) || '{}') as GuestResults;
}, 120_000);

describe('the INA226 driver on /dev/i2c-0 with i2c-stub, in user-mode Linux', () => {
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
});
