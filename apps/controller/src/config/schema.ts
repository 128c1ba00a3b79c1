import { z } from 'zod';
import { BATTERY_MODEL_DEFAULTS } from '@tsbms/battery-model';
import { DEFAULT_FAULT_TIMING, FAULT_ENGINE_DEFAULTS } from '@tsbms/fault-engine';
import { buildControlConfig } from '@tsbms/control';
import { HARDWARE_VOLTAGE_OFFSET_V, MAX_MODULE_ADDRESS } from '@tsbms/tesla-protocol';
import { canConfigSchema } from '@tsbms/output-victron';
import { httpConfigSchema } from './schema-http';
import { mqttConfigSchema } from './schema-mqtt';
import { atMost } from '@tsbms/bms-core';

/*
 * The controller's config file (bms-behaviour.md §1 plus the daemon's own settings). Defaults that
 * a library owns are taken from that library, so each default lives in one place; range and
 * ordering checks are the libraries' too (see library-configs.ts). This schema checks shape and
 * types, the ranges of the settings only the controller uses (serial, GPIO, emulator), and an
 * upper bound with its reason on every duration, rate, current and count (atMost, @tsbms/bms-core).
 */

/** Matches the emulator app's default loop, so `npm start` and `npm run emulator` agree. */
const DEMO_MODULE_COUNT = 4;

/** Line rates the controller accepts, in the file and with `--baud`. */
export const BAUD_RATE_RANGE = { min: 300, max: 3_000_000 } as const;

/** Modules the controller accepts, in the file and with `--modules`: one per loop address (T-15). */
export const MODULE_COUNT_RANGE = { min: 1, max: MAX_MODULE_ADDRESS } as const;

/**
 * The most current a pack's limits may name. A Model S module carries about 1500 A peak in the
 * car; the over-current faults trip at 1.5 × the limit, and Victron's CCL/DCL field ends at
 * 3276.7 A (victron-can-bms.md 0x351), so a larger figure could only switch protection off.
 */
const MAX_PACK_CURRENT_A = 3000;

const packCurrentA = (reason: string) => atMost(z.number().positive(), MAX_PACK_CURRENT_A, 'A', reason);

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
      // Newer boards run near 631000; an FT232R stops at 3 Mbaud, a CP2102 at 1 Mbaud.
      baudRate: atMost(
        z.number().int().min(BAUD_RATE_RANGE.min),
        BAUD_RATE_RANGE.max,
        'baud',
        'the top rate of common USB-serial adapters (FT232R); the boards speak about 612500 (T-1)',
      ).default(612500),
      /** T-3: 4-byte read requests with CRC; false = the 3-byte fallback. */
      readWithCrc: z.boolean().default(true),
      /** T-6. A reply takes milliseconds; a silent module costs 3 timeouts per scan (2 retries). */
      replyTimeoutMs: atMost(
        // Shorter, every reply is late: discovery never ends and nothing is ever scanned.
        z
          .number()
          .min(5, 'at least 5 ms: a reply spends 0.4 ms on the wire, then at least 1 ms in a USB adapter'),
        1000,
        'ms',
        'a reply takes milliseconds even through 62 boards, and each silent module costs 3 of these every scan',
      ).default(100),
    })
    .prefault({}),
  pack: z
    .strictObject({
      // T-15: discovery stops at address 62.
      moduleCount: atMost(
        z.number().int().min(MODULE_COUNT_RANGE.min),
        MODULE_COUNT_RANGE.max,
        'modules',
        'one per address the loop has (0x01..0x3E, T-15)',
      ).default(DEMO_MODULE_COUNT),
      // Whether the strings divide the modules evenly is control's check.
      parallelStringCount: atMost(
        z.number().int().min(1),
        MODULE_COUNT_RANGE.max,
        'strings',
        'each string holds at least one of the at most 62 modules',
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
  // B-13, B-42: with the loop silent (the boards' own thresholds act only through a scan, T-2),
  // nothing watches the cells until this opens the contactors.
  commsTimeoutS: atMost(
    z.number().positive(),
    60,
    's',
    'while the loop is silent nothing watches the cells, and only this opens the contactors (B-42)',
  ).default(FAULT_DEFAULTS.commsTimeoutS),
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
      // 10 s by default; 1e12 s would switch the fault off, leaving only the chip's COV (T-18).
      overVoltageDelayS: atMost(
        z.number().min(0),
        60,
        's',
        'beyond that a cell sits above the fault level unprotected for a minute',
      ).default(OVER_VOLTAGE_FAULT_TIMING.setDelayS),
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
  /**
   * Every scan, as the source delivered it, appended to this file as JSON lines (`--record`), for
   * `--replay` to reproduce; null = no recording. About 1.5 KiB per module per scan.
   */
  recordFile: z.string().min(1).nullable().default(null),
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
      /** Amplitude of the gentle charge/discharge cycle; bounded like a pack's current limits. */
      cycleCurrentA: atMost(
        z.number().min(0),
        MAX_PACK_CURRENT_A,
        'A',
        'no more than the current limits of any pack allow',
      ).default(20),
      cyclePeriodS: atMost(
        z.number().positive(),
        86_400,
        's',
        'a day; a slower cycle shows no cycle in a demo',
      ).default(600),
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
