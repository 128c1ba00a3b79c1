import * as path from 'node:path';
import { i2cBusContractResults, type ContractCaseResult } from '@tsbms/hal/testing';
import { runInUserModeLinux, userModeLinuxTimeoutMs, type GuestRun } from '@tsbms/test-support';

/*
 * LinuxI2cBus against the real kernel: tools/with-vcan boots user-mode Linux with i2c-dev and
 * i2c-stub (an SMBus chip at 0x40 on /dev/i2c-0) and runs testing/i2c-guest-checks.ts there. The
 * I2cBus contract cases run in the guest, one test each below; i2c-tools is the independent reader.
 */
const guestScript = path.join(__dirname, 'testing', 'i2c-guest-checks.ts');

interface GuestResults {
  failure?: string;
  contract?: ContractCaseResult[];
  path?: string;
  i2cgetWordAfterWriteWord?: string;
  readWordAfterI2csetWord?: string;
  i2cgetBytesAfterWriteBlock?: string[];
  openMissingBus?: { code: string; bus: string; message: string } | string;
}

let run: GuestRun<GuestResults>['run'];
let results: GuestResults;

beforeAll(() => {
  ({ run, results } = runInUserModeLinux<GuestResults>({
    script: guestScript,
    withVcanArgs: ['--i2c-stub', '0x40'],
  }));
}, userModeLinuxTimeoutMs());

i2cBusContractResults('LinuxI2cBus on i2c-stub (run in user-mode Linux)', () => results.contract);

describe('LinuxI2cBus on i2c-stub in user-mode Linux', () => {
  it('runs every step in the guest', () => {
    expect(results.failure).toBeUndefined();
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(results.path).toBe('/dev/i2c-0');
  });

  it('sends words most significant byte first, as the sensors do, where SMBus sends the low byte first', () => {
    // writeWord(0x1234) put 0x12 on the wire first; SMBus (i2cget) takes the first byte as the low one.
    expect(results.i2cgetWordAfterWriteWord).toBe('0x3412');
    expect(results.readWordAfterI2csetWord).toBe('b2a1');
  });

  it('writes a block byte by byte from the register on', () => {
    expect(results.i2cgetBytesAfterWriteBlock).toEqual(['0xde', '0xad']);
  });

  it('fails to open a bus that does not exist with I2C_OPEN_FAILED naming it', () => {
    expect(results.openMissingBus).toMatchObject({ code: 'I2C_OPEN_FAILED', bus: '/dev/i2c-7' });
    expect(results.openMissingBus).toMatchObject({
      message: expect.stringContaining('cannot open /dev/i2c-7'),
    });
  });
});
