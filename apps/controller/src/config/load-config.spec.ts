import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import {
  DEFAULT_CONTROLLER_CONFIG,
  ENV_OVERRIDABLE_PATHS,
  envVariableName,
  loadControllerConfig,
} from './index';
import { configErrorOf } from './testing/config-error';

const EXAMPLE = path.join(__dirname, 'config.example.yaml');

describe('loadControllerConfig', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsbms-config-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };

  const rejection = (file: string | undefined, env: NodeJS.ProcessEnv = {}) =>
    configErrorOf(() => loadControllerConfig(file, env));

  it('runs on the defaults without a file', () => {
    expect(loadControllerConfig(undefined, {})).toEqual(DEFAULT_CONTROLLER_CONFIG);
  });

  it('reads YAML', () => {
    const file = write(
      'bms.yaml',
      'cells:\n  cellHighVoltageV: 4.05 # lower for long life\npack:\n  moduleCount: 2\n',
    );
    const config = loadControllerConfig(file, {});
    expect(config.cells.cellHighVoltageV).toBe(4.05);
    expect(config.pack.moduleCount).toBe(2);
  });

  it('reads JSON whatever the file is called', () => {
    const file = write('bms.conf', JSON.stringify({ serial: { path: '/dev/ttyUSB0', baudRate: 617647 } }));
    expect(loadControllerConfig(file, {}).serial).toMatchObject({ path: '/dev/ttyUSB0', baudRate: 617647 });
  });

  it('refuses a missing file with CONFIG_FILE and the file name', () => {
    const file = path.join(dir, 'missing.yaml');
    const error = rejection(file);
    expect(error).toMatchObject({ code: 'CONFIG_FILE', file });
    expect(error.message).toMatch(new RegExp(`^${file}: cannot read the file: ENOENT`));
    expect(error.message).not.toContain('\n');
  });

  it('refuses a directory (unreadable as a file)', () => {
    expect(rejection(dir)).toMatchObject({ code: 'CONFIG_FILE', file: dir });
  });

  it('refuses invalid YAML with one line and the position', () => {
    const file = write('bad.yaml', 'cells:\n  cellHighVoltageV: 4.1\n   cellLowVoltageV: 3.6\n');
    const error = rejection(file);
    expect(error.code).toBe('CONFIG_FILE');
    expect(error.message).toMatch(new RegExp(`^${file}: invalid YAML/JSON: .* at line 2, column \\d+$`));
  });

  it('refuses a duplicated key', () => {
    const file = write('dup.yaml', 'pollIntervalS: 1\npollIntervalS: 2\n');
    expect(rejection(file).message).toBe(
      `${file}: invalid YAML/JSON: Map keys must be unique at line 2, column 1`,
    );
  });

  it('refuses an empty file rather than silently running on the defaults', () => {
    const file = write('empty.yaml', '# nothing here\n');
    expect(rejection(file).message).toBe(
      `${file}: the file holds no settings (write {} to run on the defaults)`,
    );
    expect(loadControllerConfig(write('all-defaults.yaml', '{}'), {})).toEqual(DEFAULT_CONTROLLER_CONFIG);
  });

  it('reports bad settings with the file name and the path', () => {
    const file = write('types.yaml', 'cells:\n  cellHighVoltageV: high\n');
    expect(rejection(file).message).toBe(`${file}: cells.cellHighVoltageV: expected number, received string`);
  });

  describe('environment overrides', () => {
    it('TSBMS_SERIAL_PATH sets serial.path over the file and the defaults', () => {
      const env = { TSBMS_SERIAL_PATH: '/dev/ttyAMA0' };
      expect(loadControllerConfig(undefined, env).serial.path).toBe('/dev/ttyAMA0');
      const file = write('c.yaml', 'serial:\n  path: /dev/ttyUSB0\n');
      expect(loadControllerConfig(file, env).serial.path).toBe('/dev/ttyAMA0');
      expect(loadControllerConfig(file, {}).serial.path).toBe('/dev/ttyUSB0');
    });

    it('ignores an empty variable', () => {
      expect(loadControllerConfig(undefined, { TSBMS_SERIAL_PATH: '' }).serial.path).toBeNull();
    });

    it('does not hide a wrong type in the file', () => {
      const file = write('c.yaml', 'serial: 5\n');
      expect(rejection(file, { TSBMS_SERIAL_PATH: '/dev/x' }).message).toBe(
        `${file}: serial: expected object, received number`,
      );
    });

    it('derives variable names from the config path', () => {
      expect(envVariableName('serial.path')).toBe('TSBMS_SERIAL_PATH');
      expect(envVariableName('gpio.chip')).toBe('TSBMS_GPIO_CHIP');
      expect(envVariableName('mqtt.password')).toBe('TSBMS_MQTT_PASSWORD');
      expect(envVariableName('http.basicAuthPassword')).toBe('TSBMS_HTTP_BASIC_AUTH_PASSWORD');
    });

    it('applies every listed override', () => {
      // Hash settings must look like a hash (scrypt$N$r$p$salt$hash); any string does elsewhere.
      // An interface name is a name, not a path.
      // A heartbeat URL is a URL.
      const valueFor = (p: string) =>
        p.endsWith('Hash')
          ? `scrypt$16$1$1$c2FsdHNhbHQ=$${btoa(p)}`
          : p === 'inverter.interface'
            ? 'can7'
            : p === 'notifications.heartbeat.url'
              ? 'https://hc-ping.com/from-env'
              : `/from/env/${p}`;
      const env = Object.fromEntries(ENV_OVERRIDABLE_PATHS.map((p) => [envVariableName(p), valueFor(p)]));
      // The channels whose secrets the environment gives are configured in the file.
      const file = write(
        'channels.yaml',
        [
          'notifications:',
          '  ntfy: { topic: tsbms-test }',
          '  gotify: { url: https://gotify.example.org, token: from-file }',
          '  webhook: { url: https://hooks.example.org/bms }',
          '  email: { host: smtp.example.org, from: bms@example.org, to: [me@example.org] }',
          '',
        ].join('\n'),
      );
      const config = loadControllerConfig(file, env);
      expect(config.serial.path).toBe('/from/env/serial.path');
      expect(config.gpio.chip).toBe('/from/env/gpio.chip');
      expect(config.inverter.interface).toBe('can7');
      expect(config.notifications.gotify?.token).toBe('/from/env/notifications.gotify.token');
      expect(config.notifications.email?.password).toBe('/from/env/notifications.email.password');
      // A heartbeat needs nothing but its URL: the environment alone switches it on.
      expect(config.notifications.heartbeat).toEqual({ url: 'https://hc-ping.com/from-env', intervalS: 60 });
    });

    it('refuses TSBMS_CAN_INTERFACE, renamed with its section, rather than quietly ignoring it', () => {
      expect(rejection(undefined, { TSBMS_CAN_INTERFACE: 'can0' }).message).toBe(
        'environment: inverter.interface: TSBMS_CAN_INTERFACE was renamed TSBMS_INVERTER_INTERFACE: set that instead',
      );
      expect(loadControllerConfig(undefined, { TSBMS_INVERTER_INTERFACE: 'can0' }).inverter.interface).toBe(
        'can0',
      );
    });
  });

  describe('config.example.yaml', () => {
    it('parses and equals the defaults', () => {
      expect(loadControllerConfig(EXAMPLE, {})).toEqual(DEFAULT_CONTROLLER_CONFIG);
    });

    it('spells out every setting (the document itself, before defaults, equals them)', () => {
      expect(parse(fs.readFileSync(EXAMPLE, 'utf8'))).toEqual(DEFAULT_CONTROLLER_CONFIG);
    });

    it('has a comment before every group', () => {
      const lines = fs.readFileSync(EXAMPLE, 'utf8').split('\n');
      const groups = Object.keys(DEFAULT_CONTROLLER_CONFIG).filter((key) =>
        lines.some((line) => line === `${key}:`),
      );
      expect(groups.length).toBeGreaterThan(10);
      for (const group of groups) {
        const at = lines.indexOf(`${group}:`);
        expect(`${group}: ${lines[at - 1]}`).toMatch(new RegExp(`^${group}: #`));
      }
    });
  });
});
