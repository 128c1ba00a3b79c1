import { ConfigChangeError, isConfigChangeError } from './output-service';

describe('ConfigChangeError', () => {
  it('has a line per issue, PATH: REASON, and the first issue as configPath and reason', () => {
    const error = new ConfigChangeError('INVALID_CONFIG', [
      { configPath: 'mqtt.url', reason: 'not a URL' },
      { configPath: 'http.port', reason: 'must be at most 65535' },
    ]);
    expect(error.message).toBe('mqtt.url: not a URL\nhttp.port: must be at most 65535');
    expect(error).toMatchObject({ code: 'INVALID_CONFIG', configPath: 'mqtt.url', reason: 'not a URL' });
  });

  it('leaves an empty config path out of the line (a problem with the file as a whole)', () => {
    expect(new ConfigChangeError('CONFIG_FILE', [{ configPath: '', reason: 'no config file' }]).message).toBe(
      'no config file',
    );
  });

  it('takes the message of an application that words it its own way', () => {
    const error = new ConfigChangeError(
      'PROTECTED_SETTING',
      [{ configPath: 'a.b', reason: 'r' }],
      'f.yaml: a.b: r',
    );
    expect(error.message).toBe('f.yaml: a.b: r');
  });

  it('is recognised, an application subclass too; anything else is not', () => {
    class AppConfigError extends ConfigChangeError {}
    expect(
      isConfigChangeError(new ConfigChangeError('INVALID_CONFIG', [{ configPath: 'x', reason: 'y' }])),
    ).toBe(true);
    expect(isConfigChangeError(new AppConfigError('CONFIG_FILE', [{ configPath: '', reason: 'gone' }]))).toBe(
      true,
    );
    expect(isConfigChangeError(new Error('INVALID_CONFIG'))).toBe(false);
    expect(isConfigChangeError({ code: 'INVALID_CONFIG', issues: [] })).toBe(false);
  });
});
