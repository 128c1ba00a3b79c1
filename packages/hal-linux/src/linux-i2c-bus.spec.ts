import { existsSync } from 'node:fs';
import { I2cError } from '@tsbms/hal';
import { expectInvalidArgument } from '@tsbms/hal/testing';
import { LinuxI2cBus } from './linux-i2c-bus';

// The I2cBus contract and real transfers run against i2c-stub in user-mode Linux
// (linux-i2c-bus.i2c-stub.spec.ts); the host kernel has no I2C. What needs no bus is checked here.
describe('LinuxI2cBus.open', () => {
  it('fails with I2C_OPEN_FAILED naming /dev/i2c-N when the bus does not exist', async () => {
    const busNumber = [17, 18, 19].find((n) => !existsSync(`/dev/i2c-${n}`)) as number;
    const error = await LinuxI2cBus.open({ busNumber }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(I2cError);
    expect(error).toMatchObject({ code: 'I2C_OPEN_FAILED', context: { bus: `/dev/i2c-${busNumber}` } });
    expect((error as Error).message).toMatch(new RegExp(`^cannot open /dev/i2c-${busNumber}: .*ENOENT`));
  });

  it.each([-1, 1.5, Number.NaN, '1'])('refuses busNumber %p with I2C_OPEN_FAILED', async (busNumber) => {
    await expect(LinuxI2cBus.open({ busNumber: busNumber as number })).rejects.toMatchObject({
      code: 'I2C_OPEN_FAILED',
      message: expect.stringContaining('busNumber must be a whole number >= 0'),
    });
  });

  it('refuses options that are not an object with InvalidArgumentError', async () => {
    await expectInvalidArgument(() => LinuxI2cBus.open(undefined as never), 'options');
  });
});
