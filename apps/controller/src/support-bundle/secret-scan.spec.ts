import { gunzipSync } from 'node:zlib';
import { included } from './bundle-input';
import { assertNoSecrets, MIN_SCANNED_SECRET_LENGTH, secretValues } from './secret-scan';
import { makeSupportBundle } from './support-bundle';
import { SupportBundleError } from './support-bundle-error';
import { bundleInput, INFLUX_TOKEN, MQTT_PASSWORD, runningConfig } from './testing/bundle-input-fixture';

const entry = (name: string, text: string) => ({ name, body: Buffer.from(text, 'utf8') });

/** The error `run` throws (it must throw a SupportBundleError). */
function refusal(run: () => unknown): SupportBundleError {
  try {
    run();
  } catch (error) {
    if (error instanceof SupportBundleError) return error;
    throw error;
  }
  throw new Error('the bundle was made');
}

describe('the safety net: no entry may hold a secret value', () => {
  it('a bundle whose status leaks a configured secret is refused, naming the entry and the setting, never the value', () => {
    const status = {
      outputs: { mqtt: { state: 'degraded', message: `login with ${MQTT_PASSWORD} refused` } },
    };
    const error = refusal(() => makeSupportBundle(bundleInput({ status: included(status) })));
    expect(error.code).toBe('SECRET_IN_BUNDLE');
    expect(error.entry).toBe('status.json');
    expect(error.message).toBe(
      'status.json holds the value of mqtt.password: the support bundle was not written',
    );
    expect(error.message).not.toContain(MQTT_PASSWORD);
  });

  it('catches a secret the redaction missed: the scan looks at every SECRET_CONFIG_PATHS, whatever the entries were redacted by', () => {
    // As if config.json's redaction had been given no secret paths: the token is in it in clear.
    const error = refusal(() => makeSupportBundle(bundleInput({ secretPaths: [] })));
    expect(error).toMatchObject({ code: 'SECRET_IN_BUNDLE', entry: 'config.json' });
    expect(error.message).toMatch(/^config\.json holds the value of (mqtt\.password|influxdb\.token):/);
  });

  it('a secret given only by the environment (TSBMS_…) leaking into the events is refused', () => {
    const token = 'env-only-ntfy-token-3e';
    const faultLog = included({ source: 'a fault log', events: [{ detail: `ntfy said no to ${token}` }] });
    const error = refusal(() =>
      makeSupportBundle(bundleInput({ env: { TSBMS_NOTIFICATIONS_NTFY_TOKEN: token }, faultLog })),
    );
    expect(error).toMatchObject({ code: 'SECRET_IN_BUNDLE', entry: 'events.json' });
    expect(error.message).toContain('TSBMS_NOTIFICATIONS_NTFY_TOKEN');
    expect(error.message).not.toContain(token);
  });

  it('finds a secret in its JSON-escaped form, and the password inside a URL', () => {
    const quoted = 'pa"ss\\word';
    const secrets = [{ origin: 'mqtt.password', value: quoted }];
    expect(() => assertNoSecrets([entry('status.json', JSON.stringify({ m: quoted }))], secrets)).toThrow(
      'status.json holds the value of mqtt.password',
    );
    const config = {
      ...runningConfig(),
      mqtt: { ...runningConfig().mqtt, url: 'mqtt://bms:Url%2Fpass-77@broker:1883' },
    };
    const found = secretValues(config, [], {});
    expect(found).toContainEqual({ origin: 'the password in mqtt.url', value: 'Url/pass-77' });
    expect(secretValues({}, [], { TSBMS_MQTT_URL: 'mqtt://u:envUrlPass@h:1883' })).toEqual([
      { origin: 'the password in TSBMS_MQTT_URL', value: 'envUrlPass' },
    ]);
  });

  it(`does not look for values shorter than ${MIN_SCANNED_SECRET_LENGTH} characters, nor for the environment's settings that are no secret`, () => {
    const found = secretValues({ mqtt: { password: 'abc' } }, ['mqtt.password'], {
      TSBMS_INFLUXDB_TOKEN: 'xyz',
      TSBMS_SERIAL_PATH: '/dev/ttyUSB0',
      TSBMS_INVERTER_INTERFACE: 'can0',
      TSBMS_STATE_FILE: '/var/lib/tsbms/state.json',
      TSBMS_HTTP_AUTH_USERNAME: 'admin',
      TSBMS_GOTIFY_OTHER: 'not-a-setting-variable',
    });
    expect(found).toEqual([]);
    expect(() =>
      assertNoSecrets([entry('status.json', '{"outputs":{"can":{"message":"can0: abc seen"}}}')], found),
    ).not.toThrow();
  });

  it('a clean bundle is made: the configured secrets are nowhere in its bytes', () => {
    const bundle = makeSupportBundle(bundleInput());
    const tar = gunzipSync(bundle.body);
    for (const secret of [MQTT_PASSWORD, INFLUX_TOKEN]) expect(tar.includes(Buffer.from(secret))).toBe(false);
    expect(bundle.fileName).toBe('tsbms-support-2026-12-06T061500Z.tar.gz');
    expect(bundle.files.map((file) => file.name)).toEqual([
      'README.txt',
      'config.json',
      'replay-config.json',
      'status.json',
      'events.json',
      'link-stats.json',
      'versions.json',
    ]);
  });
});
