import type { I2cBus } from '@tsbms/hal';
import { CurrentSensorError } from './current-sensor-error';

/** `0x4527` style, for messages about 16-bit registers. */
export const hex16 = (word: number): string => `0x${word.toString(16).padStart(4, '0')}`;

/** An identification register and the value it must hold in the bits of `mask`. */
export interface ExpectedId {
  /** For messages: `manufacturer ID`. */
  readonly name: string;
  readonly register: number;
  readonly expected: number;
  /** Bits compared (default all); the others, a revision say, may hold anything. */
  readonly mask?: number;
}

/** `0x228x` for 0x2280 under mask 0xfff0: the digits that are not compared shown as x. */
const hexPattern = ({ expected, mask = 0xffff }: ExpectedId): string => {
  const digits = [12, 8, 4, 0].map((shift) =>
    (mask >> shift) & 0xf ? ((expected >> shift) & 0xf).toString(16) : 'x',
  );
  return `0x${digits.join('')}`;
};

/**
 * Reads a chip's 16-bit identification registers: WRONG_DEVICE naming every value read and
 * expected when one differs (another chip at the address, or none that drives the bus).
 */
export async function checkIdRegisters(
  bus: I2cBus,
  at: { readonly sensor: string; readonly address: number; readonly chip: string },
  ids: readonly ExpectedId[],
): Promise<void> {
  const found: number[] = [];
  for (const id of ids) found.push(await bus.readWord(at.address, id.register));
  if (ids.every((id, i) => (found[i] & (id.mask ?? 0xffff)) === id.expected)) return;
  const read = ids.map((id, i) => `${id.name} ${hex16(found[i])}`).join(', ');
  throw new CurrentSensorError(
    'WRONG_DEVICE',
    `${at.sensor}: not an ${at.chip} (${read}; expected ${ids.map(hexPattern).join(' and ')}): ` +
      'check the address and the chip',
    { sensor: at.sensor, register: ids[ids.length - 1].register },
  );
}

/**
 * Writes a chip's configuration register and reads it back: CONFIG_NOT_APPLIED when the bits in
 * `compareMask` differ (bits that read as state rather than as written are left out of it).
 */
export async function writeVerifiedRegister(
  bus: I2cBus,
  at: { readonly sensor: string; readonly address: number; readonly register: number },
  value: number,
  compareMask = 0xffff,
): Promise<void> {
  await bus.writeWord(at.address, at.register, value);
  const readBack = await bus.readWord(at.address, at.register);
  if ((readBack & compareMask) !== (value & compareMask))
    throw new CurrentSensorError(
      'CONFIG_NOT_APPLIED',
      `${at.sensor}: wrote configuration ${hex16(value)}, read back ${hex16(readBack)}`,
      { sensor: at.sensor, register: at.register },
    );
}
