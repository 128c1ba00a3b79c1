import { integerField } from '../line-protocol';
import { LineProtocolParseError, parseLine, parseLines } from './line-protocol-parser';

/* The reader on lines written by hand (the reference's examples), not by encodePoint. */
describe('parseLine', () => {
  it('reads measurement, tags, fields and timestamp', () => {
    expect(
      parseLine('myMeasurement,tag1=value1,tag2=value2 fieldKey="fieldValue" 1556813561098000000'),
    ).toEqual({
      measurement: 'myMeasurement',
      tags: { tag1: 'value1', tag2: 'value2' },
      fields: { fieldKey: 'fieldValue' },
      timestampMs: 1556813561098000000,
    });
  });

  it('reads every field type: float, integer (i, u), booleans in all their spellings, string', () => {
    expect(
      parseLine('m a=1.5,b=-2e-7,c=3,d=42i,e=7u,f=t,g=True,h=FALSE,i=f,j=false,k="x y",l=.5 0').fields,
    ).toEqual({
      a: 1.5,
      b: -2e-7,
      c: 3,
      d: integerField(42),
      e: integerField(7),
      f: true,
      g: true,
      h: false,
      i: false,
      j: false,
      k: 'x y',
      l: 0.5,
    });
  });

  it('unescapes as InfluxDB does: \\, and \\space in a measurement; \\, \\= \\space in keys and tag values', () => {
    expect(parseLine('my\\ Measurement,tag\\ Key1=tag\\ Value1,t=a\\=b\\,c field\\ k\\,e\\=y=100 1')).toEqual(
      {
        measurement: 'my Measurement',
        tags: { 'tag Key1': 'tag Value1', t: 'a=b,c' },
        fields: { 'field k,e=y': 100 },
        timestampMs: 1,
      },
    );
  });

  it('keeps a backslash that escapes nothing, and \\= in a measurement, as they are', () => {
    expect(parseLine('a\\=b,t=C:\\x f=1').measurement).toBe('a\\=b');
    expect(parseLine('a\\=b,t=C:\\x f=1').tags).toEqual({ t: 'C:\\x' });
  });

  it('reads \\" and \\\\ inside a string field, and any other backslash as itself', () => {
    expect(parseLine('m s="\\"string\\" within a string",p="C:\\\\temp",o="a\\b" 1').fields).toEqual({
      s: '"string" within a string',
      p: 'C:\\temp',
      o: 'a\\b',
    });
  });

  it('takes a line without a timestamp (null)', () => {
    expect(parseLine('m f=1').timestampMs).toBeNull();
  });

  it.each([
    ['no fields', 'm 1', 'expected = after a field key'],
    ['no space before the fields', 'm,t=1', 'expected a space before the fields'],
    ['an empty tag value', 'm,t= f=1', 'empty tag value'],
    ['an unterminated string', 'm f="abc 1', 'unterminated string'],
    ['a field value that is nothing', 'm f=abc 1', 'not a field value: "abc"'],
    ['a timestamp that is not a number', 'm f=1 1.5', 'not a timestamp: "1.5"'],
    ['an empty measurement', ',t=1 f=1', 'empty measurement'],
  ])('refuses %s', (_name, line, reason) => {
    expect(() => parseLine(line)).toThrow(LineProtocolParseError);
    expect(() => parseLine(line)).toThrow(reason);
  });

  it('says where a line broke', () => {
    try {
      parseLine('m f=abc');
      throw new Error('not refused');
    } catch (error) {
      expect(error).toMatchObject({ code: 'MALFORMED_LINE', column: 4, line: 'm f=abc' });
    }
  });
});

describe('parseLines', () => {
  it('reads a body line by line, skipping empty lines and comments', () => {
    expect(
      parseLines('# a comment\na f=1 1\n\nb f=2 2\n').map((p) => [p.measurement, p.timestampMs]),
    ).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
  });
});
