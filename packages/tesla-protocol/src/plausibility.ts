import { cellVoltageFromRaw, gpaiVoltageFromRaw, temperatureFromRaw } from './conversions';

/*
 * Plausibility checks of T-13. Each returns the reason a raw value is rejected, or null when it
 * is plausible. A rejected value is reported and counted, never clamped or zeroed.
 */

export const CELL_VOLTAGE_MIN_V = 0.5;
export const CELL_VOLTAGE_MAX_V = 5.0;
export const TEMPERATURE_MIN_C = -40;
export const TEMPERATURE_MAX_C = 120;
/** Largest accepted difference between GPAI and the sum of the cells. */
export const MODULE_VOLTAGE_MISMATCH_V = 0.2;

/** Bits 15 and 14 cannot be set in a 14-bit result. */
export function checkRawBits(raw: number): string | null {
  if (raw & 0x8000) return 'bit 15 set';
  if (raw & 0x4000) return 'bit 14 set';
  return null;
}

export function checkCellRaw(raw: number): string | null {
  const bits = checkRawBits(raw);
  if (bits) return bits;
  const volts = cellVoltageFromRaw(raw);
  if (volts < CELL_VOLTAGE_MIN_V || volts > CELL_VOLTAGE_MAX_V) {
    return `cell voltage ${volts.toFixed(2)} V outside ${CELL_VOLTAGE_MIN_V}..${CELL_VOLTAGE_MAX_V.toFixed(1)} V`;
  }
  return null;
}

export function checkTemperatureRaw(raw: number): string | null {
  const bits = checkRawBits(raw);
  if (bits) return bits;
  const celsius = temperatureFromRaw(raw);
  // Written so that NaN (no positive thermistor resistance) is rejected too.
  if (!(celsius >= TEMPERATURE_MIN_C && celsius <= TEMPERATURE_MAX_C)) {
    return `temperature ${celsius.toFixed(1)} °C outside ${TEMPERATURE_MIN_C}..${TEMPERATURE_MAX_C} °C`;
  }
  return null;
}

/** GPAI raw against the sum of the cells in volts (a broken sense wire shows as a mismatch). */
export function checkModuleVoltageRaw(raw: number, cellSumV: number): string | null {
  const bits = checkRawBits(raw);
  if (bits) return bits;
  const volts = gpaiVoltageFromRaw(raw);
  const difference = Math.abs(volts - cellSumV);
  if (difference > MODULE_VOLTAGE_MISMATCH_V) {
    return `module voltage ${volts.toFixed(2)} V differs from cell sum ${cellSumV.toFixed(2)} V by ${difference.toFixed(2)} V (max ${MODULE_VOLTAGE_MISMATCH_V} V)`;
  }
  return null;
}
