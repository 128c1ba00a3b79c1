import { z } from 'zod';

/** One point of a derating table: at `input` (V, °C or %) the limit is `factor` × maximum. */
export interface DeratingPoint {
  readonly input: number;
  readonly factor: number;
}

/** Points in strictly increasing input order; linear in between, end values held outside. */
export type DeratingTable = readonly DeratingPoint[];

const positive = () => z.number().positive();

const tableSchema = z
  .array(z.object({ input: z.number(), factor: z.number().min(0).max(1) }))
  .min(1)
  .superRefine((points, ctx) => {
    for (let i = 1; i < points.length; i += 1) {
      if (!(points[i].input > points[i - 1].input)) {
        ctx.addIssue({
          code: 'custom',
          path: [i, 'input'],
          message: 'table inputs must increase strictly',
        });
      }
    }
  });

const FLAT: DeratingTable = [{ input: 0, factor: 1 }];

/**
 * Every key with its default. Names and defaults follow bms-behaviour.md §1; the keys below the
 * §1 groups hold the numbers the behaviour document fixes in its requirements (B-11..B-39), so a
 * project with other hardware can change them in one place.
 */
const configSchema = z
  .strictObject({
    // Pack
    moduleCount: z.number().int().min(1),
    parallelStringCount: z.number().int().min(1).default(1),
    // Cell voltage (§1)
    cellHighVoltageV: positive().default(4.1),
    cellLowVoltageV: positive().default(3.6),
    voltageAlertOffsetV: positive().default(0.025),
    voltageFaultOffsetV: positive().default(0.05),
    // Temperature (§1)
    highTemperatureC: z.number().default(65),
    lowTemperatureC: z.number().default(10),
    temperatureWarningOffsetC: positive().default(5),
    // Timing (§1)
    pollIntervalS: positive().default(0.5),
    commsTimeoutS: positive().default(10),
    // Limits (§1, §4)
    maxChargeCurrentA: positive().default(100),
    maxDischargeCurrentA: positive().default(100),
    chargeHysteresisV: positive().default(0.1),
    chargeHysteresisTimeS: z.number().min(0).default(30),
    chargeMaxTemperatureC: z.number().default(45),
    /** Width of the voltage taper below the high (above the low) setpoint, §4.3 table. */
    currentTaperV: positive().default(0.1),
    temperatureHysteresisC: positive().default(2),
    socHysteresisPercent: positive().default(2),
    currentRampAps: positive().default(5),
    chargeSocTable: tableSchema.default(FLAT as DeratingPoint[]),
    dischargeSocTable: tableSchema.default(FLAT as DeratingPoint[]),
    dischargeLowTemperatureTable: tableSchema.default(FLAT as DeratingPoint[]),
    /** Operator switch: false holds CCL at 0 (`chargeZeroedBy` 'operator'); the contactors are untouched. */
    chargeAllowed: z.boolean().default(true),
    /** Operator switch: false holds DCL at 0 (`dischargeZeroedBy` 'operator'); the contactors are untouched. */
    dischargeAllowed: z.boolean().default(true),
    // CVL loop (B-17, B-19)
    cvlFilterTauS: positive().default(20),
    cvlLoopPeriodS: positive().default(5),
    cvlGainPerS: positive().default(0.2),
    cvlDeadbandV: z.number().min(0).default(0.01),
    cvlRecoveryDelayS: z.number().min(0).default(60),
    cvlRecoveryRateVps: positive().default(0.001),
    cvlMaxRiseVps: positive().default(0.01),
    // Balancing (§1, §5)
    balancingEnabled: z.boolean().default(true),
    balanceVoltageV: positive().default(3.9),
    balanceDifferenceV: positive().default(0.04),
    balanceMeasureS: positive().default(2),
    balanceTimeS: positive().default(10),
    // Contactors (§1, §3)
    contactorControl: z.boolean().default(true),
    contactorNegativeTimeS: positive().default(1),
    contactorPrechargeTimeS: positive().default(5),
    contactorOverlapS: positive().default(1),
    contactorLockoutS: z.number().min(0).default(10),
    /** A bus-voltage input exists: precharge is verified (B-12); otherwise it is timed. */
    busVoltageSensor: z.boolean().default(false),
    prechargeVoltageWindowV: positive().default(1),
    prechargeCurrentWindowA: positive().default(0.05),
    prechargeHoldS: z.number().min(0).default(0.2),
    prechargeRetryWaitS: z.number().min(0).default(3),
    prechargeMaxAttempts: z.number().int().min(1).default(3),
    // Heating (§1, §7)
    heatingOnBelowC: z.number().default(16),
    heatingOffAtC: z.number().default(18),
    heatingMaxTemperatureC: z.number().default(30),
    heatingIneffectiveS: positive().default(7200),
    heatingMinRiseC: positive().default(1),
  })
  .superRefine((c, ctx) => {
    const reject = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (c.moduleCount % c.parallelStringCount !== 0) {
      reject('parallelStringCount', `must divide moduleCount (${c.moduleCount})`);
    }
    if (!(c.cellLowVoltageV < c.cellHighVoltageV)) {
      reject('cellLowVoltageV', 'must be below cellHighVoltageV');
    }
    // B-20: the cell-voltage tables reach 0 at the warning level, which must not lie beyond the fault level.
    if (c.voltageAlertOffsetV > c.voltageFaultOffsetV) {
      reject('voltageAlertOffsetV', 'warning level lies beyond the fault level (voltageFaultOffsetV)');
    }
    if (c.cellHighVoltageV - c.currentTaperV <= c.cellLowVoltageV + c.currentTaperV) {
      reject('currentTaperV', 'charge and discharge voltage tapers overlap');
    }
    const infoHighC = c.highTemperatureC - 2 * c.temperatureWarningOffsetC;
    const infoLowC = c.lowTemperatureC + 2 * c.temperatureWarningOffsetC;
    if (!(infoLowC < infoHighC)) {
      reject(
        'temperatureWarningOffsetC',
        'temperature info levels cross (low + 2 offsets ≥ high − 2 offsets)',
      );
    }
    // B-20: the charge high-temperature table must reach 0 no later than the over-temperature fault.
    if (c.chargeMaxTemperatureC > c.highTemperatureC) {
      reject('chargeMaxTemperatureC', 'must not exceed highTemperatureC (the over-temperature fault)');
    }
    if (!(c.heatingOffAtC > c.heatingOnBelowC)) {
      reject('heatingOffAtC', 'must be above heatingOnBelowC');
    }
    if (!(c.heatingMaxTemperatureC > c.heatingOffAtC)) {
      reject('heatingMaxTemperatureC', 'must be above heatingOffAtC');
    }
    if (!(c.commsTimeoutS > 2 * c.pollIntervalS)) {
      reject('commsTimeoutS', 'must exceed two poll intervals');
    }
  });

