import { integerField, type InfluxFieldValue } from '../line-protocol';

/*
 * A small reader of InfluxDB line protocol, for tests: what a server standing in for InfluxDB
 * makes of a write's body. It reads the way InfluxDB's own parser does: in a measurement `\,` and
 * `\ ` are a comma and a space; in tag keys, tag values and field keys `\,`, `\=` and `\ ` too;
 * any other backslash is itself. Inside a string field `\"` is a quote and `\\` a backslash. Field
 * values: `1.5`/`-2e-7` (float), `42i` and `42u` (integer), t/T/true/True/TRUE and the same for
 * false (boolean), `"…"` (string). Empty lines and `#` comments are skipped.
 */

/** A point as read back. `timestampMs` is the number the line ends with (ms for our writes); null when absent. */
export interface ParsedPoint {
  readonly measurement: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly fields: Readonly<Record<string, InfluxFieldValue>>;
  readonly timestampMs: number | null;
}

/** A line this reader (and InfluxDB) would refuse; `column` is 0-based. */
export class LineProtocolParseError extends Error {
  readonly code = 'MALFORMED_LINE';

  constructor(
    readonly line: string,
    readonly column: number,
    reason: string,
  ) {
    super(`malformed line at column ${column}: ${reason}: ${line}`);
    this.name = 'LineProtocolParseError';
  }
}

const BOOLEANS: Readonly<Record<string, boolean>> = {
  t: true,
  T: true,
  true: true,
  True: true,
  TRUE: true,
  f: false,
  F: false,
  false: false,
  False: false,
  FALSE: false,
};
const FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER = /^([+-]?\d+)[iu]$/;
const TIMESTAMP = /^-?\d+$/;

class LineReader {
  private pos = 0;

  constructor(private readonly line: string) {}

  fail(reason: string): never {
    throw new LineProtocolParseError(this.line, this.pos, reason);
  }

  get atEnd(): boolean {
    return this.pos >= this.line.length;
  }

  peek(): string | undefined {
    return this.line[this.pos];
  }

  expect(char: string, what: string): void {
    if (this.line[this.pos] !== char) this.fail(`expected ${what}`);
    this.pos++;
  }

  /** A name or tag value up to one of `stops` that no backslash escapes; `\x` for x in `escaped` is x. */
  name(escaped: string, stops: string, what: string): string {
    let text = '';
    while (!this.atEnd) {
      const char = this.line[this.pos];
      const next = this.line[this.pos + 1];
      if (char === '\\' && next !== undefined && escaped.includes(next)) {
        text += next;
        this.pos += 2;
        continue;
      }
      if (stops.includes(char)) break;
      text += char;
      this.pos++;
    }
    if (text === '') this.fail(`empty ${what}`);
    return text;
  }

  fieldValue(): InfluxFieldValue {
    if (this.peek() === '"') return this.quoted();
    const start = this.pos;
    while (!this.atEnd && this.peek() !== ',' && this.peek() !== ' ') this.pos++;
    const token = this.line.slice(start, this.pos);
    const integer = INTEGER.exec(token);
    if (integer !== null) return integerField(Number(integer[1]));
    if (token in BOOLEANS) return BOOLEANS[token];
    if (FLOAT.test(token) && Number.isFinite(Number(token))) return Number(token);
    this.pos = start;
    return this.fail(`not a field value: ${JSON.stringify(token)}`);
  }

  private quoted(): string {
    this.pos++; // the opening quote
    let text = '';
    for (;;) {
      if (this.atEnd) this.fail('unterminated string');
      const char = this.line[this.pos];
      const next = this.line[this.pos + 1];
      if (char === '\\' && (next === '"' || next === '\\')) {
        text += next;
        this.pos += 2;
      } else if (char === '"') {
        this.pos++;
        return text;
      } else {
        text += char;
        this.pos++;
      }
    }
  }

  rest(): string {
    const text = this.line.slice(this.pos);
    this.pos = this.line.length;
    return text;
  }
}

/** One line (without its line break) as InfluxDB reads it; throws LineProtocolParseError. */
export function parseLine(line: string): ParsedPoint {
  const reader = new LineReader(line);
  const measurement = reader.name(', ', ', ', 'measurement');
  const tags: Record<string, string> = {};
  while (reader.peek() === ',') {
    reader.expect(',', 'a tag');
    const key = reader.name(',= ', '=', 'tag key');
    reader.expect('=', '= after a tag key');
    tags[key] = reader.name(',= ', ', ', 'tag value');
  }
  reader.expect(' ', 'a space before the fields');
  const fields: Record<string, InfluxFieldValue> = {};
  for (;;) {
    const key = reader.name(',= ', '=', 'field key');
    reader.expect('=', '= after a field key');
    fields[key] = reader.fieldValue();
    if (reader.peek() !== ',') break;
    reader.expect(',', 'a field');
  }
  if (reader.atEnd) return { measurement, tags, fields, timestampMs: null };
  reader.expect(' ', 'a space before the timestamp');
  const timestamp = reader.rest();
  if (!TIMESTAMP.test(timestamp)) reader.fail(`not a timestamp: ${JSON.stringify(timestamp)}`);
  return { measurement, tags, fields, timestampMs: Number(timestamp) };
}

/** Every point of a write's body: one per line; empty lines and `#` comments skipped. */
export function parseLines(body: string): ParsedPoint[] {
  return body
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map(parseLine);
}
