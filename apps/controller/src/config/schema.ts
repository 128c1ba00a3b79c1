import { z } from 'zod';
import { BATTERY_MODEL_DEFAULTS } from '@tsbms/battery-model';
import { DEFAULT_FAULT_TIMING, FAULT_ENGINE_DEFAULTS } from '@tsbms/fault-engine';
import { buildControlConfig } from '@tsbms/control';
import { HARDWARE_VOLTAGE_OFFSET_V } from '@tsbms/tesla-protocol';
import { canConfigSchema, httpConfigSchema, mqttConfigSchema } from './schema-outputs';

/*
 * The controller's config file (bms-behaviour.md §1 plus the daemon's own settings). Defaults that
 * a library owns are taken from that library, so each default lives in one place; range and
 * ordering checks are the libraries' too (see library-configs.ts). This schema checks shape and
 * types, and the ranges of the settings only the controller uses (serial, GPIO, emulator).
 */

/** Matches the emulator app's default loop, so `npm start` and `npm run emulator` agree. */
const DEMO_MODULE_COUNT = 4;

/** Control's defaults, read from its own builder (they live in its schema). */
const CONTROL_DEFAULTS = buildControlConfig({ moduleCount: DEMO_MODULE_COUNT });
const FAULT_DEFAULTS = FAULT_ENGINE_DEFAULTS;
const OVER_VOLTAGE_FAULT_TIMING = DEFAULT_FAULT_TIMING.cellOverVoltage.fault;
if (OVER_VOLTAGE_FAULT_TIMING === undefined)
  throw new Error('fault-engine defines no cellOverVoltage fault level');

const deratingTable = (defaults: readonly { readonly input: number; readonly factor: number }[]) =>
  z
    .array(z.strictObject({ input: z.number(), factor: z.number() }))
    .default(() => defaults.map((point) => ({ ...point })));

/** A GPIO line offset on `gpio.chip`; null = this output is not fitted (not an error). */
const gpioLine = z.number().int().min(0).max(0xffff_ffff).nullable().default(null);

const GPIO_OUTPUTS = [
  'contactorNegativePin',
  'contactorPrechargePin',
  'contactorPositivePin',
  'heaterPin',
  'statusLedPin',
] as const;

