/**
 * Physical constants of an emulated Model S module (6 series groups of 74 Panasonic NCA 18650
 * cells). Every value can be overridden per chain; README.md lists where each comes from.
 */
export interface PhysicsConstants {
  /** Nameplate capacity of one parallel group (the module's Ah). Tesla: 232 Ah (6s74p). */
  readonly nominalCapacityAh: number;
  /** Standard deviation of the seeded capacity spread, as a fraction of nominal. */
  readonly capacitySpreadFraction: number;
  /** DC resistance of one parallel group, ohms: about 60 mΩ per cell / 74 cells. */
  readonly groupResistanceOhm: number;
  /** Mean self-discharge, percent of capacity per 30 days. */
  readonly selfDischargePercentPerMonth: number;
  /** Standard deviation of the seeded self-discharge spread, percent per 30 days. */
  readonly selfDischargeSpreadPercentPerMonth: number;
  /** Bleed resistor switched across a balancing group, ohms (an assumption, see README). */
  readonly bleedResistorOhm: number;
  /** Heat capacity of the whole module, J/K: about 25 kg × 900 J/(kg·K). */
  readonly heatCapacityJPerK: number;
  /** Thermal resistance module → ambient air, K/W (natural convection, about 2.5 W/K). */
  readonly thermalResistanceKPerW: number;
}

export const DEFAULT_PHYSICS: PhysicsConstants = Object.freeze({
  nominalCapacityAh: 232,
  capacitySpreadFraction: 0.01,
  groupResistanceOhm: 0.0008,
  selfDischargePercentPerMonth: 2,
  selfDischargeSpreadPercentPerMonth: 1,
  bleedResistorOhm: 39,
  heatCapacityJPerK: 22_500,
  thermalResistanceKPerW: 0.4,
});

/** Cells per module on a Tesla board. */
export const CELLS_PER_MODULE = 6;
/** Thermistors per module (TS1, TS2). */
export const THERMISTORS_PER_MODULE = 2;

/** Self-discharge never falls below this, percent per 30 days: a spread cannot make a cell charge itself. */
export const MIN_SELF_DISCHARGE_PERCENT_PER_MONTH = 0.2;
