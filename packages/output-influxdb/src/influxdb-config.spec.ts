import { INFLUXDB_SECRET_CONFIG_PATHS, influxDbConfigSchema } from './influxdb-config';

const issues = (input: unknown) => {
  const result = influxDbConfigSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};
const ENABLED = { enabled: true, url: 'http://influxdb.local:8086', org: 'home', bucket: 'battery' };

describe('influxDbConfigSchema (the influxdb section)', () => {
  it('is off by default, with every default filled in for an absent section', () => {
    expect(influxDbConfigSchema.parse(undefined)).toEqual({
      enabled: false,
      url: null,
      org: null,
      bucket: null,
      token: null,
      pack: 'tsbms',
      intervalS: 10,
      flushIntervalS: 10,
      cells: true,
      temperatures: true,
      maxBufferedLines: 50_000,
      timeoutMs: 10_000,
    });
  });

  it('needs url, org and bucket when enabled, each named by its path', () => {
    expect(issues({ enabled: true })).toEqual([
      'url: required when influxdb.enabled is true',
      'org: required when influxdb.enabled is true',
      'bucket: required when influxdb.enabled is true',
    ]);
    expect(issues({ ...ENABLED, bucket: null })).toEqual(['bucket: required when influxdb.enabled is true']);
    expect(issues(ENABLED)).toEqual([]);
    expect(issues({ enabled: false, url: null })).toEqual([]);
  });

  it.each([
    ['https://eu-central-1-1.aws.cloud2.influxdata.com', true],
    ['http://192.168.1.5:8086', true],
    ['https://example.org/influx/', true],
    ['ftp://influxdb.local', false],
    ['influxdb.local:8086', false],
    ['http://user:pass@influxdb.local:8086', false],
    ['http://influxdb.local:8086/?org=x', false],
    ['http://influxdb.local:8086/#x', false],
    ['http://influx db.local', false],
  ])('url %s accepted: %s', (url, ok) => {
    expect(issues({ ...ENABLED, url }).length === 0).toBe(ok);
  });

  it('a pack tag line protocol writes as it is', () => {
    expect(issues({ pack: 'garage-2.b_1' })).toEqual([]);
    for (const pack of ['', 'a b', 'a,b', 'a\\b', '_a', 'x'.repeat(41)])
      expect(issues({ pack })).toHaveLength(1);
  });

  it('bounds the intervals, the buffer and the timeout, saying why', () => {
    expect(issues({ intervalS: 0.5 })).toHaveLength(1);
    expect(issues({ intervalS: 3601 })).toEqual([
      'intervalS: at most 3600 s: readings an hour apart show neither a charge nor a discharge',
    ]);
    expect(issues({ flushIntervalS: 3601 })[0]).toMatch(/^flushIntervalS: at most 3600 s/);
    expect(issues({ maxBufferedLines: 1_000_001 })[0]).toMatch(/^maxBufferedLines: at most 1000000 lines/);
    expect(issues({ maxBufferedLines: 99 })).toHaveLength(1);
    expect(issues({ maxBufferedLines: 1000.5 })).toHaveLength(1);
    expect(issues({ timeoutMs: 60_001 })[0]).toMatch(/^timeoutMs: at most 60000 ms/);
  });

  it('refuses unknown keys (a typo is not silently ignored)', () => {
    expect(issues({ buckt: 'x' })).toHaveLength(1);
  });

  it('names its one secret for the application (TSBMS_INFLUXDB_TOKEN)', () => {
    expect(INFLUXDB_SECRET_CONFIG_PATHS).toEqual(['influxdb.token']);
    expect(influxDbConfigSchema.parse({ ...ENABLED, token: 'abc' }).token).toBe('abc');
    expect(issues({ token: '' })).toHaveLength(1);
  });
});
