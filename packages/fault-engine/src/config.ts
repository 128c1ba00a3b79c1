import {
  ConfigError,
  requireBelow,
  requireFinite,
  requireNonNegative,
  requirePositive,
  requirePositiveInteger,
} from '@tsbms/battery-model';
import { FAULT_KINDS, type FaultKind, type FaultLevel } from './types';

/** Debounce of one level (§2.2): seconds before raising and before clearing, and whether it latches. */
export interface LevelTiming {
  readonly setDelayS: number;
  readonly clearDelayS: number;
  readonly latched: boolean;
}
export type KindTiming = Readonly<Partial<Record<FaultLevel, LevelTiming>>>;

const t = (setDelayS: number, clearDelayS: number, latched = false): LevelTiming => ({
  setDelayS,
  clearDelayS,
  latched,
});

/** §2.2 and §2.3 defaults. The levels present here are the levels each kind has. */
export const DEFAULT_FAULT_TIMING: Readonly<Record<FaultKind, KindTiming>> = {
  cellOverVoltage: { info: t(0, 5), warning: t(2, 10), fault: t(10, 0, true) },
  cellUnderVoltage: { info: t(0, 5), warning: t(2, 10), fault: t(5, 60) },
  overTemperature: { info: t(10, 30), warning: t(10, 30), fault: t(10, 60) },
  underTemperature: { info: t(10, 30), warning: t(10, 30), fault: t(10, 60) },
  cellImbalance: { info: t(30, 30), warning: t(30, 30), fault: t(30, 60) },
  moduleCommsLoss: { warning: t(0, 0), fault: t(0, 60) }, // counted in scans and module age
  // Latched: a module missing for real stops the pack until someone has looked (§2.3).
  moduleCountMismatch: { fault: t(0, 0, true) },
  moduleHardwareFault: { warning: t(0, 60), fault: t(0, 60) },
  chargeOverCurrent: { info: t(10, 60), warning: t(5, 60), fault: t(1, 60) },
  dischargeOverCurrent: { info: t(10, 60), warning: t(5, 60), fault: t(1, 60) },
  prechargeFailure: { fault: t(0, 0, true) },
  contactorMismatch: { fault: t(0.5, 0, true) },
  contactorWelded: { fault: t(0.5, 0, true) },
  sensorImplausible: { warning: t(0, 60), fault: t(0, 60) },
  currentSensorLost: { warning: t(2, 10), fault: t(2, 10) },
  currentSensorDisagreement: { warning: t(10, 30) },
  stateLost: { fault: t(0, 0, true) }, // injected through `persisted`, see stateLostFault
};

/** Set thresholds of one quantity; `hysteresis` moves each toward safety to clear. */
export interface LevelThresholds {
  readonly info: number;
  readonly warning: number;
  readonly fault: number;
  readonly hysteresis: number;
}

export interface FaultEngineConfig {
  readonly cellHighVoltageV: number;
  readonly cellLowVoltageV: number;
  readonly voltageAlertOffsetV: number;
  readonly voltageFaultOffsetV: number;
  readonly voltageClearHysteresisV: number;
  /** Below this a cell under-voltage fault latches and persists (deep discharge). */
  readonly deepDischargeV: number;
  readonly highTemperatureC: number;
  readonly lowTemperatureC: number;
  readonly temperatureWarningOffsetC: number;
  readonly temperatureClearHysteresisC: number;
  readonly maxCellDifferenceV: number;
  readonly cellDifferenceWarningOffsetV: number;
  readonly cellDifferenceClearHysteresisV: number;
  readonly commsTimeoutS: number;
  readonly commsLossWarningMissedScans: number;
  readonly commsLossWarningClearGoodScans: number;
  readonly maxChargeCurrentA: number;
  readonly maxDischargeCurrentA: number;
  readonly overCurrentClearHysteresisA: number;
  readonly prechargeMaxAttempts: number;
  readonly currentSensorRequired: boolean;
  /**
   * A current sensor is configured (set by the composition, not by users): `currentSensorLost`
   * then watches it from the first scan, so a sensor that never answers is reported too.
   */
  readonly currentSensorFitted: boolean;
  /**
   * Two sensors disagree when their currents differ by more than this many amperes and this
   * fraction of the larger one (a hall sensor's offset at low current, its gain error at high).
   */
  readonly currentDisagreementA: number;
  readonly currentDisagreementFraction: number;
  /** Without contactor feedback: |I| above this, all contactors commanded open, for `weldedCurrentDelayS`. */
  readonly weldedCurrentA: number;
  readonly weldedCurrentDelayS: number;
  /** B-4: a self-clearing fault raised this many times within the window latches. */
  readonly antiChatterRaises: number;
  readonly antiChatterWindowS: number;
  readonly eventLogSize: number;
  readonly timing: Readonly<Record<FaultKind, KindTiming>>;
  /** Derived §2.1 levels (for control's derating as well). */
  readonly thresholds: {
    readonly cellOverVoltageV: LevelThresholds;
    readonly cellUnderVoltageV: LevelThresholds;
    readonly overTemperatureC: LevelThresholds;
    readonly underTemperatureC: LevelThresholds;
    readonly cellImbalanceV: LevelThresholds;
  };
}

