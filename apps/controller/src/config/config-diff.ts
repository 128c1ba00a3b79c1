import { isPlainObject } from '@tsbms/bms-core';

/**
 * The dotted paths of the settings that differ between two configurations (tables count as one
 * setting). An empty list means a change would be a no-op: nothing to save, nothing to restart.
 */
export function changedConfigPaths(before: unknown, after: unknown, prefix = ''): string[] {
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    return [...keys].flatMap((key) => changedConfigPaths(before[key], after[key], `${prefix}${key}.`));
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [prefix.slice(0, -1)];
}
