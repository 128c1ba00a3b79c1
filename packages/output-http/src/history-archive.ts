import { z } from 'zod';

/*
 * GET /api/history/rows and /api/history/events: the application's history on disk (e.g.
 * @tsbms/history's SQLite store) by time range, as JSON or CSV. This output only reads it,
 * through this port.
 */

/** A row as the archive keeps it: a tier's bucket start, and its statistics (nested objects) beside it. */
export interface ArchivedRow {
  readonly startMs: number;
}

export interface ArchivedEvent {
  readonly atMs: number;
  readonly kind: string;
  readonly detail: Readonly<Record<string, unknown>>;
}

/** The history the application keeps on disk. */
export interface HistoryArchive {
  /** Its tiers, finest first, with their bucket length. */
  tiers(): readonly { readonly name: string; readonly bucketMs: number }[];
  rows(tier: string, fromMs: number, toMs: number): readonly ArchivedRow[];
  events(fromMs: number, toMs: number): readonly ArchivedEvent[];
}

/** A time: milliseconds since the epoch or an ISO 8601 date-time. */
const instant = z.union([
  z
    .string()
    .regex(/^\d{1,15}$/)
    .transform(Number),
  z.iso.datetime({ offset: true }).transform((text) => Date.parse(text)),
]);

/** A range query: from (inclusive) before to (exclusive), JSON unless CSV is asked for. */
export const rangeQuerySchema = z
  .strictObject({
    tier: z.string().min(1).max(20).optional(),
    from: instant,
    to: instant,
    format: z.enum(['json', 'csv']).default('json'),
  })
  .refine((query) => query.from < query.to, { path: ['to'], message: 'must be after from' });

/** Each leaf of a row as a column: `series.packVoltageV.min`, `cellsV.M1C1.max`, `limits.cclA`, … */
function flatten(value: unknown, prefix: string, into: Map<string, unknown>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value))
      flatten(inner, prefix === '' ? key : `${prefix}.${key}`, into);
  } else {
    into.set(prefix, value);
  }
}

/** RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. */
function csvField(value: unknown): string {
  const text =
    value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Records as CSV: a header of every column any record has (first seen first), `time` (ISO) first. */
export function recordsAsCsv(records: readonly object[], timeField: string): string {
  const flat = records.map((record) => {
    const columns = new Map<string, unknown>();
    flatten(record, '', columns);
    const atMs = columns.get(timeField);
    return new Map([['time', typeof atMs === 'number' ? new Date(atMs).toISOString() : ''], ...columns]);
  });
  const header = [...new Set(flat.flatMap((columns) => [...columns.keys()]))];
  const lines = [header, ...flat.map((columns) => header.map((column) => columns.get(column)))];
  return lines.map((fields) => fields.map(csvField).join(',')).join('\r\n') + '\r\n';
}
