/** The limits `diagnose` judges by; every one has a default. */
export interface DoctorSettings {
  /** A cell this far from the median of the other cells of its module is named, V. Default 0.2. */
  readonly cellDeviationV: number;
  /** GPAI this far from the sum of the cells points to a broken sense wire, V. Default 0.5. */
  readonly moduleVoltageMismatchV: number;
  /** Cells outside this window cannot be real (T-13: 0.5..5.0 V). */
  readonly cellMinV: number;
  readonly cellMaxV: number;
  /** A thermistor below this reads open (unplugged, broken wire): T-13's −40 °C. */
  readonly thermistorOpenBelowC: number;
  /** A thermistor above this reads shorted: T-13's 120 °C. */
  readonly thermistorShortedAboveC: number;
  /**
   * A module whose failed share of transactions reaches this is a problem; any failure below it is
   * a warning. Default 0.05 (one in twenty).
   */
  readonly linkErrorProblemRate: number;
  /** The controller's `programHardwareThresholds`: whether it will program the boards (T-18). */
  readonly programHardwareThresholds: boolean;
}

export const DEFAULT_DOCTOR_SETTINGS: DoctorSettings = Object.freeze({
  cellDeviationV: 0.2,
  moduleVoltageMismatchV: 0.5,
  cellMinV: 0.5,
  cellMaxV: 5.0,
  thermistorOpenBelowC: -40,
  thermistorShortedAboveC: 120,
  linkErrorProblemRate: 0.05,
  programHardwareThresholds: true,
});

/** The defaults with `overrides` applied. */
export function doctorSettings(overrides: Partial<DoctorSettings> = {}): DoctorSettings {
  return Object.freeze({ ...DEFAULT_DOCTOR_SETTINGS, ...overrides });
}
