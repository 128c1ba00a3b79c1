import type { SettingEffect } from '../output-service';
import type { BmsSettings } from './bms-config-schema';
import type { LeafPath } from './bms-library-configs';

/**
 * What each setting takes to apply (issue 15), one entry per leaf so that a new setting does not
 * compile until it is classified. `live`: the running core takes it (bms.reconfigure) and the
 * contactors stay as they are; `outputs`: the outputs restart, the core runs on; `restart`: the
 * core restarts (contactors open, rediscovery).
 */
export type SettingEffects<Settings> = Readonly<Record<LeafPath<Settings>, SettingEffect>>;

/** The core's settings. Only the shape of the pack and what the source runs on need a restart. */
export const BMS_SETTING_EFFECTS: SettingEffects<BmsSettings> = Object.freeze({
  // The model's module list, the strings and the source's addresses are built from these.
  'pack.moduleCount': 'restart',
  'pack.parallelStringCount': 'restart',
  'pack.moduleCapacityAh': 'live',
  // The source polls at it (the Tesla loop also derives the boards' balancing timer from it).
  pollIntervalS: 'restart',
  commsTimeoutS: 'live',
  // Whether tsBMS drives the contactors at all: switching that over deserves a fresh sequence.
  contactorControl: 'restart',
  currentSensorRequired: 'live',
  'cells.cellHighVoltageV': 'live',
  'cells.cellLowVoltageV': 'live',
  'cells.voltageAlertOffsetV': 'live',
  'cells.voltageFaultOffsetV': 'live',
  'cells.overVoltageDelayS': 'live',
  'cells.deepDischargeV': 'live',
  'temperature.highTemperatureC': 'live',
  'temperature.lowTemperatureC': 'live',
  'temperature.temperatureWarningOffsetC': 'live',
  'imbalance.maxCellDifferenceV': 'live',
  'imbalance.cellDifferenceWarningOffsetV': 'live',
  'limits.maxChargeCurrentA': 'live',
  'limits.maxDischargeCurrentA': 'live',
  'limits.chargeHysteresisV': 'live',
  'limits.chargeHysteresisTimeS': 'live',
  'limits.chargeMaxTemperatureC': 'live',
  'limits.chargeAllowed': 'live',
  'limits.dischargeAllowed': 'live',
  'limits.chargeSocTable': 'live',
  'limits.dischargeSocTable': 'live',
  'limits.dischargeLowTemperatureTable': 'live',
  'balancing.enabled': 'live',
  'balancing.balanceVoltageV': 'live',
  'balancing.balanceDifferenceV': 'live',
  'balancing.balanceMeasureS': 'live',
  'balancing.balanceTimeS': 'live',
  'contactors.contactorNegativeTimeS': 'live',
  'contactors.contactorPrechargeTimeS': 'live',
  'contactors.contactorOverlapS': 'live',
  'heating.heatingOnBelowC': 'live',
  'heating.heatingOffAtC': 'live',
  'soc.ocvTable': 'live',
});

const WIDTH: Readonly<Record<SettingEffect, number>> = { live: 0, outputs: 1, restart: 2 };

/**
 * What a change of `changedPaths` takes: the widest effect among them. A changed path is matched
 * with the table's entries at, under or above it (a nullable section set from null changes as a
 * whole); one the table does not know takes the widest effect of its top-level section, and
 * `restart` when the table knows nothing of that section: an unclassified setting never skips a
 * restart it may need.
 */
export function changeEffect(
  effects: Readonly<Record<string, SettingEffect>>,
  changedPaths: readonly string[],
): SettingEffect {
  const entries = Object.entries(effects);
  const widest = (matches: readonly SettingEffect[]): SettingEffect =>
    matches.length === 0 ? 'restart' : matches.reduce((a, b) => (WIDTH[b] > WIDTH[a] ? b : a));
  const effectOf = (changed: string): SettingEffect => {
    const related = entries.filter(
      ([path]) => path === changed || path.startsWith(`${changed}.`) || changed.startsWith(`${path}.`),
    );
    if (related.length > 0) return widest(related.map(([, effect]) => effect));
    const section = changed.split('.')[0];
    return widest(entries.filter(([path]) => path.split('.')[0] === section).map(([, effect]) => effect));
  };
  return widest(changedPaths.map(effectOf));
}
