import { CHIP_FLAG_MEANINGS, type ModuleHardwareFlag } from '@tsbms/pack-reading';
import { AlertStatus, CELL_MASK, DeviceStatus, FaultStatus } from './registers';

/** ALERT_STATUS, FAULT_STATUS, COV_FAULT and CUV_FAULT of one module (0x20..0x23). */
export interface ModuleStatusRegisters {
  readonly alertStatus: number;
  readonly faultStatus: number;
  readonly covFault: number;
  readonly cuvFault: number;
}

/** Flags in the order of the contract's type, so equal states compare equal. */
const FLAG_ORDER: readonly ModuleHardwareFlag[] = [
  'COV',
  'CUV',
  'OT1',
  'OT2',
  'TSD',
  'I_FAULT',
  'UVLO',
  'PARITY',
  'ECC_ERR',
  'CRC',
  'POR',
  'AR',
  'FORCE',
  'SLEEP',
];

const ALERT_FLAGS: ReadonlyArray<readonly [number, ModuleHardwareFlag]> = [
  [AlertStatus.AR, 'AR'],
  [AlertStatus.PARITY, 'PARITY'],
  [AlertStatus.ECC_ERR, 'ECC_ERR'],
  [AlertStatus.FORCE, 'FORCE'],
  [AlertStatus.TSD, 'TSD'],
  [AlertStatus.SLEEP, 'SLEEP'],
  [AlertStatus.OT2, 'OT2'],
  [AlertStatus.OT1, 'OT1'],
];

const FAULT_FLAGS: ReadonlyArray<readonly [number, ModuleHardwareFlag]> = [
  [FaultStatus.I_FAULT, 'I_FAULT'],
  [FaultStatus.FORCE, 'FORCE'],
  [FaultStatus.POR, 'POR'],
  [FaultStatus.CRC, 'CRC'],
  [FaultStatus.CUV, 'CUV'],
  [FaultStatus.COV, 'COV'],
];

/**
 * T-26: the latched ALERT/FAULT_STATUS bits a host clears (T-25) so that one that stays set is a
 * live condition: those that mean a problem (fault or warning). POR and AR call for module setup
 * instead (T-17); FORCE is never written and SLEEP needs the wake-up sequence.
 */
export const CLEARABLE_STATUS_FLAGS: ReadonlySet<ModuleHardwareFlag> = new Set(
  [...ALERT_FLAGS, ...FAULT_FLAGS]
    .map(([, flag]) => flag)
    .filter((flag) => CHIP_FLAG_MEANINGS[flag] === 'fault' || CHIP_FLAG_MEANINGS[flag] === 'warning'),
);

/** Hardware flags from DEVICE_STATUS and, when read, the status registers. */
export function decodeHardwareFlags(
  deviceStatus: number,
  status?: ModuleStatusRegisters,
): ModuleHardwareFlag[] {
  const flags = new Set<ModuleHardwareFlag>();
  if (deviceStatus & DeviceStatus.UVLO) flags.add('UVLO');
  if (status) {
    for (const [bit, flag] of ALERT_FLAGS) if (status.alertStatus & bit) flags.add(flag);
    for (const [bit, flag] of FAULT_FLAGS) if (status.faultStatus & bit) flags.add(flag);
  }
  return FLAG_ORDER.filter((flag) => flags.has(flag));
}

/** Cell indices 0..5 whose bits are set in COV_FAULT / CUV_FAULT (or CB_CTRL). */
export function cellsInMask(mask: number): number[] {
  const cells: number[] = [];
  for (let cell = 0; cell < 6; cell++) if (mask & CELL_MASK & (1 << cell)) cells.push(cell);
  return cells;
}

export function decodeStatusRegisters(bytes: readonly number[]): ModuleStatusRegisters {
  return Object.freeze({
    alertStatus: bytes[0],
    faultStatus: bytes[1],
    covFault: bytes[2],
    cuvFault: bytes[3],
  });
}
