/**
 * What the control strategies read, as structural interfaces: any pack model and fault engine can
 * feed them (see `fromPackAndFaults` for tsBMS's own). Voltages in V, temperatures in °C, times in
 * ms of the injected clock. A value that is unknown or implausible is `null` or NaN; the
 * strategies treat it as unsafe, never as 0.
 */
export interface ModuleInput {
  /** Bus address of the module board (1..62): where its balancing mask is written. */
  readonly address: number;
  /** Cell 1..6 in chip order; NaN for a rejected reading. */
  readonly cellVoltagesV: readonly number[];
  /** Both thermistors; NaN for a rejected reading. */
  readonly temperaturesC: readonly number[];
  /** The last read failed: values are the last good ones (B-40). */
  readonly stale: boolean;
  /** The chip reports a FAULT status bit (COV, CUV, OT, …). */
  readonly chipFault: boolean;
  /** DEVICE_STATUS CBT: the chip's balance timer runs (published next to the command, B-29). */
  readonly balanceTimerRunning?: boolean;
}

export interface StringInput {
  readonly modules: readonly ModuleInput[];
}

/** The fault engine's verdict, reduced to what control acts on. */
export interface FaultSummary {
  /** Any fault-level condition, active or latched (B-8, B-11). Includes comms-loss faults. */
  readonly faultActive: boolean;
  /** Any over-temperature warning or fault (B-39). */
  readonly overTemperatureWarning: boolean;
  /** Any temperature sensor judged implausible (B-39). */
  readonly temperatureImplausible: boolean;
}

export interface ControlInputs {
  /** Clock time at which the latest complete scan was converted. */
  readonly scanAtMs: number;
  /** The discovered module count matches the configuration (B-11). */
  readonly discoveryMatched: boolean;
  readonly strings: readonly StringInput[];
  /** Pack (string) voltage, V. */
  readonly packVoltageV: number | null;
  readonly highestCellV: number | null;
  readonly lowestCellV: number | null;
  readonly highestTemperatureC: number | null;
  readonly lowestTemperatureC: number | null;
  readonly socPercent: number | null;
  readonly faults: FaultSummary;
  /** Inverter-side DC bus voltage for the precharge check; null when not measured. */
  readonly busVoltageV: number | null;
  /** Pack current (+ = charging); null without a healthy current sensor. Never used for limits (B-23). */
  readonly currentA: number | null;
  /** Shutdown requested (signal or uncaught error): contactors open and stay open (B-13). */
  readonly shutdownRequested: boolean;
}

export function isKnown(value: number | null): value is number {
  return value !== null && Number.isFinite(value);
}

export function anyModuleStale(inputs: ControlInputs): boolean {
  return inputs.strings.some((s) => s.modules.some((m) => m.stale));
}
