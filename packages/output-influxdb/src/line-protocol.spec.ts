import fc from 'fast-check';
import {
  encodePoint,
  integerField,
  LineProtocolError,
  type InfluxFieldValue,
  type InfluxPoint,
} from './line-protocol';
import { parseLine } from './testing';

const T = 1556813561098;
const point = (fields: Partial<InfluxPoint>): InfluxPoint => ({
  measurement: 'm',
  tags: {},
  fields: { f: 1 },
  timestampMs: T,
  ...fields,
});

describe('encodePoint: escaping (the examples of the InfluxDB line protocol reference)', () => {
  it.each<[string, Partial<InfluxPoint>, string]>([
    [
      'a space in a measurement',
      { measurement: 'my Measurement', fields: { fieldKey: 'string value' } },
      'my\\ Measurement fieldKey="string value"',
    ],
    ['a comma in a measurement; = needs no escape there', { measurement: 'a,b=c' }, 'a\\,b=c f=1'],
    [
      'spaces in tag keys and values',
      {
        measurement: 'myMeasurement',
        tags: { 'tag Key1': 'tag Value1', 'tag Key2': 'tag Value2' },
        fields: { fieldKey: 100 },
      },
      'myMeasurement,tag\\ Key1=tag\\ Value1,tag\\ Key2=tag\\ Value2 fieldKey=100',
    ],
    ['comma and equals in a tag value', { tags: { t: 'a=b,c' } }, 'm,t=a\\=b\\,c f=1'],
    ['comma, equals and space in a field key', { fields: { 'field k,e=y': 1 } }, 'm field\\ k\\,e\\=y=1'],
    [
      'double quotes in a string field value',
      { measurement: 'myMeasurement', fields: { fieldKey: '"string" within a string' } },
      'myMeasurement fieldKey="\\"string\\" within a string"',
    ],
    ['a backslash in a string field value', { fields: { path: 'C:\\temp\\' } }, 'm path="C:\\\\temp\\\\"'],
    [
      'commas, equals and spaces inside a string stay as they are',
      { fields: { s: 'a, b=c' } },
      'm s="a, b=c"',
    ],
    [
      'emoji',
      { tags: { tagKey: '🍭' }, fields: { fieldKey: 'Launch 🚀' } },
      'm,tagKey=🍭 fieldKey="Launch 🚀"',
    ],
  ])('%s', (_name, fields, expected) => {
    expect(encodePoint(point(fields))).toBe(`${expected} ${T}`);
  });
});

describe('encodePoint: values', () => {
  it('writes floats as numbers, integers with i, booleans and strings', () => {
    expect(
      encodePoint(
        point({
          fields: {
            volts: 3.912,
            three: 3,
            negative: -0,
            big: 1e21,
            tiny: 5e-7,
            count: integerField(42),
            below: integerField(-7),
            closed: true,
            open: false,
            state: 'CLOSED',
          },
        }),
      ),
    ).toBe(
      `m volts=3.912,three=3,negative=-0,big=1e+21,tiny=5e-7,count=42i,below=-7i,closed=true,open=false,state="CLOSED" ${T}`,
    );
  });

  it('leaves out a field line protocol cannot carry: NaN, ±Infinity, an unsafe integer, a string with a line break', () => {
    expect(
      encodePoint(
        point({
          fields: {
            nan: Number.NaN,
            up: Number.POSITIVE_INFINITY,
            down: Number.NEGATIVE_INFINITY,
            huge: integerField(2 ** 53),
            fraction: integerField(1.5),
            lines: 'a\nb',
            ret: 'a\rb',
            kept: 2.5,
          },
        }),
      ),
    ).toBe(`m kept=2.5 ${T}`);
  });

  it('leaves out null and undefined fields, and null or empty tags', () => {
    expect(
      encodePoint(
        point({ tags: { a: null, b: '', c: undefined, d: 'x' }, fields: { n: null, u: undefined, f: 1 } }),
      ),
    ).toBe(`m,d=x f=1 ${T}`);
  });

  it('leaves out a point with no field left (null), as InfluxDB refuses one', () => {
    expect(encodePoint(point({ fields: { nan: Number.NaN, n: null } }))).toBeNull();
    expect(encodePoint(point({ fields: {} }))).toBeNull();
  });

  it('sorts tags by the bytes of their keys, as InfluxDB does (not by UTF-16 code units)', () => {
    // 'ｚ' (U+FF5A) is EF BD 9A in UTF-8 and sorts before 🍭 (F0 …); in UTF-16 it sorts after.
    expect(encodePoint(point({ tags: { b: '2', '🍭': '4', a: '1', B: '0', ｚ: '3' } }))).toBe(
      `m,B=0,a=1,b=2,ｚ=3,🍭=4 f=1 ${T}`,
    );
  });
});

