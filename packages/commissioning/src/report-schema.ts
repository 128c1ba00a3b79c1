import { z } from 'zod';
import { LINE_QUALITIES } from './line-rates';
import { RELAY_NAMES } from './observations';

/*
 * The doctor's JSON report, as a zod schema: the one definition the TypeScript type, the
 * checked-in JSON Schema (doctor-report.schema.json, kept equal by a test) and every validation
 * come from. A change of meaning bumps `schemaVersion`.
 */

export const DOCTOR_REPORT_SCHEMA_VERSION = 2;

/** What each finding id means is in the README's table. */
export const FINDING_IDS = [
  'serial-opened',
  'serial-open-failed',
  'baud-rate-mismatch',
  'line-garbled',
  'framing-errors',
  'discovery-ok',
  'loop-silent',
  'loop-bridged',
  'module-missing',
  'module-not-answering',
  'renumbering-needed',
  'addresses-assigned',
  'renumbering-failed',
  'module-count-differs',
  'conversions-failed',
  'scan-broadcast-failed',
  'link-errors',
  'loop-noise',
  'no-reading',
  'thermistor-open',
  'thermistor-shorted',
  'cell-out-of-range',
  'cell-deviates',
  'module-voltage-mismatch',
  'chip-flags',
  'protected-registers-unanswered',
  'protected-registers-unread',
  'hardware-thresholds',
  'module-ok',
  'can-unavailable',
  'can-bit-rate',
  'can-silent',
  'can-no-inverter',
  'can-ok',
  'relays-none-fitted',
  'relays-not-confirmed',
  'relays-unavailable',
  'relays-interrupted',
  'relay-ok',
  'relay-silent',
  'relay-feedback-stuck-open',
  'relay-feedback-stuck-closed',
  'relay-feedback-crossed',
] as const;

export type FindingId = (typeof FINDING_IDS)[number];

export const SEVERITIES = ['ok', 'warning', 'problem'] as const;
export type Severity = (typeof SEVERITIES)[number];

const count = z.int().min(0);
const moduleAddress = z.int().min(1).max(62);

export const findingSchema = z
  .object({
    id: z.enum(FINDING_IDS).describe('What was found; the README of @tsbms/commissioning lists every id.'),
    severity: z
      .enum(SEVERITIES)
      .describe(
        'ok: checked and fine; warning: worth a look, does not fail the run; problem: fix before use.',
      ),
    module: moduleAddress
      .optional()
      .describe('The module (its address = its place in the loop) it concerns.'),
    title: z.string().min(1).describe('One line in plain words, naming the module.'),
    detail: z.string().describe('What was measured and what it means.'),
    fix: z.string().describe('What to do about it (empty for ok findings).'),
  })
  .strict()
  .describe('One thing the doctor checked or found.');

export const linkCountersSchema = z
  .object({
    framesOk: count,
    crcErrors: count,
    badFrames: count,
    echoMismatches: count,
    timeouts: count,
    noSuchModule: count,
    retries: count,
  })
  .strict()
  .describe('Transactions with the module during the scans, by outcome (docs/tesla-bq76pl536a.md T-5).');

export const moduleSummarySchema = z
  .object({
    address: moduleAddress,
    status: z
      .enum([...SEVERITIES, 'not-checked'])
      .describe('The worst finding about this module; not-checked when nothing could be asked of it.'),
    scans: count.describe('Scans that asked this module for a reading.'),
    readings: count.describe('Scans that got a valid reading from it.'),
    link: linkCountersSchema,
    errorRate: z.number().min(0).max(1).describe('Failed share of its transactions.'),
    cellsV: z
      .array(z.number().nullable())
      .describe('Median of each cell over the scans, V (null: never read).'),
    thermistorsC: z.array(z.number().nullable()).describe('Median of TS1 and TS2, °C (null: never read).'),
    moduleVoltageV: z.number().nullable().describe("Median GPAI (the board's module voltage), V."),
    cellSumV: z.number().nullable().describe('Median of the sum of its six cells, V.'),
    protectedRegisters: z
      .enum(['answered', 'unanswered', 'unread', 'not-asked'])
      .describe('Whether its protected configuration registers 0x40..0x47 answered a read.'),
    configRegisters: z
      .array(z.int().min(0).max(255))
      .nullable()
      .describe('0x40..0x47 as read, when they answered.'),
  })
  .strict();

