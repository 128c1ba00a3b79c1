/*
 * The config page's logic, pure: the running config as form fields, a field's text back to a
 * value, the patch of changed fields, and which field a server issue belongs to. Validation
 * itself is the server's (PUT /api/config): this page never second-guesses it, so a bad value is
 * sent as typed and the server's reason is shown next to the field.
 */

/** How the server shows a secret that is set. */
export const SECRET_MASK = '***';
/** Fields of the top level (pollIntervalS, stateFile, …) are shown under this section name. */
export const GENERAL_SECTION = 'general';

const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);

function kindOf(value) {
  if (Array.isArray(value)) return 'json';
  if (value === null) return 'nullable';
  if (value === SECRET_MASK) return 'secret';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  return 'string';
}

/**
 * Every setting of `config` as `{ path, section, kind, value }`, in the config's order; nested
 * objects flatten to dotted paths, arrays (tables) stay one field.
 */
export function configFields(config) {
  const fields = [];
  const walk = (node, prefix, section) => {
    for (const [key, value] of Object.entries(node)) {
      const path = prefix === '' ? key : `${prefix}.${key}`;
      if (isObject(value)) walk(value, path, section ?? key);
      else fields.push({ path, section: section ?? GENERAL_SECTION, kind: kindOf(value), value });
    }
  };
  walk(config, '', undefined);
  return fields;
}

/** The text an input starts with. */
export function fieldText(field) {
  if (field.kind === 'json') return JSON.stringify(field.value);
  if (field.kind === 'secret' || field.value === null) return '';
  return String(field.value);
}

function parseJsonOr(text) {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * The value to send for a field's text. Empty means null (switch off / unset). Text that is not
 * of the field's kind is sent as typed, for the server to reject with its reason.
 */
export function parseFieldText(kind, text) {
  const trimmed = text.trim();
  if (kind === 'boolean') return text === 'true';
  if (trimmed === '') return null;
  switch (kind) {
    case 'number': {
      const n = Number(trimmed);
      return Number.isFinite(n) ? n : text;
    }
    case 'json':
    case 'nullable':
      // A null setting's type is unknown here: `5` is a number, `"5"` or `abc` a string.
      return parseJsonOr(trimmed);
    default:
      return text;
  }
}

function sameValue(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The partial config to PUT: only the fields whose value differs from the running config, in
 * the file's nested shape; null when nothing changed. An untouched secret is never sent.
 */
export function configPatch(fields, valuesByPath) {
  let patch = null;
  for (const field of fields) {
    if (!valuesByPath.has(field.path)) continue;
    const value = valuesByPath.get(field.path);
    if (field.kind === 'secret' && value === null) continue;
    if (sameValue(value, field.value)) continue;
    patch ??= {};
    const keys = field.path.split('.');
    let node = patch;
    for (const key of keys.slice(0, -1)) node = node[key] ??= {};
    node[keys[keys.length - 1]] = value;
  }
  return patch;
}

/** `soc.ocvTable[3].voltageV` → `['soc', 'ocvTable', '3', 'voltageV']` */
function segmentsOf(path) {
  return String(path)
    .split(/[.[\]]+/)
    .filter((s) => s !== '');
}

/**
 * The field an issue's dotted path belongs to: the field itself, or the table or setting that
 * contains it (`soc.ocvTable[3].voltageV` → `soc.ocvTable`); null when it names no field (a whole
 * section, the root): the page shows those above the form.
 */
export function fieldForIssue(issuePath, fieldPaths) {
  const segments = segmentsOf(issuePath);
  for (let n = segments.length; n > 0; n--) {
    const candidate = segments.slice(0, n).join('.');
    if (fieldPaths.includes(candidate)) return candidate;
  }
  return null;
}

/** Issues grouped by field path; those naming no field under `null`. */
export function issuesByField(issues, fieldPaths) {
  const grouped = new Map();
  for (const issue of issues) {
    const field = fieldForIssue(issue.path, fieldPaths);
    grouped.set(field, [...(grouped.get(field) ?? []), issue]);
  }
  return grouped;
}
