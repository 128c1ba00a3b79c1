import type { MeasuredValue, ModuleState, PackState } from '@tsbms/battery-model';
import { flagsMeaning, type ModuleHardwareFlag } from '@tsbms/pack-reading';
import type { FaultEngineConfig, LevelThresholds } from './config';
import type { LevelCondition } from './level-tracker';
import type { FaultInput, FaultKind, FaultLevel, FaultLocation } from './types';

/** What one rule saw at one location in one step. */
export interface Observation {
  readonly kind: FaultKind;
  readonly location: FaultLocation;
  readonly value: number | null;
  readonly detail?: string;
  /** The chip flags behind a moduleHardwareFault: outputs map them without parsing the detail. */
  readonly chipFlags?: readonly ModuleHardwareFlag[];
  /** The value is a kept last good value: it may raise, never recover (B-7). */
  readonly stale: boolean;
  readonly levels: Readonly<Partial<Record<FaultLevel, LevelCondition>>>;
}

export interface RuleContext {
  readonly input: FaultInput;
  readonly previousInput: FaultInput | null;
  readonly config: FaultEngineConfig;
  readonly nowMs: number;
  /** When the engine first evaluated: a module never heard from is aged from here. */
  readonly startedMs: number;
}

export type Rule = (context: RuleContext) => Observation[];

const LEVELS = ['info', 'warning', 'fault'] as const;

/** Three-level thresholds on a value that is bad when high (`direction` 1) or low (−1). */
function levelled(
  value: number,
  t: LevelThresholds,
  direction: 1 | -1,
): Partial<Record<FaultLevel, LevelCondition>> {
  const out: Partial<Record<FaultLevel, LevelCondition>> = {};
  for (const level of LEVELS) {
    const beyond = (value - t[level]) * direction;
    out[level] = { set: beyond >= 0, clear: beyond < -t.hysteresis, threshold: t[level] };
  }
  return out;
}

function perCell(
  pack: PackState,
  f: (m: ModuleState, cell: MeasuredValue, cellIndex: number) => Observation | null,
): Observation[] {
  return pack.modules
    .flatMap((m) => m.cells.map((c, i) => f(m, c, i)))
    .filter((o): o is Observation => o !== null);
}

function perSensor(
  pack: PackState,
  f: (m: ModuleState, t: MeasuredValue, sensorIndex: number) => Observation | null,
): Observation[] {
  return pack.modules
    .flatMap((m) => m.temperatures.map((t, i) => f(m, t, i)))
    .filter((o): o is Observation => o !== null);
}

const cellVoltageRule =
  (kind: 'cellOverVoltage' | 'cellUnderVoltage'): Rule =>
  ({ input, config }) =>
    perCell(input.pack, (m, cell, cellIndex) => {
      if (cell.value === null) return null;
      const over = kind === 'cellOverVoltage';
      const levels = levelled(
        cell.value,
        over ? config.thresholds.cellOverVoltageV : config.thresholds.cellUnderVoltageV,
        over ? 1 : -1,
      );
      const deep = !over && cell.value < config.deepDischargeV;
      return {
        kind,
        location: { moduleAddress: m.address, cellIndex },
        value: cell.value,
        stale: cell.stale,
        levels: deep && levels.fault ? { ...levels, fault: { ...levels.fault, latch: true } } : levels,
      };
    });

const temperatureRule =
  (kind: 'overTemperature' | 'underTemperature'): Rule =>
  ({ input, config }) =>
    perSensor(input.pack, (m, sensor, sensorIndex) => {
      if (sensor.value === null) return null;
      const over = kind === 'overTemperature';
      return {
        kind,
        location: { moduleAddress: m.address, sensorIndex },
        value: sensor.value,
        stale: sensor.stale,
        levels: levelled(
          sensor.value,
          over ? config.thresholds.overTemperatureC : config.thresholds.underTemperatureC,
          over ? 1 : -1,
        ),
      };
    });

