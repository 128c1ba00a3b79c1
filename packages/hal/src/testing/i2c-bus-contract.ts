import { I2cError, type I2cBus } from '../i2c-bus';
import { checkBytes, checkEqual, checkErrorCode, rejectionOf, settlesWithin } from './contract-checks';
import {
  defineContractCases,
  describeContract,
  describeContractResults,
  type ContractCase,
  type ContractCaseResult,
  type MakeContractEnds,
} from './contract';

/**
 * An open bus with a memory-like device (registers that keep what is written, as Linux's i2c-stub
 * or a 24C02 EEPROM) at `address`, and no device at `absentAddress`.
 */
export interface I2cBusEnds {
  readonly bus: I2cBus;
  readonly address: number;
  readonly absentAddress: number;
}

type Case = ContractCase<I2cBusEnds>;

// Registers two apart: a word at one never overlaps the next, on a byte memory or on i2c-stub.
const REGISTERS = [0x10, 0x20, 0x30] as const;

const cases: Case[] = [
  {
    name: 'writeWord() then readWord() gives the word back, at each register independently, 0 and 0xFFFF included',
    async run({ bus, address }) {
      const words = [0x1234, 0xffff, 0x0000] as const;
      for (const [i, register] of REGISTERS.entries())
        await settlesWithin(bus.writeWord(address, register, words[i]), `writeWord(${register})`);
      for (const [i, register] of REGISTERS.entries())
        checkEqual(
          await settlesWithin(bus.readWord(address, register), `readWord(${register})`),
          words[i],
          `word at ${register}`,
        );
      await settlesWithin(bus.writeWord(address, REGISTERS[0], 0x8001), 'writeWord again');
      checkEqual(await bus.readWord(address, REGISTERS[0]), 0x8001, 'the word after overwriting it');
      checkEqual(
        await bus.readWord(address, REGISTERS[1]),
        0xffff,
        'the next register after overwriting its neighbour',
      );
    },
  },
  {
    name: 'writeBlock() then readBlock() at the same register gives the bytes back as a plain Uint8Array',
    async run({ bus, address }) {
      const bytes = Uint8Array.of(0x01, 0x80, 0xff, 0x00, 0x5a);
      await settlesWithin(bus.writeBlock(address, 0x40, bytes), 'writeBlock');
      const read = await settlesWithin(bus.readBlock(address, 0x40, bytes.length), 'readBlock');
      checkEqual(Object.getPrototypeOf(read), Uint8Array.prototype, 'the read bytes are a plain Uint8Array');
      checkBytes(read, bytes, 'bytes read back');
      checkBytes(
        await bus.readBlock(address, 0x42, 2),
        bytes.subarray(2, 4),
        'a read from the middle of the block',
      );
    },
  },
  {
    name: 'a transfer to an address no device answers rejects with I2C_NO_DEVICE naming the bus and the address',
    async run({ bus, absentAddress }) {
      const attempts: [string, Promise<unknown>][] = [
        ['readWord', bus.readWord(absentAddress, 0x01)],
        ['writeWord', bus.writeWord(absentAddress, 0x01, 0x1234)],
        ['readBlock', bus.readBlock(absentAddress, 0x01, 2)],
        ['writeBlock', bus.writeBlock(absentAddress, 0x01, Uint8Array.of(1))],
      ];
      for (const [what, attempt] of attempts) {
        const error = await rejectionOf(attempt, what);
        checkErrorCode(error, I2cError, 'I2C_NO_DEVICE', what);
        checkEqual((error as I2cError).context.address, absentAddress, `${what}: context.address`);
        checkEqual((error as I2cError).context.bus, bus.path, `${what}: context.bus`);
      }
    },
  },
  {
    name: 'refuses what I2C cannot carry with I2C_INVALID_TRANSFER, and the device keeps its registers',
    async run({ bus, address }) {
      await bus.writeWord(address, REGISTERS[0], 0x4242);
      const attempts: [string, () => Promise<unknown>][] = [
        ['address 0x78', () => bus.readWord(0x78, 0)],
        ['address 0x02', () => bus.readWord(0x02, 0)],
        ['address 1.5', () => bus.readWord(1.5, 0)],
        ['register 0x100', () => bus.readWord(address, 0x100)],
        ['register -1', () => bus.writeWord(address, -1, 0)],
        ['word 0x10000', () => bus.writeWord(address, REGISTERS[0], 0x10000)],
        ['word NaN', () => bus.writeWord(address, REGISTERS[0], Number.NaN)],
        ['length 0', () => bus.readBlock(address, REGISTERS[0], 0)],
        ['length 33', () => bus.readBlock(address, REGISTERS[0], 33)],
        ['33 bytes', () => bus.writeBlock(address, REGISTERS[0], new Uint8Array(33))],
        ['no bytes', () => bus.writeBlock(address, REGISTERS[0], new Uint8Array(0))],
        ['a plain array', () => bus.writeBlock(address, REGISTERS[0], [1, 2] as unknown as Uint8Array)],
      ];
      for (const [what, attempt] of attempts) {
        const error = await rejectionOf(attempt(), what);
        checkErrorCode(error, I2cError, 'I2C_INVALID_TRANSFER', what);
      }
      checkEqual(await bus.readWord(address, REGISTERS[0]), 0x4242, 'the word after the refused transfers');
    },
  },
  {
    name: 'after close() every transfer rejects with I2C_CLOSED; close() is idempotent',
    async run({ bus, address }) {
      await settlesWithin(Promise.all([bus.close(), bus.close()]), 'two concurrent close()');
      await settlesWithin(bus.close(), 'a third close()');
      const attempts: [string, Promise<unknown>][] = [
        ['readWord', bus.readWord(address, REGISTERS[0])],
        ['writeWord', bus.writeWord(address, REGISTERS[0], 1)],
        ['readBlock', bus.readBlock(address, REGISTERS[0], 1)],
        ['writeBlock', bus.writeBlock(address, REGISTERS[0], Uint8Array.of(1))],
      ];
      for (const [what, attempt] of attempts)
        checkErrorCode(await rejectionOf(attempt, what), I2cError, 'I2C_CLOSED', what);
    },
  },
];

/**
 * What every {@link I2cBus} does, as Linux's i2c-dev with i2c-stub does it. Plain `read`/`write`
 * (no register) are not in the contract: i2c-stub cannot answer a plain multi-byte read.
 */
export const i2cBusContractCases: readonly Case[] = defineContractCases(cases);

/** Defines a Jest `describe` running {@link i2cBusContractCases} on fresh ends per case. */
export function i2cBusContract(name: string, makeEnds: MakeContractEnds<I2cBusEnds>): void {
  describeContract(`I2cBus contract: ${name}`, i2cBusContractCases, makeEnds);
}

/** For a bus inside user-mode Linux: one Jest test per case, passing when `results()` says it passed. */
export function i2cBusContractResults(
  name: string,
  results: () => readonly ContractCaseResult[] | undefined,
): void {
  describeContractResults(`I2cBus contract: ${name}`, i2cBusContractCases, results);
}
