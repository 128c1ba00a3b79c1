import { TeslaProtocolError } from './errors';
import { DELAY_UNIT_MS, THRESHOLD_DISABLE } from './registers';

/*
 * Encodings of the hardware protection registers 0x42..0x47 (tesla-bq76pl536a.md §4, T-18).
 * Encoders round a value that falls between register steps away from the operating window
 * (over-limits up, under-limits down), so the hardware never trips inside the window the
 * software allows. They throw INVALID_CONFIG for values the register cannot hold.
 */

const COV_BASE_V = 2.0;
const COV_STEP_V = 0.05;
const COV_MAX_N = 0x3f;
const CUV_BASE_V = 0.7;
const CUV_STEP_V = 0.1;
const CUV_MAX_N = 0x1f;
const OT_BASE_C = 35;
const OT_STEP_C = 5;
const OT_MAX_N = 11;
const DELAY_MAX_N = 0x1f;
const DELAY_STEP_UNITS = 100;
const OTT_STEP_MS = 10;
/** Absorbs float error such as 4.2 − 2.0 = 2.2000000000000002 before ceil/floor. */
const EPSILON = 1e-9;

/** ceil/floor after removing float noise; `+ 0` turns -0 into 0. */
function stepUp(steps: number): number {
  return Math.ceil(steps - EPSILON) + 0;
}

function stepDown(steps: number): number {
  return Math.floor(steps + EPSILON) + 0;
}

function invalid(message: string, configPath?: string): TeslaProtocolError {
  return new TeslaProtocolError('INVALID_CONFIG', message, { configPath });
}

/** CONFIG_COV byte for an over-voltage level (rounded up to the next 50 mV step). */
export function encodeCovThreshold(volts: number, configPath?: string): number {
  const n = stepUp((volts - COV_BASE_V) / COV_STEP_V);
  if (!Number.isFinite(volts) || n < 0 || n > COV_MAX_N) {
    throw invalid(
      `COV ${volts} V is outside ${COV_BASE_V}..${COV_BASE_V + COV_MAX_N * COV_STEP_V} V`,
      configPath,
    );
  }
  return n;
}

/** Over-voltage level in volts, or undefined when the comparator is disabled (b7). */
export function decodeCovThreshold(byte: number): number | undefined {
  if (byte & THRESHOLD_DISABLE) return undefined;
  return round6(COV_BASE_V + (byte & COV_MAX_N) * COV_STEP_V);
}

/** CONFIG_UV byte for an under-voltage level (rounded down to the next 100 mV step). */
export function encodeCuvThreshold(volts: number, configPath?: string): number {
  const n = stepDown((volts - CUV_BASE_V) / CUV_STEP_V);
  if (!Number.isFinite(volts) || n < 0 || n > CUV_MAX_N) {
    throw invalid(
      `CUV ${volts} V is outside ${CUV_BASE_V}..${round6(CUV_BASE_V + CUV_MAX_N * CUV_STEP_V)} V`,
      configPath,
    );
  }
  return n;
}

export function decodeCuvThreshold(byte: number): number | undefined {
  if (byte & THRESHOLD_DISABLE) return undefined;
  return round6(CUV_BASE_V + (byte & CUV_MAX_N) * CUV_STEP_V);
}

/** One OT nibble (1..11) for a temperature, rounded up to the next 5 °C step (40..90 °C). */
export function encodeOtNibble(celsius: number, configPath?: string): number {
  const n = stepUp((celsius - OT_BASE_C) / OT_STEP_C);
  if (!Number.isFinite(celsius) || n < 1 || n > OT_MAX_N) {
    throw invalid(
      `OT ${celsius} °C is outside ${OT_BASE_C + OT_STEP_C}..${OT_BASE_C + OT_MAX_N * OT_STEP_C} °C`,
      configPath,
    );
  }
  return n;
}

/** CONFIG_OT byte with the same limit on OT1 (low nibble) and OT2 (high nibble). */
export function encodeOtThresholds(celsius: number, configPath?: string): number {
  const n = encodeOtNibble(celsius, configPath);
  return (n << 4) | n;
}

/** [OT1 °C, OT2 °C]; undefined for a nibble that is 0 (off). Nibbles above 11 are treated as off. */
export function decodeOtThresholds(byte: number): readonly [number | undefined, number | undefined] {
  return [decodeOtNibble(byte & 0x0f), decodeOtNibble(byte >> 4)];
}

function decodeOtNibble(n: number): number | undefined {
  return n >= 1 && n <= OT_MAX_N ? OT_BASE_C + OT_STEP_C * n : undefined;
}

/**
 * CONFIG_COVT / CONFIG_UVT byte for a delay. Delays round down (a shorter delay trips sooner);
 * the millisecond unit is used unless the delay needs the finer microsecond steps.
 */
export function encodeProtectionDelayMs(delayMs: number, configPath?: string): number {
  const maxMs = DELAY_MAX_N * DELAY_STEP_UNITS;
  if (!Number.isFinite(delayMs) || delayMs < 0 || delayMs >= maxMs + DELAY_STEP_UNITS) {
    throw invalid(`protection delay ${delayMs} ms is outside 0..${maxMs} ms`, configPath);
  }
  if (delayMs >= DELAY_STEP_UNITS) return DELAY_UNIT_MS | stepDown(delayMs / DELAY_STEP_UNITS);
  return stepDown((delayMs * 1000) / DELAY_STEP_UNITS);
}

export function decodeProtectionDelayMs(byte: number): number {
  const units = (byte & DELAY_MAX_N) * DELAY_STEP_UNITS;
  return byte & DELAY_UNIT_MS ? units : units / 1000;
}

/** CONFIG_OTT byte: n × 10 ms, rounded down, 0..2.55 s. */
export function encodeOtDelayMs(delayMs: number, configPath?: string): number {
  const n = stepDown(delayMs / OTT_STEP_MS);
  if (!Number.isFinite(delayMs) || n < 0 || n > 0xff) {
    throw invalid(`OT delay ${delayMs} ms is outside 0..2550 ms`, configPath);
  }
  return n;
}

export function decodeOtDelayMs(byte: number): number {
  return (byte & 0xff) * OTT_STEP_MS;
}

function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
