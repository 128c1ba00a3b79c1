import { z } from 'zod';
import { BATTERY_MODEL_DEFAULTS } from '@tsbms/battery-model';
import { buildControlConfig } from '@tsbms/control';
import { DEFAULT_FAULT_TIMING, FAULT_ENGINE_DEFAULTS } from '@tsbms/fault-engine';
import { atMost } from './upper-bound';

/*
 * The core's settings (bms-behaviour.md §1): the pack, protection, limits, balancing, contactors,
 * heating and SoC, as sections an application puts at the top of its configuration. Defaults
 * are the libraries' own (each lives in one place); range and ordering checks are the libraries'
 * builders' too (bmsLibraryConfigs). The schema checks shape and types, and puts an upper bound
 * with its reason on every duration, rate, current and count.
 */

/**
 * The most current a pack's limits may name. A Model S module carries about 1500 A peak in the
 * car; the over-current faults trip at 1.5 × the limit, and Victron's CCL/DCL field ends at
 * 3276.7 A (victron-can-bms.md 0x351), so a larger figure could only switch protection off.
 */
export const MAX_PACK_CURRENT_A = 3000;

const packCurrentA = (reason: string) => atMost(z.number().positive(), MAX_PACK_CURRENT_A, 'A', reason);

/** The module count of a default configuration (the demo's emulated loop). */
export const DEFAULT_MODULE_COUNT = 4;

const CONTROL_DEFAULTS = buildControlConfig({ moduleCount: DEFAULT_MODULE_COUNT });
const FAULT_DEFAULTS = FAULT_ENGINE_DEFAULTS;
const OVER_VOLTAGE_FAULT_TIMING = DEFAULT_FAULT_TIMING.cellOverVoltage.fault;
if (OVER_VOLTAGE_FAULT_TIMING === undefined)
  throw new Error('fault-engine defines no cellOverVoltage fault level');

const deratingTable = (defaults: readonly { readonly input: number; readonly factor: number }[]) =>
  z
    .array(z.strictObject({ input: z.number(), factor: z.number() }))
    .default(() => defaults.map((point) => ({ ...point })));

/** What the pack source allows: how many modules it can address, and why no more. */
export interface PackSourceBounds {
  readonly maxModuleCount: number;
  /** Said when a larger count is refused, e.g. 'one per address the loop has (T-15)'. */
  readonly maxModuleCountReason: string;
}

/** The `cells` settings, as a shape an application may extend with its source's own (T-18 offsets). */
export const BMS_CELL_SETTINGS = {
  cellHighVoltageV: z.number().default(FAULT_DEFAULTS.cellHighVoltageV),
  cellLowVoltageV: z.number().default(FAULT_DEFAULTS.cellLowVoltageV),
  voltageAlertOffsetV: z.number().default(FAULT_DEFAULTS.voltageAlertOffsetV),
  voltageFaultOffsetV: z.number().default(FAULT_DEFAULTS.voltageFaultOffsetV),
  /** §2.2: seconds above the over-voltage fault level before the fault (seed OV delay). */
  // 10 s by default; 1e12 s would switch the fault off, leaving only the chip's own trip.
  overVoltageDelayS: atMost(
    z.number().min(0),
    60,
    's',
    'beyond that a cell sits above the fault level unprotected for a minute',
  ).default(OVER_VOLTAGE_FAULT_TIMING.setDelayS),
  deepDischargeV: z.number().default(FAULT_DEFAULTS.deepDischargeV),
};