export const controllerConfigSchema = z.strictObject({
  serial: z
    .strictObject({
      /** null = no hardware: run on the in-process emulated pack (the demo). */
      path: z.string().min(1).nullable().default(null),
      /** T-1: 612500 (24.5 MHz / 40); 617647 also works with old and new boards. */
      baudRate: z.number().int().positive().default(612500),
      /** T-3: 4-byte read requests with CRC; false = the 3-byte fallback. */
      readWithCrc: z.boolean().default(true),
      /** T-6 */
      replyTimeoutMs: z.number().positive().default(100),
    })
    .prefault({}),
  pack: z
    .strictObject({
      moduleCount: z.number().default(DEMO_MODULE_COUNT),
      parallelStringCount: z.number().default(CONTROL_DEFAULTS.parallelStringCount),
      moduleCapacityAh: z.number().default(BATTERY_MODEL_DEFAULTS.moduleCapacityAh),
    })
    .prefault({}),
  pollIntervalS: z.number().default(CONTROL_DEFAULTS.pollIntervalS),
  commsTimeoutS: z.number().default(FAULT_DEFAULTS.commsTimeoutS),
  /** T-18: write COV/CUV/OT into every board at module setup. */
  programHardwareThresholds: z.boolean().default(true),
  contactorControl: z.boolean().default(CONTROL_DEFAULTS.contactorControl),
  currentSensorRequired: z.boolean().default(FAULT_DEFAULTS.currentSensorRequired),
  cells: z
    .strictObject({
      cellHighVoltageV: z.number().default(FAULT_DEFAULTS.cellHighVoltageV),
      cellLowVoltageV: z.number().default(FAULT_DEFAULTS.cellLowVoltageV),
      voltageAlertOffsetV: z.number().default(FAULT_DEFAULTS.voltageAlertOffsetV),
      voltageFaultOffsetV: z.number().default(FAULT_DEFAULTS.voltageFaultOffsetV),
      // Nothing downstream checks it: the chip must trip outside the software fault levels (T-18).
      voltageHardwareOffsetV: z.number().positive().default(HARDWARE_VOLTAGE_OFFSET_V),
      /** §2.2: seconds above the over-voltage fault level before the fault (seed OV delay). */
      overVoltageDelayS: z.number().default(OVER_VOLTAGE_FAULT_TIMING.setDelayS),
      deepDischargeV: z.number().default(FAULT_DEFAULTS.deepDischargeV),
    })
    .prefault({}),
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
      maxChargeCurrentA: z.number().default(FAULT_DEFAULTS.maxChargeCurrentA),
      maxDischargeCurrentA: z.number().default(FAULT_DEFAULTS.maxDischargeCurrentA),
      chargeHysteresisV: z.number().default(CONTROL_DEFAULTS.chargeHysteresisV),
      chargeHysteresisTimeS: z.number().default(CONTROL_DEFAULTS.chargeHysteresisTimeS),
      chargeMaxTemperatureC: z.number().default(CONTROL_DEFAULTS.chargeMaxTemperatureC),
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
      balanceMeasureS: z.number().default(CONTROL_DEFAULTS.balanceMeasureS),
      balanceTimeS: z.number().default(CONTROL_DEFAULTS.balanceTimeS),
    })
    .prefault({}),
  contactors: z
    .strictObject({
      contactorNegativeTimeS: z.number().default(CONTROL_DEFAULTS.contactorNegativeTimeS),
      contactorPrechargeTimeS: z.number().default(CONTROL_DEFAULTS.contactorPrechargeTimeS),
      contactorOverlapS: z.number().default(CONTROL_DEFAULTS.contactorOverlapS),
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
  gpio: z
    .strictObject({
      chip: z.string().min(1).default('/dev/gpiochip0'),
      /**
       * The relay drivers energise on a LOW pin: the kernel inverts every line, so off (and the
       * level from the moment the lines are claimed) is still de-energised = open (B-13).
       */
      activeLow: z.boolean().default(false),
      contactorNegativePin: gpioLine,
      contactorPrechargePin: gpioLine,
      contactorPositivePin: gpioLine,
      heaterPin: gpioLine,
      statusLedPin: gpioLine,
    })
    .prefault({})
    .superRefine((gpio, ctx) => {
      // Two outputs on one line would, e.g., switch a contactor with the heater.
      const owner = new Map<number, string>();
      for (const output of GPIO_OUTPUTS) {
        const line = gpio[output];
        if (line === null) continue;
        const other = owner.get(line);
        if (other !== undefined) {
          ctx.addIssue({ code: 'custom', path: [output], message: `line ${line} is already gpio.${other}` });
        }
        owner.set(line, output);
      }
    }),
  /**
   * Latched faults (B-6) and SoC (B-36) across restarts; null = `<config file>.state.json` when
   * a config file is given, none otherwise (the demo).
   */
  stateFile: z.string().min(1).nullable().default(null),
  /** What HTTP and MQTT may change (remote-change-policy.ts); this section itself only the file. */
  remoteChanges: z
    .strictObject({
      /** Let remote changes loosen safety settings beyond the behaviour document's values. */
      allowSafetySettings: z.boolean().default(false),
    })
    .prefault({}),
  can: canConfigSchema,
  mqtt: mqttConfigSchema,
  http: httpConfigSchema,
  /** The in-process emulated pack used when `serial.path` is null. */
  emulator: z
    .strictObject({
      seed: z
        .number()
        .int()
        .min(0)
        .max(2 ** 32 - 1)
        .default(1),
      /** Amplitude of the gentle charge/discharge cycle. */
      cycleCurrentA: z.number().min(0).default(20),
      cyclePeriodS: z.number().positive().default(600),
    })
    .prefault({}),
});

type DeepReadonly<T> = T extends readonly (infer E)[]
  ? readonly DeepReadonly<E>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** A validated controller configuration (every key present, deep-frozen). */
export type ControllerConfig = DeepReadonly<z.output<typeof controllerConfigSchema>>;

type Leaf = string | number | boolean | null | readonly unknown[];

/** Dotted path of every setting, e.g. `cells.cellHighVoltageV`; tables count as one setting. */
export type ConfigPath = LeafPath<ControllerConfig>;
type LeafPath<T> = {
  [K in keyof T & string]: T[K] extends Leaf ? K : `${K}.${LeafPath<T[K]>}`;
}[keyof T & string];
