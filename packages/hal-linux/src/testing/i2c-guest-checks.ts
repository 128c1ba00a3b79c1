/**
 * Runs inside user-mode Linux with i2c-stub answering at 0x40 on /dev/i2c-0 (tools/with-vcan
 * --i2c-stub 0x40), driven by linux-i2c-bus.i2c-stub.spec.ts. Runs @tsbms/hal's I2cBus contract
 * on LinuxI2cBus (a fresh bus per case; the stub keeps its registers between cases, which no case
 * relies on), then checks the byte order against i2c-tools and the open failure. Prints one JSON
 * object on stdout for the spec to assert; exits 1 if a step did not finish.
 *
 *   node --conditions=@tsbms/source -r @swc-node/register packages/hal-linux/src/testing/i2c-guest-checks.ts
 */
import { execFileSync } from 'node:child_process';
import { I2cError } from '@tsbms/hal';
import {
  i2cBusContractCases,
  runContractCases,
  type ContractEnds,
  type I2cBusEnds,
  reportGuestResults,
} from '@tsbms/hal/testing';
import { LinuxI2cBus } from '../linux-i2c-bus';

const BUS_NUMBER = 0;
const STUB_ADDRESS = 0x40;

async function openEnds(): Promise<ContractEnds<I2cBusEnds>> {
  const bus = await LinuxI2cBus.open({ busNumber: BUS_NUMBER });
  return { bus, address: STUB_ADDRESS, absentAddress: 0x41, teardown: () => bus.close() };
}

/** What i2c-tools reads at `register`, as SMBus sees it (a word is low byte first). */
const i2cget = (register: number, mode: 'w' | 'b') =>
  execFileSync('i2cget', ['-y', String(BUS_NUMBER), '0x40', `0x${register.toString(16)}`, mode], {
    encoding: 'utf8',
  }).trim();

async function runChecks(results: Record<string, unknown>): Promise<void> {
  const bus = await LinuxI2cBus.open({ busNumber: BUS_NUMBER });
  results['path'] = bus.path;
  await bus.writeWord(STUB_ADDRESS, 0x50, 0x1234);
  results['i2cgetWordAfterWriteWord'] = i2cget(0x50, 'w');
  execFileSync('i2cset', ['-y', String(BUS_NUMBER), '0x40', '0x52', '0xa1b2', 'w']);
  results['readWordAfterI2csetWord'] = (await bus.readWord(STUB_ADDRESS, 0x52)).toString(16);
  await bus.writeBlock(STUB_ADDRESS, 0x60, Uint8Array.of(0xde, 0xad));
  results['i2cgetBytesAfterWriteBlock'] = [i2cget(0x60, 'b'), i2cget(0x61, 'b')];
  await bus.close();
  const openFailure = await LinuxI2cBus.open({ busNumber: 7 }).catch((error: unknown) => error);
  results['openMissingBus'] =
    openFailure instanceof I2cError
      ? { code: openFailure.code, bus: openFailure.context.bus, message: openFailure.message }
      : String(openFailure);
}

void reportGuestResults(async (results) => {
  results['contract'] = await runContractCases(i2cBusContractCases, openEnds);
  await runChecks(results);
});