describe('encodePoint: what it refuses (LineProtocolError)', () => {
  const refusal = (fields: Partial<InfluxPoint>) => {
    try {
      encodePoint(point(fields));
    } catch (error) {
      expect(error).toBeInstanceOf(LineProtocolError);
      const { code, what } = error as LineProtocolError;
      return { code, what };
    }
    throw new Error('not refused');
  };

  it.each<[string, Partial<InfluxPoint>, LineProtocolError['code'], string]>([
    ['an empty measurement', { measurement: '' }, 'INVALID_NAME', 'measurement ""'],
    ['a measurement with a line break', { measurement: 'a\nb' }, 'INVALID_NAME', 'measurement "a\\nb"'],
    ['a measurement with a backslash', { measurement: 'a\\' }, 'INVALID_NAME', 'measurement "a\\\\"'],
    ['a measurement starting with _', { measurement: '_m' }, 'INVALID_NAME', 'measurement "_m"'],
    ['a measurement starting with # (a comment)', { measurement: '#m' }, 'INVALID_NAME', 'measurement "#m"'],
    ['a tag key time', { tags: { time: 'x' } }, 'INVALID_NAME', 'tag key "time"'],
    ['a field key _field', { fields: { _field: 1 } }, 'INVALID_NAME', 'field key "_field"'],
    ['a field key with a carriage return', { fields: { 'a\rb': 1 } }, 'INVALID_NAME', 'field key "a\\rb"'],
    ['a tag value ending in a backslash', { tags: { t: 'a\\' } }, 'INVALID_TAG_VALUE', 'tag t value "a\\\\"'],
    ['a tag value with a line break', { tags: { t: 'a\nb' } }, 'INVALID_TAG_VALUE', 'tag t value "a\\nb"'],
    ['a fractional timestamp', { timestampMs: 1.5 }, 'INVALID_TIMESTAMP', 'timestamp 1.5'],
    ['a timestamp that is not finite', { timestampMs: Number.NaN }, 'INVALID_TIMESTAMP', 'timestamp NaN'],
  ])('%s', (_name, fields, code, what) => {
    expect(refusal(fields)).toEqual({ code, what });
  });

  it('names the measurement and the reason in its message', () => {
    expect(() => encodePoint(point({ tags: { t: 'a\\' } }))).toThrow(
      'line protocol: m: tag t value "a\\\\": contains a backslash',
    );
  });
});

/*
 * Round trip: what encodePoint writes, the parser of the testing subpath (which reads as InfluxDB
 * does) reads back as the same point, minus exactly what line protocol cannot carry; and a name or
 * tag value it cannot carry is refused, never written as something else.
 */