export type FaultEngineConfigInput = Partial<Omit<FaultEngineConfig, 'timing' | 'thresholds'>> & {
  readonly timing?: Partial<Record<FaultKind, KindTiming>>;
};

export const FAULT_ENGINE_DEFAULTS = Object.freeze({
  cellHighVoltageV: 4.1,
  cellLowVoltageV: 3.6,
  voltageAlertOffsetV: 0.025,
  voltageFaultOffsetV: 0.05,
  voltageClearHysteresisV: 0.02,
  deepDischargeV: 3.0,
  highTemperatureC: 65,
  lowTemperatureC: 10,
  temperatureWarningOffsetC: 5,
  temperatureClearHysteresisC: 2,
  maxCellDifferenceV: 0.2,
  cellDifferenceWarningOffsetV: 0.05,
  cellDifferenceClearHysteresisV: 0.02,
  commsTimeoutS: 10,
  commsLossWarningMissedScans: 2,
  commsLossWarningClearGoodScans: 3,
  maxChargeCurrentA: 100,
  maxDischargeCurrentA: 100,
  overCurrentClearHysteresisA: 2,
  prechargeMaxAttempts: 3,
  currentSensorRequired: false,
  currentSensorFitted: false,
  currentDisagreementA: 2,
  currentDisagreementFraction: 0.05,
  weldedCurrentA: 2,
  weldedCurrentDelayS: 2,
  antiChatterRaises: 3,
  antiChatterWindowS: 3600,
  eventLogSize: 1000,
});

function buildTiming(input: FaultEngineConfigInput['timing']): Record<FaultKind, KindTiming> {
  const out = {} as Record<FaultKind, KindTiming>;
  for (const kind of FAULT_KINDS) {
    const defaults = DEFAULT_FAULT_TIMING[kind];
    const levels: Partial<Record<FaultLevel, LevelTiming>> = {};
    for (const level of ['info', 'warning', 'fault'] as const) {
      const given = input?.[kind]?.[level];
      const d = defaults[level];
      if (given !== undefined && d === undefined) {
        throw new ConfigError(
          'CONFIG_OUT_OF_RANGE',
          `timing.${kind}.${level}`,
          `${kind} has no ${level} level`,
        );
      }
      if (d === undefined) continue;
      const l = { ...d, ...given };
      levels[level] = Object.freeze({
        setDelayS: requireNonNegative(`timing.${kind}.${level}.setDelayS`, l.setDelayS),
        clearDelayS: requireNonNegative(`timing.${kind}.${level}.clearDelayS`, l.clearDelayS),
        latched: l.latched === true,
      });
    }
    out[kind] = Object.freeze(levels);
  }
  return out;
}

