import type { ModuleHardwareFlag } from './reading';

/**
 * What a chip flag means to a BMS:
 * - `fault`: a protection trip or a broken board (the fault engine's moduleHardwareFault fault
 *   level: contactors open);
 * - `warning`: a transmission or memory error the board survived (the warning level);
 * - `setup`: the board was reset or lost its address, so it must be set up again (T-17, T-26);
 * - `info`: a state, not a problem (FORCE is a test bit, SLEEP a power mode).
 */
export type ChipFlagMeaning = 'fault' | 'warning' | 'setup' | 'info';

/** The one table of chip flag meanings (bms-behaviour.md §2.3 moduleHardwareFault, T-26). */
export const CHIP_FLAG_MEANINGS: Readonly<Record<ModuleHardwareFlag, ChipFlagMeaning>> = Object.freeze({
  COV: 'fault',
  CUV: 'fault',
  OT1: 'fault',
  OT2: 'fault',
  TSD: 'fault',
  I_FAULT: 'fault',
  UVLO: 'fault',
  PARITY: 'warning',
  ECC_ERR: 'warning',
  CRC: 'warning',
  POR: 'setup',
  AR: 'setup',
  FORCE: 'info',
  SLEEP: 'info',
});

/** The flags among `flags` with this meaning, in their order. */
export function flagsMeaning(
  meaning: ChipFlagMeaning,
  flags: readonly ModuleHardwareFlag[],
): ModuleHardwareFlag[] {
  return flags.filter((flag) => CHIP_FLAG_MEANINGS[flag] === meaning);
}