describe('encodePoint ∘ parseLine (property)', () => {
  /** Heavy on the characters that need escaping, plus any text. */
  const tricky = fc.constantFrom(
    ',',
    '=',
    ' ',
    '"',
    "'",
    'a',
    'Z',
    '0',
    '.',
    '-',
    '\t',
    'é',
    '🍭',
    'ｚ',
    '#',
    '_',
  );
  const text = fc.oneof(
    fc.string({ unit: tricky, maxLength: 12 }),
    fc.string({ unit: 'grapheme', maxLength: 12 }),
  );
  const representable = (s: string) => s !== '' && !/[\n\r\\]/.test(s) && !/^[_\t\0]/.test(s) && s !== 'time';
  const name = text.filter(representable);
  const measurement = name.filter((s) => !s.startsWith('#'));
  const fieldValue: fc.Arbitrary<InfluxFieldValue | null> = fc.oneof(
    fc.double(),
    fc.oneof(fc.maxSafeInteger(), fc.constantFrom(2 ** 53, -(2 ** 53), 0.5)).map(integerField),
    fc.boolean(),
    fc.oneof(text, fc.string({ unit: fc.constantFrom('\\', '"', 'a', ' ', '\n'), maxLength: 8 })),
    fc.constant(null),
  );
  const writable = (value: InfluxFieldValue | null): value is InfluxFieldValue =>
    value !== null &&
    (typeof value === 'number'
      ? Number.isFinite(value)
      : typeof value === 'string'
        ? !/[\n\r]/.test(value)
        : typeof value === 'boolean' || Number.isSafeInteger(value.value));

  it('reads back what was written, minus what cannot be carried', () => {
    fc.assert(
      fc.property(
        measurement,
        fc.dictionary(name, fc.oneof(name, fc.constant('')), { maxKeys: 4 }),
        fc.dictionary(name, fieldValue, { maxKeys: 5 }),
        fc.maxSafeInteger(),
        (m, tags, fields, timestampMs) => {
          const line = encodePoint({ measurement: m, tags, fields, timestampMs });
          const expectedFields = Object.fromEntries(Object.entries(fields).filter(([, v]) => writable(v)));
          if (Object.keys(expectedFields).length === 0) {
            expect(line).toBeNull();
            return;
          }
          expect(line).not.toBeNull();
          expect(line).not.toMatch(/[\n\r]/);
          expect(parseLine(line as string)).toEqual({
            measurement: m,
            tags: Object.fromEntries(Object.entries(tags).filter(([, v]) => v !== '')),
            fields: expectedFields,
            timestampMs,
          });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('refuses names a real InfluxDB would keep under another name: a leading tab or NUL, a lone surrogate', () => {
    const at = 1_700_000_000_000;
    for (const [measurement, tags, fields, reason] of [
      ['\tpack', {}, { f: 1 }, /measurement "\\tpack": starts with a tab or NUL/],
      ['pack', { '\0k': 'v' }, { f: 1 }, /tag key "\\u0000k": starts with a tab or NUL/],
      ['pack', {}, { '\tvoltage_v': 1 }, /field key "\\tvoltage_v": starts with a tab or NUL/],
      ['pack', { location: 'module\uD8001' }, { f: 1 }, /lone UTF-16 surrogate/],
    ] as const) {
      expect(() => encodePoint({ measurement, tags, fields, timestampMs: at })).toThrow(reason);
    }
    // Inside a name a tab is kept; a string field with a lone surrogate is left out like a line break.
    expect(encodePoint({ measurement: 'pa\tck', tags: {}, fields: { f: 1 }, timestampMs: at })).toBe(
      `pa\tck f=1 ${at}`,
    );
    expect(
      encodePoint({
        measurement: 'pack',
        tags: {},
        fields: { detail: 'cell\uDC00 3', f: 1 },
        timestampMs: at,
      }),
    ).toBe(`pack f=1 ${at}`);
  });

  it('refuses a name or tag value with a backslash or a line break rather than write something else', () => {
    const anyName = fc.string({
      unit: fc.constantFrom('\\', '\n', '\r', ',', '=', ' ', 'a'),
      minLength: 1,
      maxLength: 6,
    });
    fc.assert(
      fc.property(anyName, anyName, (key, value) => {
        let line: string | null = null;
        try {
          line = encodePoint({ measurement: 'm', tags: { [key]: value }, fields: { f: 1 }, timestampMs: 0 });
        } catch (error) {
          expect(error).toBeInstanceOf(LineProtocolError);
          expect(/[\n\r\\]/.test(key) || /[\n\r\\]/.test(value)).toBe(true);
          return;
        }
        expect(parseLine(line as string).tags).toEqual({ [key]: value });
      }),
      { numRuns: 300 },
    );
  });
});
