import { requireObject } from '@tsbms/hal';
import { encodeHardwareThresholds, type HardwareThresholds } from './commands';

/*
 * Checking and comparing HardwareThresholds values handed to the scan loop, at construction and
 * at run time alike, so that both reject the same values the same way.
 */

/** Every field: a field added to HardwareThresholds fails to compile here until it is compared. */
const FIELDS: Readonly<Record<keyof HardwareThresholds, true>> = {
  covV: true,
  cuvV: true,
  otC: true,
  covDelayMs: true,
  cuvDelayMs: true,
  otDelayMs: true,
};

/**
 * Throws unless `value` is null (leave the boards' own) or thresholds the registers can hold:
 * InvalidArgumentError naming `argument` for a non-object, INVALID_CONFIG with the config path
 * (`hardwareThresholds.covV`, …) for a value out of range, before anything is written.
 */
export function requireHardwareThresholds(
  value: unknown,
  argument: string,
): asserts value is HardwareThresholds | null {
  if (value === null) return;
  requireObject(value, argument, 'hardware thresholds ({ covV, cuvV, otC, … }) or null');
  encodeHardwareThresholds(value as HardwareThresholds);
}

/** Field-by-field equality; null equals only null. */
export function sameHardwareThresholds(a: HardwareThresholds | null, b: HardwareThresholds | null): boolean {
  if (a === null || b === null) return a === b;
  return (Object.keys(FIELDS) as (keyof HardwareThresholds)[]).every((field) => a[field] === b[field]);
}
