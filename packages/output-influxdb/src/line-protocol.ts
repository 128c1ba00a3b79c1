/*
 * InfluxDB line protocol, encode only: one point per line,
 *
 *   measurement[,tag_key=tag_value…] field_key=field_value[,…] timestamp
 *
 * with the escaping the InfluxDB reference gives: in a measurement a comma and a space; in tag
 * keys, tag values and field keys a comma, an equals sign and a space; inside a string field value
 * a double quote and a backslash. Tags go in the order of their keys' bytes (what InfluxDB sorts
 * by anyway: the reference's performance tip). Timestamps are milliseconds (the writer posts with
 * `precision=ms`).
 *
 * What line protocol cannot carry is not guessed at:
 * - a number that is not finite (NaN, ±Infinity): that field is left out, and a point left with
 *   no field is left out as a whole (InfluxDB refuses a point without fields);
 * - an integer field that is not a safe integer, or a string field with a line break or a lone
 *   UTF-16 surrogate (no UTF-8 form: it would arrive as U+FFFD): likewise;
 * - a name (measurement, tag key, field key) or tag value with a line break or a backslash: line
 *   protocol has no escape for a line break in them, and InfluxDB 1.x and 2.x read a backslash
 *   before a comma, an equals sign or a space (or at the end) differently, so such a name is
 *   refused with a LineProtocolError rather than written as something else. A name starting with
 *   `_` (reserved by InfluxDB 2 and 3), a tag or field key `time` (refused by 1.x), a measurement
 *   starting with `#` (a comment line) and an empty name are refused too, and so is a name
 *   starting with a tab or NUL: InfluxDB skips them as white space before a measurement and
 *   before the fields (a real InfluxDB stored `\tvoltage_v` as `voltage_v`), and a name or tag
 *   value with a lone surrogate.
 * A tag whose value is null or empty is left out: InfluxDB has no empty tag values.
 */

/** An integer field (`42i`); a plain number is a float field. */
export interface InfluxInteger {
  readonly type: 'integer';
  readonly value: number;
}

/** A field's value: float (number), integer, boolean or string. */
export type InfluxFieldValue = number | InfluxInteger | boolean | string;

/** One point. Null or undefined fields and tags are left out. */
export interface InfluxPoint {
  readonly measurement: string;
  readonly tags: Readonly<Record<string, string | null | undefined>>;
  readonly fields: Readonly<Record<string, InfluxFieldValue | null | undefined>>;
  /** Milliseconds since the epoch; a safe integer. */
  readonly timestampMs: number;
}

/** An integer field value. */
export function integerField(value: number): InfluxInteger {
  return { type: 'integer', value };
}

export type LineProtocolErrorCode =
  /** A measurement, tag key or field key line protocol cannot carry (or InfluxDB reserves). */
  | 'INVALID_NAME'
  /** A tag value line protocol cannot carry faithfully (a line break, a backslash). */
  | 'INVALID_TAG_VALUE'
  /** A timestamp that is not a safe integer number of milliseconds. */
  | 'INVALID_TIMESTAMP';

/** A point that cannot be written as it is; `measurement` and `what` say which part. */
export class LineProtocolError extends Error {
  constructor(
    readonly code: LineProtocolErrorCode,
    readonly measurement: string,
    /** The offending part, e.g. `tag key "a b\\"` or `timestamp 1.5`. */
    readonly what: string,
    reason: string,
  ) {
    super(`line protocol: ${measurement}: ${what}: ${reason}`);
    this.name = 'LineProtocolError';
  }
}

const MEASUREMENT_SPECIALS = /[, ]/g;
const KEY_SPECIALS = /[,= ]/g;
const STRING_SPECIALS = /["\\]/g;
const LINE_BREAK = /[\n\r]/;
/** Half a surrogate pair: text with no UTF-8 form. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** What InfluxDB's parser skips as white space before a measurement and the fields, besides the escaped space. */
const LEADING_SKIPPED = /^[\t\0]/;

/** Why a name or tag value cannot be written; null when it can. */
function unwritable(text: string): string | null {
  if (text === '') return 'empty';
  if (LINE_BREAK.test(text)) return 'contains a line break';
  if (text.includes('\\')) return 'contains a backslash';
  if (LONE_SURROGATE.test(text)) return 'contains a lone UTF-16 surrogate (no UTF-8 form)';
  return null;
}

function checkName(measurement: string, kind: string, name: string): void {
  const problem =
    unwritable(name) ??
    (name.startsWith('_') ? 'starts with _ (reserved by InfluxDB)' : null) ??
    (LEADING_SKIPPED.test(name) ? 'starts with a tab or NUL (InfluxDB skips them as white space)' : null) ??
    (kind !== 'measurement' && name === 'time' ? '"time" is reserved by InfluxDB' : null) ??
    (kind === 'measurement' && name.startsWith('#') ? 'starts with # (a comment line)' : null);
  if (problem !== null)
    throw new LineProtocolError('INVALID_NAME', measurement, `${kind} ${JSON.stringify(name)}`, problem);
}

const escapeMeasurement = (name: string) => name.replace(MEASUREMENT_SPECIALS, '\\$&');
const escapeKey = (key: string) => key.replace(KEY_SPECIALS, '\\$&');

/** The field's text, or null when line protocol cannot carry the value (it is then left out). */
function fieldText(value: InfluxFieldValue): string | null {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return null;
    return Object.is(value, -0) ? '-0' : String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'string')
    return LINE_BREAK.test(value) || LONE_SURROGATE.test(value)
      ? null
      : `"${value.replace(STRING_SPECIALS, '\\$&')}"`;
  return Number.isSafeInteger(value.value) ? `${value.value}i` : null;
}

/** Orders as Go's bytes.Compare over UTF-8, InfluxDB's own order of tag keys. */
function byUtf8Bytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * The point as one line (no line break at the end); null when no field of it can be written.
 * Throws a {@link LineProtocolError} for a name, tag value or timestamp it cannot write.
 */
export function encodePoint(point: InfluxPoint): string | null {
  const { measurement } = point;
  checkName(measurement, 'measurement', measurement);
  if (!Number.isSafeInteger(point.timestampMs))
    throw new LineProtocolError(
      'INVALID_TIMESTAMP',
      measurement,
      `timestamp ${point.timestampMs}`,
      'not a whole number of milliseconds',
    );
  const tags: string[] = [];
  for (const key of Object.keys(point.tags).sort(byUtf8Bytes)) {
    checkName(measurement, 'tag key', key);
    const value = point.tags[key];
    if (value === null || value === undefined || value === '') continue;
    const problem = unwritable(value);
    if (problem !== null)
      throw new LineProtocolError(
        'INVALID_TAG_VALUE',
        measurement,
        `tag ${key} value ${JSON.stringify(value)}`,
        problem,
      );
    tags.push(`,${escapeKey(key)}=${escapeKey(value)}`);
  }
  const fields: string[] = [];
  for (const [key, value] of Object.entries(point.fields)) {
    checkName(measurement, 'field key', key);
    if (value === null || value === undefined) continue;
    const text = fieldText(value);
    if (text !== null) fields.push(`${escapeKey(key)}=${text}`);
  }
  if (fields.length === 0) return null;
  return `${escapeMeasurement(measurement)}${tags.join('')} ${fields.join(',')} ${point.timestampMs}`;
}
