import type { BmsStatus } from '@tsbms/bms-core';
import type { ChainSnapshot } from '@tsbms/module-emulator';
import type { PackReading } from '@tsbms/pack-reading';
import { cellVoltageFromRaw, Register } from '@tsbms/tesla-protocol';
import type { LibraryConfigs } from '../../config';

/** One count of the chip's cell ADC (14 bits over 6.25 V): the resolution a reading can match to. */
export const CELL_LSB_V = cellVoltageFromRaw(1);

/**
 * What is wrong with one decision of the core (a status snapshot, taken in the tick of its scan)
 * and the positive contactor's relay as it is driven then; empty when the scan keeps B-8, B-13,
 * B-21 and B-23: limits within [0, max]; no current at all while a fault-level fault is active,
 * and the contactors open; no charge while a cell is at or over the level where the CCL table
 * reaches 0 (the over-voltage warning level).
 */
export function decisionViolations(
  status: BmsStatus,
  positiveRelayOn: boolean,
  libraries: LibraryConfigs,
): string[] {
  const { maxChargeCurrentA, maxDischargeCurrentA } = libraries.control;
  const chargeStopV = libraries.faultEngine.thresholds.cellOverVoltageV.warning;
  const at = `at ${new Date(status.timestampMs ?? 0).toISOString()}`;
  const violations: string[] = [];
  const limits = status.limits;
  if (limits !== null) {
    if (limits.cclA < 0 || limits.cclA > maxChargeCurrentA)
      violations.push(`${at}: CCL ${limits.cclA} A outside 0..${maxChargeCurrentA} A`);
    if (limits.dclA < 0 || limits.dclA > maxDischargeCurrentA)
      violations.push(`${at}: DCL ${limits.dclA} A outside 0..${maxDischargeCurrentA} A`);
  }
  if (status.faults.length > 0) {
    const kinds = status.faults.map((f) => f.kind).join(', ');
    if (limits !== null && (limits.cclA > 0 || limits.dclA > 0))
      violations.push(
        `${at}: CCL ${limits.cclA} A / DCL ${limits.dclA} A while faults are active (${kinds})`,
      );
    if (positiveRelayOn) violations.push(`${at}: contactor closed while faults are active (${kinds})`);
  }
  const highest = status.extremes.highestCell;
  if (highest !== null && highest.voltageV >= chargeStopV && limits !== null && limits.cclA > 0)
    violations.push(
      `${at}: CCL ${limits.cclA} A while module ${highest.moduleAddress} cell ${highest.cellIndex + 1} reads ${highest.voltageV.toFixed(3)} V (charging stops at ${chargeStopV} V)`,
    );
  return violations;
}

/**
 * Compares every cell voltage a scan accepted with what that module's chip converted (its
 * VCELL registers, read from the emulator in the same tick): a value more than one ADC count
 * away was corrupted on its way and let through.
 */
export function checkCellReadings(
  reading: PackReading,
  chain: ChainSnapshot,
): { readonly compared: number; readonly wrong: readonly string[] } {
  let compared = 0;
  const wrong: string[] = [];
  for (const module of reading.modules) {
    if (!module.commsOk) continue;
    const chip = chain.modules.find((m) => m.address === module.address);
    module.cellVoltagesV.forEach((voltageV, cell) => {
      if (voltageV === null) return;
      compared += 1;
      const register = Register.VCELL1 + 2 * cell;
      const convertedV =
        chip && cellVoltageFromRaw((chip.registers[register] << 8) | chip.registers[register + 1]);
      if (convertedV === undefined || Math.abs(voltageV - convertedV) > CELL_LSB_V)
        wrong.push(
          `at ${new Date(reading.timestampMs).toISOString()}: module ${module.address} cell ${cell + 1} read ${voltageV} V, the chip converted ${convertedV ?? 'nothing (no module at that address)'} V`,
        );
    });
  }
  return { compared, wrong };
}