/** Merges the §1 defaults and rejects thresholds in the wrong order with a ConfigError (path, reason). */
export function buildFaultEngineConfig(input: FaultEngineConfigInput = {}): FaultEngineConfig {
  const c = { ...FAULT_ENGINE_DEFAULTS, ...input };
  const high = requirePositive('cellHighVoltageV', c.cellHighVoltageV);
  const low = requirePositive('cellLowVoltageV', c.cellLowVoltageV);
  requireBelow('cellHighVoltageV', low, high, 'low setpoint must be below high setpoint');
  const alert = requirePositive('voltageAlertOffsetV', c.voltageAlertOffsetV);
  const fault = requirePositive('voltageFaultOffsetV', c.voltageFaultOffsetV);
  requireBelow('voltageAlertOffsetV', alert, fault, 'warning level must lie inside the fault level');
  const vHyst = requirePositive('voltageClearHysteresisV', c.voltageClearHysteresisV);
  const deep = requirePositive('deepDischargeV', c.deepDischargeV);
  requireBelow(
    'deepDischargeV',
    deep,
    low - fault,
    'deep discharge must lie below the under-voltage fault level',
  );
  requireBelow(
    'cellHighVoltageV',
    low + vHyst,
    high - vHyst,
    'no cell voltage would clear both the under- and over-voltage info levels',
  );

  const hiT = requireFinite('highTemperatureC', c.highTemperatureC);
  const loT = requireFinite('lowTemperatureC', c.lowTemperatureC);
  const tOff = requirePositive('temperatureWarningOffsetC', c.temperatureWarningOffsetC);
  const tHyst = requirePositive('temperatureClearHysteresisC', c.temperatureClearHysteresisC);
  requireBelow(
    'lowTemperatureC',
    loT + 2 * tOff,
    hiT - 2 * tOff,
    'under-temperature info level must lie below over-temperature info level',
  );

  const maxDiff = requirePositive('maxCellDifferenceV', c.maxCellDifferenceV);
  const dOff = requirePositive('cellDifferenceWarningOffsetV', c.cellDifferenceWarningOffsetV);
  requireBelow(
    'cellDifferenceWarningOffsetV',
    0,
    maxDiff - 2 * dOff,
    'imbalance info level (max − 2 × offset) must be above 0',
  );
  const dHyst = requirePositive('cellDifferenceClearHysteresisV', c.cellDifferenceClearHysteresisV);

  const commsTimeoutS = requirePositive('commsTimeoutS', c.commsTimeoutS);
  const eventLogSize = requirePositiveInteger('eventLogSize', c.eventLogSize);
  return Object.freeze({
    cellHighVoltageV: high,
    cellLowVoltageV: low,
    voltageAlertOffsetV: alert,
    voltageFaultOffsetV: fault,
    voltageClearHysteresisV: vHyst,
    deepDischargeV: deep,
    highTemperatureC: hiT,
    lowTemperatureC: loT,
    temperatureWarningOffsetC: tOff,
    temperatureClearHysteresisC: tHyst,
    maxCellDifferenceV: maxDiff,
    cellDifferenceWarningOffsetV: dOff,
    cellDifferenceClearHysteresisV: dHyst,
    commsTimeoutS,
    commsLossWarningMissedScans: requirePositiveInteger(
      'commsLossWarningMissedScans',
      c.commsLossWarningMissedScans,
    ),
    commsLossWarningClearGoodScans: requirePositiveInteger(
      'commsLossWarningClearGoodScans',
      c.commsLossWarningClearGoodScans,
    ),
    maxChargeCurrentA: requirePositive('maxChargeCurrentA', c.maxChargeCurrentA),
    maxDischargeCurrentA: requirePositive('maxDischargeCurrentA', c.maxDischargeCurrentA),
    overCurrentClearHysteresisA: requireNonNegative(
      'overCurrentClearHysteresisA',
      c.overCurrentClearHysteresisA,
    ),
    prechargeMaxAttempts: requirePositiveInteger('prechargeMaxAttempts', c.prechargeMaxAttempts),
    currentSensorRequired: c.currentSensorRequired === true,
    currentSensorFitted: c.currentSensorFitted === true,
    currentDisagreementA: requireNonNegative('currentDisagreementA', c.currentDisagreementA),
    currentDisagreementFraction: requireNonNegative(
      'currentDisagreementFraction',
      c.currentDisagreementFraction,
    ),
    weldedCurrentA: requirePositive('weldedCurrentA', c.weldedCurrentA),
    weldedCurrentDelayS: requireNonNegative('weldedCurrentDelayS', c.weldedCurrentDelayS),
    antiChatterRaises: requirePositiveInteger('antiChatterRaises', c.antiChatterRaises),
    antiChatterWindowS: requirePositive('antiChatterWindowS', c.antiChatterWindowS),
    eventLogSize,
    timing: Object.freeze(buildTiming(input.timing)),
    thresholds: Object.freeze({
      cellOverVoltageV: Object.freeze({
        info: high,
        warning: high + alert,
        fault: high + fault,
        hysteresis: vHyst,
      }),
      cellUnderVoltageV: Object.freeze({
        info: low,
        warning: low - alert,
        fault: low - fault,
        hysteresis: vHyst,
      }),
      overTemperatureC: Object.freeze({
        info: hiT - 2 * tOff,
        warning: hiT - tOff,
        fault: hiT,
        hysteresis: tHyst,
      }),
      underTemperatureC: Object.freeze({
        info: loT + 2 * tOff,
        warning: loT + tOff,
        fault: loT,
        hysteresis: tHyst,
      }),
      cellImbalanceV: Object.freeze({
        info: maxDiff - 2 * dOff,
        warning: maxDiff - dOff,
        fault: maxDiff,
        hysteresis: dHyst,
      }),
    }),
  });
}
