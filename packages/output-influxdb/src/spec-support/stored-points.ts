import type { InfluxPoint } from '../line-protocol';
import type { RealInfluxd } from './real-influxd';

/*
 * Points as InfluxDB keeps them: measurement, tags, typed fields, time. `intendedPoint` says what
 * a point given to the encoder means (the rules of line-protocol.ts, written out again here, not
 * taken from the encoder); `storedPoints` reads what a real influxd made of the lines. A contract
 * test writes the encoder's lines and expects the two to be equal.
 */

export type StoredFieldType = 'float' | 'integer' | 'boolean' | 'string';

export interface StoredField {
  readonly type: StoredFieldType;
  readonly value: number | boolean | string;
}

export interface StoredPoint {
  readonly measurement: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly fields: Readonly<Record<string, StoredField>>;
  readonly timestampMs: number;
}

export const float = (value: number): StoredField => ({ type: 'float', value });
export const integer = (value: number): StoredField => ({ type: 'integer', value });
export const boolean = (value: boolean): StoredField => ({ type: 'boolean', value });
export const string = (value: string): StoredField => ({ type: 'string', value });

const LINE_BREAK = /[\n\r]/;

/**
 * What InfluxDB should keep of a point the encoder accepted: tags without the empty ones, the
 * fields line protocol can carry (a finite number as a float, a safe integer as an integer, a
 * boolean, a string without a line break), with their types; null when no field is left.
 */
export function intendedPoint(point: InfluxPoint): StoredPoint | null {
  const tags: Record<string, string> = {};
  for (const [key, value] of Object.entries(point.tags))
    if (value !== null && value !== undefined && value !== '') tags[key] = value;
  const fields: Record<string, StoredField> = {};
  for (const [key, value] of Object.entries(point.fields)) {
    if (value === null || value === undefined) continue;
    if (typeof value === 'number') {
      if (Number.isFinite(value)) fields[key] = float(value);
    } else if (typeof value === 'boolean') fields[key] = boolean(value);
    else if (typeof value === 'string') {
      if (!LINE_BREAK.test(value)) fields[key] = string(value);
    } else if (Number.isSafeInteger(value.value)) fields[key] = integer(value.value);
  }
  if (Object.keys(fields).length === 0) return null;
  return { measurement: point.measurement, tags, fields, timestampMs: point.timestampMs };
}

/**
 * An InfluxQL regex matching exactly `name`, every character but [A-Za-z0-9_] written as `\x{…}`.
 * A quoted identifier cannot hold every name (InfluxQL refuses a NUL in one); a regex can.
 */
export function exactlyNamed(name: string): string {
  const escaped = Array.from(name, (c) =>
    /^\w$/.test(c) ? c : `\\x{${(c.codePointAt(0) as number).toString(16)}}`,
  ).join('');
  return `/^${escaped}$/`;
}

const seriesKey = (point: StoredPoint) =>
  JSON.stringify(Object.entries(point.tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** Points by time, then by tags: the order `storedPoints` gives. */
export function inStoredOrder(points: readonly StoredPoint[]): StoredPoint[] {
  return [...points].sort(
    (a, b) =>
      a.timestampMs - b.timestampMs ||
      (seriesKey(a) < seriesKey(b) ? -1 : seriesKey(a) > seriesKey(b) ? 1 : 0),
  );
}

const FIELD_TYPES: readonly string[] = ['float', 'integer', 'boolean', 'string'] satisfies StoredFieldType[];

/**
 * Every point of `measurement` in `db` as influxd keeps it: tags from `GROUP BY *` (a tag the
 * series does not have comes back as "", and InfluxDB has no empty tag values), each field's type
 * from `SHOW FIELD KEYS`, times in ms. In `inStoredOrder`.
 */
export async function storedPoints(
  influxd: RealInfluxd,
  db: string,
  measurement: string,
): Promise<StoredPoint[]> {
  const from = exactlyNamed(measurement);
  const types = new Map<string, StoredFieldType>();
  for (const series of await influxd.query(`SHOW FIELD KEYS FROM ${from}`, db))
    for (const [key, type] of series.values) {
      if (typeof key !== 'string' || typeof type !== 'string' || !FIELD_TYPES.includes(type))
        throw new Error(`SHOW FIELD KEYS: unexpected row ${JSON.stringify([key, type])}`);
      if (types.has(key)) throw new Error(`field ${JSON.stringify(key)} has more than one type`);
      types.set(key, type as StoredFieldType);
    }
  const points: StoredPoint[] = [];
  for (const series of await influxd.query(`SELECT * FROM ${from} GROUP BY *`, db)) {
    const tags = Object.fromEntries(Object.entries(series.tags ?? {}).filter(([, value]) => value !== ''));
    for (const row of series.values) {
      const fields: Record<string, StoredField> = {};
      series.columns.forEach((column, i) => {
        const value = row[i];
        if (i === 0 || value === null) return;
        const type = types.get(column);
        if (type === undefined) throw new Error(`column ${JSON.stringify(column)} is no field key`);
        fields[column] = { type, value: value as StoredField['value'] };
      });
      points.push({ measurement: series.name, tags, fields, timestampMs: row[0] as number });
    }
  }
  return inStoredOrder(points);
}
