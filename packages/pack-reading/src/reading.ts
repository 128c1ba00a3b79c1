/*
 * The scan reading contract: what one scan of the pack reports. A source (the Tesla scan loop, a
 * replayed recording, another module type) produces it; the battery model consumes it. Declared
 * once, here, so producers and consumers cannot drift apart.
 */

/** Cells per Tesla Model S module (one bq76PL536A board, inputs VC1..VC6). */
export const CELLS_PER_MODULE = 6;
/** Thermistors per module (TS1, TS2). */
export const TEMPERATURES_PER_MODULE = 2;

/** Hardware status bits decoded from DEVICE_STATUS / ALERT_STATUS / FAULT_STATUS (meanings: chip-flags.ts). */
// prettier-ignore
export type ModuleHardwareFlag =
  | 'COV' | 'CUV' | 'OT1' | 'OT2' | 'TSD' | 'I_FAULT' | 'UVLO'
  | 'PARITY' | 'ECC_ERR' | 'CRC'
  | 'POR' | 'AR' | 'FORCE' | 'SLEEP';

/** A raw value rejected as implausible (T-13). It is never turned into a number reading. */
export interface ImplausibleValue {
  readonly quantity: 'cellVoltage' | 'temperature' | 'moduleVoltage';
  /** Cell 0..5, sensor 0..1, 0 for the module voltage. */
  readonly index: number;
  /** The raw 16-bit register value. */
  readonly raw: number;
  /** e.g. 'cell voltage 5.31 V outside 0.5..5.0 V', 'bit 15 set'. */
  readonly reason: string;
}

/** One module in one scan. */
export interface ModuleReading {
  /** 1..62 */
  readonly address: number;
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
  /** clock.now() when the scan completed. */
  readonly timestampMs: number;
  /** In address order, one per configured module. */
  readonly modules: readonly ModuleReading[];
  /** Pack current in amperes (+ = charging) from an optional sensor; null/absent = no sensor. */
  readonly currentA?: number | null;
  /** Bus (inverter side) voltage for precharge checks; null/absent = no input. */
  readonly busVoltageV?: number | null;
  /** A second current sensor's reading, which cross-checks `currentA`; null/absent = none. */
  readonly checkCurrentA?: number | null;
  /**
   * What the current sensor's samples add up to since it was first read: every sample counts at
   * its own time, also those between scans. Null/absent = no sensor, or a source that keeps none.
   */
  readonly currentIntegral?: CurrentIntegral | null;
}

/** Running totals of a current sensor's samples, trapezoids between consecutive samples. */
export interface CurrentIntegral {
  /** Ampere-hours that flowed into the battery, and out of it (both never decrease). */
  readonly chargedAh: number;
  readonly dischargedAh: number;
  /** Silences longer than the integration gap: nothing is counted across them (B-32). */
  readonly gaps: number;
}