/** The core's sections, to spread into an application's `z.strictObject({...})`. */
export function bmsConfigShape(bounds: PackSourceBounds) {
  return {
    pack: z
      .strictObject({
        moduleCount: atMost(
          z.number().int().min(1),
          bounds.maxModuleCount,
          'modules',
          bounds.maxModuleCountReason,
        ).default(DEFAULT_MODULE_COUNT),
        // Whether the strings divide the modules evenly is control's check.
        parallelStringCount: atMost(
          z.number().int().min(1),
          bounds.maxModuleCount,
          'strings',
          `each string holds at least one of the at most ${bounds.maxModuleCount} modules`,
        ).default(CONTROL_DEFAULTS.parallelStringCount),
        moduleCapacityAh: z.number().default(BATTERY_MODEL_DEFAULTS.moduleCapacityAh),
      })
      .prefault({}),
    // The fault engine evaluates once per scan (B-1), so a slow poll stretches every §2.2 delay.
    pollIntervalS: atMost(
      z.number().positive(),
      10,
      's',
      'protection sees the cells once per scan, and the fault delays of §2.2 (up to 10 s) need a scan within them',
    ).default(CONTROL_DEFAULTS.pollIntervalS),
    // B-13, B-42: with the source silent nothing watches the cells until this opens the contactors.
    commsTimeoutS: atMost(
      z.number().positive(),
      60,
      's',
      'while the loop is silent nothing watches the cells, and only this opens the contactors (B-42)',
    ).default(FAULT_DEFAULTS.commsTimeoutS),
    contactorControl: z.boolean().default(CONTROL_DEFAULTS.contactorControl),
    currentSensorRequired: z.boolean().default(FAULT_DEFAULTS.currentSensorRequired),
    cells: z.strictObject(BMS_CELL_SETTINGS).prefault({}),
    temperature: z
      .strictObject({
        highTemperatureC: z.number().default(FAULT_DEFAULTS.highTemperatureC),
        lowTemperatureC: z.number().default(FAULT_DEFAULTS.lowTemperatureC),
        temperatureWarningOffsetC: z.number().default(FAULT_DEFAULTS.temperatureWarningOffsetC),
      })
      .prefault({}),
    imbalance: z
      .strictObject({
        maxCellDifferenceV: z.number().default(FAULT_DEFAULTS.maxCellDifferenceV),
        cellDifferenceWarningOffsetV: z.number().default(FAULT_DEFAULTS.cellDifferenceWarningOffsetV),
      })
      .prefault({}),
    limits: z
      .strictObject({
        maxChargeCurrentA: packCurrentA(
          'the charge over-current faults trip at this (× 1.5), and Victron’s CCL field ends at 3276.7 A',
        ).default(FAULT_DEFAULTS.maxChargeCurrentA),
        maxDischargeCurrentA: packCurrentA(
          'the discharge over-current faults trip at this (× 1.5), and Victron’s DCL field ends at 3276.7 A',
        ).default(FAULT_DEFAULTS.maxDischargeCurrentA),
        chargeHysteresisV: z.number().default(CONTROL_DEFAULTS.chargeHysteresisV),
        // B-21: 30 s by default, as dbus-serialbattery holds before ramping.
        chargeHysteresisTimeS: atMost(
          z.number().min(0),
          3600,
          's',
          'the hold at 0 A after a recovery only delays charging; an hour covers any settling (B-21)',
        ).default(CONTROL_DEFAULTS.chargeHysteresisTimeS),
        chargeMaxTemperatureC: z.number().default(CONTROL_DEFAULTS.chargeMaxTemperatureC),
        /** The owner's switches (e.g. keep the battery full for a storm): false holds CCL / DCL at 0. */
        chargeAllowed: z.boolean().default(CONTROL_DEFAULTS.chargeAllowed),
        dischargeAllowed: z.boolean().default(CONTROL_DEFAULTS.dischargeAllowed),
        /** §4.3 optional tables (input → factor of the maximum); flat 1.0 by default. */
        chargeSocTable: deratingTable(CONTROL_DEFAULTS.chargeSocTable),
        dischargeSocTable: deratingTable(CONTROL_DEFAULTS.dischargeSocTable),
        dischargeLowTemperatureTable: deratingTable(CONTROL_DEFAULTS.dischargeLowTemperatureTable),
      })
      .prefault({}),
    balancing: z
      .strictObject({
        enabled: z.boolean().default(CONTROL_DEFAULTS.balancingEnabled),
        balanceVoltageV: z.number().default(CONTROL_DEFAULTS.balanceVoltageV),
        balanceDifferenceV: z.number().default(CONTROL_DEFAULTS.balanceDifferenceV),
        // B-25: MEASURE waits for one scan without bleeding; the cells are re-chosen after BALANCE.
        balanceMeasureS: atMost(
          z.number().positive(),
          60,
          's',
          'one scan without bleeding takes seconds; longer only idles balancing (B-25)',
        ).default(CONTROL_DEFAULTS.balanceMeasureS),
        balanceTimeS: atMost(
          z.number().positive(),
          600,
          's',
          'the cells are chosen again only after each bleed, so longer bleeds on a stale choice (B-25)',
        ).default(CONTROL_DEFAULTS.balanceTimeS),
      })
      .prefault({}),
    contactors: z
      .strictObject({
        // §3: contactors close in tens of milliseconds; a precharge resistor is rated for seconds.
        contactorNegativeTimeS: atMost(
          z.number().positive(),
          10,
          's',
          'a contactor closes in well under a second; this step only lets it settle',
        ).default(CONTROL_DEFAULTS.contactorNegativeTimeS),
        contactorPrechargeTimeS: atMost(
          z.number().positive(),
          30,
          's',
          'a precharge resistor takes current for seconds, not minutes, and any inverter charges in a few',
        ).default(CONTROL_DEFAULTS.contactorPrechargeTimeS),
        contactorOverlapS: atMost(
          z.number().positive(),
          10,
          's',
          'the positive contactor closes in well under a second while the precharge resistor still carries current',
        ).default(CONTROL_DEFAULTS.contactorOverlapS),
      })
      .prefault({}),
    heating: z
      .strictObject({
        heatingOnBelowC: z.number().default(CONTROL_DEFAULTS.heatingOnBelowC),
        heatingOffAtC: z.number().default(CONTROL_DEFAULTS.heatingOffAtC),
      })
      .prefault({}),
    soc: z
      .strictObject({
        /** §6: open-circuit cell volts → SoC % of nameplate. */
        ocvTable: z
          .array(z.strictObject({ voltageV: z.number(), socPercent: z.number() }))
          .default(() => BATTERY_MODEL_DEFAULTS.ocvTable.map((point) => ({ ...point }))),
      })
      .prefault({}),
  };
}

/** A validated configuration is frozen all the way down. */
export type DeepReadonly<T> = T extends readonly (infer E)[]
  ? readonly DeepReadonly<E>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** The core's settings as validated (every key present); an application's config extends it. */
export type BmsSettings = DeepReadonly<z.output<z.ZodObject<ReturnType<typeof bmsConfigShape>>>>;
