import { historyConfigSchema } from '@tsbms/history';
import { z } from 'zod';
import { HARDWARE_VOLTAGE_OFFSET_V, MAX_MODULE_ADDRESS } from '@tsbms/tesla-protocol';
import { inverterConfigSchema } from '@tsbms/output-inverter-can';
import { notificationsConfigSchema } from '@tsbms/output-notifications';
import { influxDbConfigSchema } from '@tsbms/output-influxdb';
import { httpConfigSchema } from '@tsbms/output-http';
import { mqttConfigSchema } from '@tsbms/output-mqtt';
import type { GpioBias } from '@tsbms/hal-linux';
import { currentSensorConfigSchema } from './current-sensor-schema';
import {
  atMost,
  BMS_CELL_SETTINGS,
  bmsConfigShape,
  MAX_PACK_CURRENT_A,
  type DeepReadonly,
  type LeafPath,
} from '@tsbms/bms-core';

/*
 * The controller's config file: the core's sections (bmsConfigShape of @tsbms/bms-core, whose
 * defaults and checks are the libraries'), each output's own section, and the daemon's own
 * settings (serial loop, GPIO, emulator, files), whose ranges and upper bounds are checked here.
 */

/** Line rates the controller accepts, in the file and with `--baud`. */
export const BAUD_RATE_RANGE = { min: 300, max: 3_000_000 } as const;

/** Modules the controller accepts, in the file and with `--modules`: one per loop address (T-15). */
export const MODULE_COUNT_RANGE = { min: 1, max: MAX_MODULE_ADDRESS } as const;

/** A GPIO line offset on `gpio.chip`; null = this output or input is not fitted (not an error). */
const gpioLine = z.number().int().min(0).max(0xffff_ffff).nullable().default(null);

const GPIO_OUTPUTS = [
  'contactorNegativePin',
  'contactorPrechargePin',
  'contactorPositivePin',
  'heaterPin',
  'statusLedPin',
] as const;

/** Each feedback input and the output of its contactor, whose command it is checked against (B-14). */
const GPIO_FEEDBACK_OF = {
  contactorNegativeFeedbackPin: 'contactorNegativePin',
  contactorPrechargeFeedbackPin: 'contactorPrechargePin',
  contactorPositiveFeedbackPin: 'contactorPositivePin',
} as const;

/** hal-linux's biases, listed here so that the config does not load the adapters; checked against them. */
const GPIO_BIASES = ['pull-up', 'pull-down', 'disabled', 'as-is'] as const satisfies readonly GpioBias[];

/** Every line setting: each must have a line of its own. */
const GPIO_LINES = [...GPIO_OUTPUTS, ...(Object.keys(GPIO_FEEDBACK_OF) as (keyof typeof GPIO_FEEDBACK_OF)[])];

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
  ...bmsConfigShape({
    maxModuleCount: MODULE_COUNT_RANGE.max,
    maxModuleCountReason: 'one per address the loop has (0x01..0x3E, T-15)',
  }),
  /** T-18: write COV/CUV/OT into every board at module setup. */
  programHardwareThresholds: z.boolean().default(true),
  cells: z
    .strictObject({
      ...BMS_CELL_SETTINGS,
      // Nothing downstream checks it: the chip must trip outside the software fault levels (T-18).
      voltageHardwareOffsetV: z.number().positive().default(HARDWARE_VOLTAGE_OFFSET_V),
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
      /**
       * Inputs (B-14): the contactor's auxiliary contact, checked against its command every poll
       * (contactorMismatch, contactorWelded); null = that contactor has no feedback.
       */
      contactorNegativeFeedbackPin: gpioLine,
      contactorPrechargeFeedbackPin: gpioLine,
      contactorPositiveFeedbackPin: gpioLine,
      /**
       * The usual wiring: the auxiliary contact pulls the line to ground when the contactor is
       * closed, against a pull-up. True = a LOW line reads closed; false for a contact to 3.3 V.
       */
      feedbackActiveLow: z.boolean().default(true),
      /**
       * The feedback lines' pull resistor. Pull-up suits a contact to ground (a Raspberry Pi pulls
       * most lines down at boot, which would read closed); 'as-is' keeps what the board set.
       */
      feedbackBias: z.enum(GPIO_BIASES).default('pull-up'),
    })
    .prefault({})
    .superRefine((gpio, ctx) => {
      // Two settings on one line would, e.g., switch a contactor with the heater, or read a relay
      // coil as its own feedback.
      const owner = new Map<number, string>();
      for (const setting of GPIO_LINES) {
        const line = gpio[setting];
        if (line === null) continue;
        const other = owner.get(line);
        if (other !== undefined) {
          ctx.addIssue({ code: 'custom', path: [setting], message: `line ${line} is already gpio.${other}` });
        }
        owner.set(line, setting);
      }
      // Feedback is compared with the command on the contactor's own output: without that output
      // tsBMS does not switch the contactor, and the comparison would be meaningless.
      for (const [feedback, output] of Object.entries(GPIO_FEEDBACK_OF)) {
        if (gpio[feedback as keyof typeof GPIO_FEEDBACK_OF] !== null && gpio[output] === null) {
          ctx.addIssue({
            code: 'custom',
            path: [feedback],
            message: `feedback needs gpio.${output}: it is checked against that output's command`,
          });
        }
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
  currentSensor: currentSensorConfigSchema,
  /**
   * A second sensor that cross-checks the first (`currentSensorDisagreement` warning); never the
   * pack's current. The same options as `currentSensor`; none by default.
   */
  currentSensorCheck: currentSensorConfigSchema,
  /** The inverter's CAN port: its wire profile (victron, pylontech, sma-sunny-island) and options. */
  inverter: inverterConfigSchema,
  mqtt: mqttConfigSchema,
  /** Fault messages (ntfy, Gotify, webhook, e-mail) and the dead-man heartbeat; all off by default. */
  notifications: notificationsConfigSchema,
  /** The readings and fault events to the owner's InfluxDB (v2 write API); off by default. */
  influxdb: influxDbConfigSchema,
  /** The history on disk (SQLite): rows of every tier and the event log; read at the daemon's start. */
  history: historyConfigSchema,
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

/** A validated controller configuration (every key present, deep-frozen). */
export type ControllerConfig = DeepReadonly<z.output<typeof controllerConfigSchema>>;

/** Dotted path of every setting, e.g. `cells.cellHighVoltageV`; tables count as one setting. */
export type ConfigPath = LeafPath<ControllerConfig>;