export const doctorReportSchema = z
  .object({
    schemaVersion: z.literal(DOCTOR_REPORT_SCHEMA_VERSION),
    observedAt: z.iso.datetime().describe('When the checks ended (UTC).'),
    summary: z.string().describe('"all good" when every finding is ok; else the counts and the titles.'),
    exitCode: z
      .union([z.literal(0), z.literal(1)])
      .describe('0: no problem (warnings allowed); 1: at least one problem. The CLI exits with it.'),
    counts: z.object({ ok: count, warning: count, problem: count }).strict(),
    serial: z
      .object({
        path: z.string(),
        baudRate: z.int().positive().describe('The rate asked for (--baud, serial.baudRate).'),
        opened: z.boolean(),
        checkedAtBaud: z
          .int()
          .positive()
          .describe(
            'The rate the checks ran at: the one asked, or the first clean one when it was not clean.',
          ),
        framingErrors: count
          .nullable()
          .describe('Framing errors the port counted during the checks; null: the port does not count them.'),
        rates: z
          .array(
            z
              .object({
                baudRate: z.int().positive(),
                quality: z
                  .enum(LINE_QUALITIES)
                  .describe(
                    'clean: every probe answered (or, at an address nobody has, came back unchanged); silent: no byte came back; garbled: bytes came back damaged; closed: the port did not open at this rate.',
                  ),
                transactions: count,
                clean: count,
                framingErrors: count.nullable(),
              })
              .strict(),
          )
          .describe('The rates tried before the checks, the one asked first.'),
      })
      .strict(),
    pack: z
      .object({
        expectedModules: count,
        answering: z.array(moduleAddress).describe('Addresses that answered (after renumbering, if any).'),
        renumbered: z.boolean().describe('The doctor assigned addresses (only with --fix-addresses).'),
        scansRequested: count,
        scansCompleted: count.describe('Scans whose conversion broadcast came back.'),
      })
      .strict(),
    findings: z.array(findingSchema).describe('In the order checked: port, discovery, modules, CAN, relays.'),
    modules: z.array(moduleSummarySchema).describe('One per expected or answering address.'),
    can: z
      .object({
        iface: z.string(),
        opened: z.boolean(),
        bitRate: z.int().positive().nullable(),
        framesSeen: count,
        inverterFramesSeen: count,
        listenedMs: count,
      })
      .strict()
      .nullable()
      .describe('The CAN check (--can), null when not asked.'),
    relays: z
      .object({
        confirmedDisconnected: z
          .boolean()
          .describe('A person typed that the battery is disconnected; else nothing was switched.'),
        interrupted: z.boolean(),
        checks: z.array(
          z
            .object({
              relay: z.enum(RELAY_NAMES),
              line: z.int().min(0),
              confirmed: z
                .boolean()
                .nullable()
                .describe('The person heard it click (a lamp: saw it light); null: no answer.'),
              feedback: z
                .object({ before: z.boolean(), energised: z.boolean(), after: z.boolean() })
                .strict()
                .nullable()
                .describe(
                  'Its own feedback input (true = closed) with everything off, while on, and after; null: none fitted.',
                ),
            })
            .strict(),
        ),
      })
      .strict()
      .nullable()
      .describe('The relay check (--relays), null when not asked.'),
  })
  .strict()
  .meta({
    title: 'tsBMS doctor report',
    description:
      'What `npm run doctor` found on a Tesla Model S module pack (bq76PL536A boards on a serial loop).',
  });

export type Finding = z.infer<typeof findingSchema>;
export type ModuleSummary = z.infer<typeof moduleSummarySchema>;
export type DoctorReport = z.infer<typeof doctorReportSchema>;

/** The report's JSON Schema (draft 2020-12), generated from {@link doctorReportSchema}. */
export function doctorReportJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(doctorReportSchema, { target: 'draft-2020-12' }) as Record<string, unknown>;
}
