import type { I2cBus } from '@tsbms/hal';
import { CurrentSensorError } from './current-sensor-error';

/** `0x4527` style, for messages about 16-bit registers. */
export const hex16 = (word: number): string => `0x${word.toString(16).padStart(4, '0')}`;

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