const cellImbalance: Rule = ({ input, config }) => {
  const { minCell, maxCell, cellSpreadV } = input.pack.statistics;
  if (minCell === null || maxCell === null || cellSpreadV === null) return [];
  return [
    {
      kind: 'cellImbalance',
      location: {},
      value: cellSpreadV,
      detail: `max ${maxCell.value} V at module ${maxCell.moduleAddress} cell ${maxCell.index}, min ${minCell.value} V at module ${minCell.moduleAddress} cell ${minCell.index}`,
      stale: minCell.stale || maxCell.stale,
      levels: levelled(cellSpreadV, config.thresholds.cellImbalanceV, 1),
    },
  ];
};

/** W after N consecutive missed scans (cleared by M good scans); F after `commsTimeoutS` without a valid read. */
const moduleCommsLoss: Rule = ({ input, config, startedMs }) =>
  input.pack.modules.map((m) => {
    const silentS = (input.pack.timestampMs - (m.lastGoodReadMs ?? startedMs)) / 1000;
    return {
      kind: 'moduleCommsLoss',
      location: { moduleAddress: m.address },
      value: silentS,
      stale: false,
      levels: {
        warning: {
          set: m.missedScans >= config.commsLossWarningMissedScans,
          clear: m.goodScans >= config.commsLossWarningClearGoodScans,
        },
        fault: {
          set: !m.commsOk && silentS >= config.commsTimeoutS,
          clear: m.commsOk,
          threshold: config.commsTimeoutS,
        },
      },
    };
  });

/**
 * Latched (§2.3): a complete discovery that found another count means a module is missing or
 * extra for real, so the detail says what to do. A renumbering cut short is no count (the source
 * keeps the previous one), so the renumbering after a power cycle does not raise it.
 */
const moduleCountMismatch: Rule = ({ input }) => {
  const found = input.discoveredModuleCount;
  if (found === undefined || found === null) return [];
  const expected = input.pack.modules.length;
  const counts = `discovered ${found}, configured ${expected}`;
  return [
    {
      kind: 'moduleCountMismatch',
      location: {},
      value: found,
      detail:
        found === expected
          ? counts
          : `${counts}: check the modules and the loop's connectors, then acknowledge once a discovery finds ${expected}`,
      stale: false,
      levels: { fault: { set: found !== expected, clear: found === expected, threshold: expected } },
    },
  ];
};

const moduleHardwareFault: Rule = ({ input }) =>
  input.pack.modules
    .filter((m) => m.lastGoodReadMs !== null)
    .map((m) => {
      const faults = flagsMeaning('fault', m.hardwareFlags);
      const warnings = flagsMeaning('warning', m.hardwareFlags);
      const cells = [
        ...(m.overVoltageCells.length > 0 ? [`COV cells ${m.overVoltageCells.join(',')}`] : []),
        ...(m.underVoltageCells.length > 0 ? [`CUV cells ${m.underVoltageCells.join(',')}`] : []),
      ];
      return {
        kind: 'moduleHardwareFault',
        location: { moduleAddress: m.address },
        value: null,
        detail: [...faults, ...warnings, ...cells].join(' ') || 'clear',
        chipFlags: [...faults, ...warnings],
        stale: m.stale,
        levels: {
          // The chip's COV latches: a hardware over-voltage trip needs an operator.
          fault: { set: faults.length > 0, clear: faults.length === 0, latch: faults.includes('COV') },
          warning: { set: warnings.length > 0, clear: warnings.length === 0 },
        },
      };
    });

const overCurrentRule =
  (kind: 'chargeOverCurrent' | 'dischargeOverCurrent'): Rule =>
  ({ input, config }) => {
    const current = input.pack.currentA;
    if (current === null) return [];
    const charge = kind === 'chargeOverCurrent';
    const amps = charge ? current : -current;
    const max = charge ? config.maxChargeCurrentA : config.maxDischargeCurrentA;
    const limit = input.limits
      ? charge
        ? input.limits.chargeCurrentLimitA
        : input.limits.dischargeCurrentLimitA
      : null;
    const over = (threshold: number): LevelCondition => ({
      set: amps > threshold,
      clear: amps <= threshold - config.overCurrentClearHysteresisA,
      threshold,
    });
    return [
      {
        kind,
        location: {},
        value: amps,
        stale: false,
        levels: {
          // Info: the inverter is not obeying the limit we send.
          ...(limit === null ? {} : { info: over(limit + Math.max(5, 0.1 * limit)) }),
          warning: over(max),
          fault: over(1.5 * max),
        },
      },
    ];
  };

