import { parseDocument } from 'yaml';
import { isPlainObject, setAtPath } from '@tsbms/bms-core';

/**
 * The assignments a deep-merge of `patch` into `document` makes: mappings merge key by key,
 * anything else (numbers, strings, null, tables) replaces what was there; undefined is skipped.
 */
export function patchAssignments(
  document: unknown,
  patch: Readonly<Record<string, unknown>>,
  path: readonly string[] = [],
): [path: string[], value: unknown][] {
  return Object.entries(patch).flatMap(([key, value]): [string[], unknown][] => {
    if (value === undefined) return [];
    const current = isPlainObject(document) ? document[key] : undefined;
    if (isPlainObject(value) && isPlainObject(current))
      return patchAssignments(current, value, [...path, key]);
    return [[[...path, key], value]];
  });
}

/**
 * The config file's text with the patch merged in, in the file's own format: a JSON file stays
 * JSON; a YAML file is edited in place so its comments and layout survive.
 */
export function patchConfigText(
  text: string,
  document: unknown,
  patch: Readonly<Record<string, unknown>>,
): string {
  const assignments = patchAssignments(document, patch);
  if (text.trimStart().startsWith('{')) {
    const merged = structuredClone(document) as Record<string, unknown>;
    for (const [path, value] of assignments) setAtPath(merged, path, value);
    return `${JSON.stringify(merged, null, 2)}\n`;
  }
  const yaml = parseDocument(text);
  for (const [path, value] of assignments) yaml.setIn(path, value);
  return yaml.toString();
}
