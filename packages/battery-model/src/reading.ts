/**
 * The scan reading contract. `tesla-protocol` declares the same shapes (neither package may import
 * the other); the controller passes one to the other unchanged, so keep them structurally identical.
 */

/** Hardware status bits decoded from DEVICE_STATUS / ALERT_STATUS / FAULT_STATUS. */
export type ModuleHardwareFlag =
  | 'COV'
  | 'CUV'
  | 'OT1'
  | 'OT2'
  | 'TSD'
  | 'I_FAULT'
  | 'UVLO' // fault level in the fault engine
  | 'PARITY'
  | 'ECC_ERR'
  | 'CRC' // warning level
  | 'POR'
  | 'AR'
  | 'FORCE'
  | 'SLEEP'; // trigger module setup / informational

/** A raw value rejected as implausible (T-13). It is never turned into a number reading. */
export interface ImplausibleValue {
  readonly quantity: 'cellVoltage' | 'temperature' | 'moduleVoltage';
  readonly index: number; // cell 0..5, sensor 0..1, 0 for the module voltage
  readonly raw: number; // the raw 16-bit register value
  readonly reason: string; // e.g. 'cell voltage 5.31 V outside 0.5..5.0 V', 'bit 15 set'
}

/** One module in one scan. */
export interface ModuleReading {
  readonly address: number; // 1..62
  /** False when no valid reply was obtained this scan (timeout, bad frame, request came back). */
  readonly commsOk: boolean;
  /** Volts per cell (6 entries); null = no value this scan (comms failed or implausible). */
  readonly cellVoltagesV: readonly (number | null)[];
  /** Degrees Celsius per thermistor (2 entries); null as above. */
  readonly temperaturesC: readonly (number | null)[];
  /** GPAI module voltage in volts; null as above. */
  readonly moduleVoltageV: number | null;
  readonly implausible: readonly ImplausibleValue[];
  readonly hardwareFlags: readonly ModuleHardwareFlag[];
  /** Cells (0..5) the chip reports in COV_FAULT / CUV_FAULT. */
  readonly overVoltageCells: readonly number[];
  readonly underVoltageCells: readonly number[];
  /** DEVICE_STATUS CBT: the chip's balance timer is running. */
  readonly balanceTimerRunning: boolean;
}

/** One complete scan of the pack. */
export interface PackReading {
  readonly timestampMs: number; // clock.now() when the scan completed
  readonly modules: readonly ModuleReading[]; // in address order, one per configured module
  /** Pack current in amperes (+ = charging) from an optional sensor; null/absent = no sensor. */
  readonly currentA?: number | null;
  /** Bus (inverter side) voltage for precharge checks; null/absent = no input. */
  readonly busVoltageV?: number | null;
}

export const CELLS_PER_MODULE = 6;
export const TEMPERATURES_PER_MODULE = 2;