/** Raised when the sequencer reaches its retry limit; the sequencer has already opened everything. */
const prechargeFailure: Rule = ({ input, previousInput, config }) => {
  const attempts = input.prechargeFailedAttempts;
  if (attempts === undefined) return [];
  const before = previousInput?.prechargeFailedAttempts ?? 0;
  return [
    {
      kind: 'prechargeFailure',
      location: {},
      value: attempts,
      stale: false,
      levels: {
        fault: {
          set: attempts >= config.prechargeMaxAttempts && before < config.prechargeMaxAttempts,
          clear: true,
        },
      },
    },
  ];
};

const contactorMismatch: Rule = ({ input }) =>
  (input.contactors ?? [])
    .filter((c) => c.feedbackClosed !== null)
    .map((c) => ({
      kind: 'contactorMismatch',
      location: { contactor: c.name },
      value: null,
      detail: `commanded ${c.commandedClosed ? 'closed' : 'open'}, feedback ${c.feedbackClosed ? 'closed' : 'open'}`,
      stale: false,
      levels: {
        fault: { set: c.feedbackClosed !== c.commandedClosed, clear: c.feedbackClosed === c.commandedClosed },
      },
    }));

const contactorWelded: Rule = ({ input, config }) => {
  const contactors = input.contactors ?? [];
  const byFeedback: Observation[] = contactors
    .filter((c) => c.feedbackClosed !== null)
    .map((c) => ({
      kind: 'contactorWelded',
      location: { contactor: c.name },
      value: null,
      stale: false,
      levels: {
        fault: {
          set: !c.commandedClosed && c.feedbackClosed === true,
          clear: c.feedbackClosed === false || c.commandedClosed,
        },
      },
    }));
  const current = input.pack.currentA;
  const allOpen = contactors.length > 0 && contactors.every((c) => !c.commandedClosed);
  // Without feedback the only evidence is current flowing through contactors commanded open.
  if (current === null || !allOpen || byFeedback.length > 0) return byFeedback;
  return [
    {
      kind: 'contactorWelded',
      location: { contactor: 'pack' },
      value: current,
      stale: false,
      levels: {
        fault: {
          set: Math.abs(current) > config.weldedCurrentA,
          clear: Math.abs(current) <= config.weldedCurrentA,
          setDelayS: config.weldedCurrentDelayS,
        },
      },
    },
  ];
};

/** W at once for a rejected value; F after 3 consecutive scans (cell, GPAI) or both thermistors of a module. */
const sensorImplausible: Rule = ({ input }) => {
  const value = (
    m: ModuleState,
    v: MeasuredValue,
    location: FaultLocation,
    faultAfterScans: number | null,
  ): Observation => ({
    kind: 'sensorImplausible',
    location: { moduleAddress: m.address, ...location },
    value: v.implausibleScans,
    detail: m.implausible.find(
      (i) =>
        i.quantity === location.quantity && i.index === (location.cellIndex ?? location.sensorIndex ?? 0),
    )?.reason,
    stale: !m.commsOk,
    levels: {
      warning: { set: v.implausible, clear: !v.stale },
      ...(faultAfterScans === null
        ? {}
        : { fault: { set: v.implausibleScans >= faultAfterScans, clear: !v.stale } }),
    },
  });
  const perModule = input.pack.modules.flatMap((m) => {
    const [t0, t1] = m.temperatures;
    return [
      ...m.cells.map((c, cellIndex) => value(m, c, { quantity: 'cellVoltage', cellIndex }, 3)),
      ...m.temperatures.map((t, sensorIndex) => value(m, t, { quantity: 'temperature', sensorIndex }, null)),
      value(m, m.moduleVoltage, { quantity: 'moduleVoltage' }, 3),
      {
        kind: 'sensorImplausible' as const,
        location: { moduleAddress: m.address, quantity: 'temperature' as const },
        value: null,
        detail: 'both thermistors rejected',
        stale: !m.commsOk,
        levels: { fault: { set: t0.implausible && t1.implausible, clear: !t0.stale && !t1.stale } },
      },
    ];
  });
  const issues = input.pack.issues;
  const pack: Observation = {
    kind: 'sensorImplausible',
    location: {},
    value: issues.length,
    detail: issues.map((i) => i.detail).join('; ') || 'clear',
    stale: false,
    levels: {
      warning: { set: issues.length > 0, clear: issues.length === 0 },
      fault: { set: issues.some((i) => i.code === 'EMPTY_PACK'), clear: issues.length === 0 },
    },
  };
  return [...perModule, pack];
};

