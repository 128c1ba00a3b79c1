import { parsePrometheusText, PromParseError, sampleValue } from './prometheus-text';

describe('strict Prometheus text parser (test support)', () => {
  it('parses families, labels with escapes, special values and timestamps', () => {
    const families = parsePrometheusText(
      [
        '# HELP a_volts A voltage',
        '# TYPE a_volts gauge',
        'a_volts{module="1",cell="2"} 3.91',
        'a_volts{module="x\\"y\\\\z\\n"} -1e-3 1700000000000',
        '# TYPE b_total counter',
        'b_total +Inf',
        'b_total{l="NaN"} NaN',
        '',
      ].join('\n'),
    );
    expect(sampleValue(families, 'a_volts', { module: '1', cell: '2' })).toBe(3.91);
    expect(sampleValue(families, 'a_volts', { module: 'x"y\\z\n' })).toBe(-0.001);
    expect(sampleValue(families, 'b_total')).toBe(Number.POSITIVE_INFINITY);
    expect(families.get('a_volts')?.help).toBe('A voltage');
  });

  it.each([
    ['no trailing newline', '# TYPE a gauge\na 1'],
    ['bad value', '# TYPE a gauge\na one\n'],
    ['unquoted label', '# TYPE a gauge\na{m=1} 1\n'],
    ['unterminated label', '# TYPE a gauge\na{m="1} 1\n'],
    ['bad escape', '# TYPE a gauge\na{m="\\t"} 1\n'],
    ['duplicate label', '# TYPE a gauge\na{m="1",m="2"} 1\n'],
    ['sample of another family', '# TYPE a gauge\nb 1\n'],
    ['bad type', '# TYPE a gauges\na 1\n'],
    ['TYPE after samples', '# TYPE a gauge\na 1\n# TYPE a gauge\n'],
    ['bad metric name', '# TYPE 1a gauge\n1a 1\n'],
    ['split family', '# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\n# HELP a again\n'],
    ['missing value', '# TYPE a gauge\na\n'],
  ])('rejects %s', (_name, text) => {
    expect(() => parsePrometheusText(text)).toThrow(PromParseError);
  });
});
