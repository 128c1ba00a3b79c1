/*
 * Raw ADC counts <-> SI values (tesla-bq76pl536a.md §5). Forward conversions are exact formulas;
 * inverse conversions (used by the emulator and by tests) round to the nearest count.
 */

/** Full scale of the 14-bit results. */
export const RAW_FULL_SCALE = 16383;
const CELL_FULL_SCALE_V = 6.25;
const GPAI_FULL_SCALE_V = 33.333;

/** Thermistor divider and Steinhart–Hart fit used by every public implementation. */
const TEMP_RAW_OFFSET = 2;
const TEMP_RAW_DIVISOR = 33046;
const DIVIDER_NUMERATOR = 1.78;
const DIVIDER_OFFSET = 3.57;
const SH_A = 7.610373573e-4;
const SH_B = 2.728524832e-4;
const SH_C = 1.022822735e-7;
const KELVIN_OFFSET = 273.15;

export function cellVoltageFromRaw(raw: number): number {
  return (raw * CELL_FULL_SCALE_V) / RAW_FULL_SCALE;
}

export function cellVoltageToRaw(volts: number): number {
  return Math.round((volts * RAW_FULL_SCALE) / CELL_FULL_SCALE_V);
}

/** Module voltage (GPAI, VBAT on Tesla boards). */
export function gpaiVoltageFromRaw(raw: number): number {
  return (raw * GPAI_FULL_SCALE_V) / RAW_FULL_SCALE;
}

export function gpaiVoltageToRaw(volts: number): number {
  return Math.round((volts * RAW_FULL_SCALE) / GPAI_FULL_SCALE_V);
}

/** Thermistor resistance in ohms for a raw reading; not positive for readings above the fit's range. */
export function thermistorOhmsFromRaw(raw: number): number {
  const ratio = (raw + TEMP_RAW_OFFSET) / TEMP_RAW_DIVISOR;
  return (DIVIDER_NUMERATOR / ratio - DIVIDER_OFFSET) * 1000;
}

/**
 * Temperature in °C. NaN when the reading lies outside the divider's range (a shorted
 * thermistor gives a non-positive resistance); callers reject it through the plausibility check.
 */
export function temperatureFromRaw(raw: number): number {
  const ohms = thermistorOhmsFromRaw(raw);
  if (!(ohms > 0)) return Number.NaN;
  const lnR = Math.log(ohms);
  return 1 / (SH_A + SH_B * lnR + SH_C * lnR ** 3) - KELVIN_OFFSET;
}

/**
 * Raw count for a temperature: solves A + B·x + C·x³ = 1/T for x = ln R by Newton's method
 * (the left side is strictly increasing, so the root is unique), then inverts the divider.
 */
export function temperatureToRaw(celsius: number): number {
  const target = 1 / (celsius + KELVIN_OFFSET);
  let x = (target - SH_A) / SH_B; // the cubic term is small: a close first guess
  for (let i = 0; i < 50; i++) {
    const f = SH_A + SH_B * x + SH_C * x ** 3 - target;
    const step = f / (SH_B + 3 * SH_C * x * x);
    x -= step;
    if (Math.abs(step) < 1e-12) break;
  }
  const ohms = Math.exp(x);
  const ratio = DIVIDER_NUMERATOR / (ohms / 1000 + DIVIDER_OFFSET);
  return Math.round(ratio * TEMP_RAW_DIVISOR - TEMP_RAW_OFFSET);
}

/** Big-endian 16-bit value at `offset`. */
export function readUint16BE(bytes: Uint8Array | readonly number[], offset: number): number {
  return ((bytes[offset] << 8) | bytes[offset + 1]) & 0xffff;
}