/** What a caller may pass: `moduleCount` is required, everything else has the §1 default. */
export type ControlConfigInput = z.input<typeof configSchema>;

/** A validated, frozen configuration. Build it with {@link buildControlConfig}. */
export type ControlConfig = Readonly<z.output<typeof configSchema>>;

export interface ConfigIssue {
  readonly path: string;
  readonly reason: string;
}

/** Rejected configuration: `path` and `reason` name the first problem, `issues` all of them. */
export class ControlConfigError extends Error {
  readonly code = 'CONTROL_CONFIG_INVALID';
  readonly path: string;
  readonly reason: string;

  constructor(readonly issues: readonly ConfigIssue[]) {
    super(`invalid control config at ${issues[0].path}: ${issues[0].reason}`);
    this.name = 'ControlConfigError';
    this.path = issues[0].path;
    this.reason = issues[0].reason;
  }
}

/** Validates `input`, fills in defaults and freezes the result; throws {@link ControlConfigError}. */
export function buildControlConfig(input: ControlConfigInput): ControlConfig {
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    throw new ControlConfigError(
      parsed.error.issues.map((issue) => ({
        path: issue.path.map(String).join('.') || '(root)',
        reason: issue.message,
      })),
    );
  }
  return Object.freeze(parsed.data);
}

/** Cells in series per string (6 per module). */
export function seriesCellCount(config: ControlConfig): number {
  return (config.moduleCount / config.parallelStringCount) * 6;
}