const currentSensorLost: Rule = ({ input, config }) => {
  const { currentA, currentMeasuredAtMs, timestampMs } = input.pack;
  // Without a sensor, nothing to lose; with one fitted, silence from the first scan on counts.
  if (!config.currentSensorRequired && !config.currentSensorFitted && currentMeasuredAtMs === null) return [];
  const condition: LevelCondition = { set: currentA === null, clear: currentA !== null };
  return [
    {
      kind: 'currentSensorLost',
      location: {},
      value: currentMeasuredAtMs === null ? null : (timestampMs - currentMeasuredAtMs) / 1000,
      stale: false,
      levels: config.currentSensorRequired
        ? { warning: condition, fault: condition }
        : { warning: condition },
    },
  ];
};

/**
 * A second sensor cross-checks the first (W only: which of the two is wrong is not known, so
 * neither is dropped). Judged only while both have a value; otherwise nothing is said either way.
 */
const currentSensorDisagreement: Rule = ({ input, config }) => {
  const { currentA, checkCurrentA } = input.pack;
  if (currentA === null || checkCurrentA === null) return [];
  const differenceA = Math.abs(currentA - checkCurrentA);
  const allowedA = Math.max(
    config.currentDisagreementA,
    config.currentDisagreementFraction * Math.max(Math.abs(currentA), Math.abs(checkCurrentA)),
  );
  return [
    {
      kind: 'currentSensorDisagreement',
      location: {},
      value: differenceA,
      detail: `${currentA} A and ${checkCurrentA} A`,
      stale: false,
      levels: { warning: { set: differenceA > allowedA, clear: differenceA <= allowedA } },
    },
  ];
};

/**
 * Never raised by a measurement: the controller puts it into `persisted` (see `stateLostFault`)
 * when it could not read its state file. Its clear condition always holds, so that an operator
 * acknowledge, confirming the pack was checked, is accepted as soon as the engine has evaluated.
 */
const stateLost: Rule = () => [
  {
    kind: 'stateLost',
    location: {},
    value: null,
    stale: false,
    levels: { fault: { set: false, clear: true } },
  },
];

/** The rule table: one entry per fault kind of §2.3, plus `stateLost`. */
export const FAULT_RULES: Readonly<Record<FaultKind, Rule>> = {
  cellOverVoltage: cellVoltageRule('cellOverVoltage'),
  cellUnderVoltage: cellVoltageRule('cellUnderVoltage'),
  overTemperature: temperatureRule('overTemperature'),
  underTemperature: temperatureRule('underTemperature'),
  cellImbalance,
  moduleCommsLoss,
  moduleCountMismatch,
  moduleHardwareFault,
  chargeOverCurrent: overCurrentRule('chargeOverCurrent'),
  dischargeOverCurrent: overCurrentRule('dischargeOverCurrent'),
  prechargeFailure,
  contactorMismatch,
  contactorWelded,
  sensorImplausible,
  currentSensorLost,
  currentSensorDisagreement,
  stateLost,
};
