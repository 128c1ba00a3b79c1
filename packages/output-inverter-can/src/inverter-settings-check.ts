import { CELLS_PER_MODULE } from '@tsbms/pack-reading';
import { ConfigChangeError } from '@tsbms/bms-core';
import { SMA_ACCEPTED_RANGES } from '@tsbms/inverter-can';
import type { CanOutputSettings } from './can-output';

/*
 * What the output checks of its settings before it starts (the controller: at start and before a
 * run-time change is saved), beyond the section's own schema: that the pack can be described in
 * the chosen profile at all.
 */

/**
 * The Sunny Island takes CVL 41–63 V and DVL 41–48 V only (S-3): it is a 48 V inverter. A pack
 * whose charge voltage (Ns × high setpoint) is above 63 V would get CVL 63 V, below its own
 * voltage, and the Sunny Island discharges towards a CVL below the pack ignoring the DCL (§5.1,
 * S-10). Refused with the profile's path instead of clamped at run time.
 */
function smaPackIssues({ inverter, packFacts }: CanOutputSettings): string[] {
  if (inverter.profile !== 'sma-sunny-island' || inverter.interface === null) return [];
  const seriesCells = (packFacts.moduleCount / packFacts.parallelStringCount) * CELLS_PER_MODULE;
  const chargeV = seriesCells * packFacts.cellHighVoltageV;
  const dischargeV = seriesCells * packFacts.cellLowVoltageV;
  const cvl = SMA_ACCEPTED_RANGES.chargeVoltageLimitV;
  const dvl = SMA_ACCEPTED_RANGES.dischargeVoltageLimitV;
  const pack = `a ${seriesCells}S pack`;
  const issues: string[] = [];
  if (chargeV > cvl.max || chargeV < cvl.min)
    issues.push(
      `${pack} charges to ${chargeV.toFixed(1)} V (cells.cellHighVoltageV × ${seriesCells}); the Sunny Island accepts a charge voltage of ${cvl.min}–${cvl.max} V only: a 48 V pack (2 modules in series) is what it takes`,
    );
  if (dischargeV > dvl.max || dischargeV < dvl.min)
    issues.push(
      `${pack} stops discharging at ${dischargeV.toFixed(1)} V (cells.cellLowVoltageV × ${seriesCells}); the Sunny Island accepts ${dvl.min}–${dvl.max} V only`,
    );
  return issues;
}

/** Throws a ConfigChangeError at `inverter.profile` when the pack does not fit the profile. */
export function checkInverterSettings(settings: CanOutputSettings): void {
  const reasons = smaPackIssues(settings);
  if (reasons.length > 0)
    throw new ConfigChangeError(
      'INVALID_CONFIG',
      reasons.map((reason) => ({ configPath: 'inverter.profile', reason })),
    );
}
