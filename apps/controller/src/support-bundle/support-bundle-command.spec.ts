import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Writable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { systemClock } from '@tsbms/hal';
import { scoped } from '@tsbms/test-support';
import { runScript } from '../e2e/process-harness';
import { BUNDLE_FILES } from './bundle-entries';
import { supportBundleCommand } from './support-bundle-command';
import {
  ALL_SECRETS,
  childEnvironment,
  ENV_SECRETS,
  ENV_SERIAL_PATH,
  extractWithSystemTar,
  RECORDED_SCANS,
  secretEnvironment,
  writeBundleFixture,
  type BundleFixture,
} from './testing/bundle-fixtures';

const SUPPORT_BUNDLE = 'apps/controller/src/support-bundle/main.ts';
const CONTROLLER = 'apps/controller/src/main.ts';
const CONTROLLER_VERSION = (
  JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }
).version;

jest.setTimeout(90_000);

let dir: string;
let fixture: BundleFixture;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tsbms-support-'));
  fixture = writeBundleFixture(dir, Date.now());
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const SIZE = '\\d+(\\.\\d)? (B|KiB)';

const json = (files: Map<string, Buffer>, name: string) =>
  JSON.parse(files.get(name)?.toString('utf8') ?? 'null');

/** Every planted secret that occurs in `bytes`: none may. */
const secretsIn = (bytes: Buffer) => ALL_SECRETS.filter((secret) => bytes.includes(Buffer.from(secret)));

function archivesIn(folder: string): string[] {
  return readdirSync(folder).filter((name) => /^tsbms-support-\d{4}-\d\d-\d\dT\d{6}Z\.tar\.gz$/.test(name));
}

describe('npm run support-bundle (a child process, as a user runs it)', () => {
  it(
    'from the files: every expected file, in its shape, and no planted secret in any byte; the recording replays',
    scoped(async (scope) => {
      // Run from elsewhere, as npm does (INIT_CWD = where the user typed it): the archive lands there.
      const result = await runScript(scope, SUPPORT_BUNDLE, ['--config', 'bms.yaml'], {
        env: childEnvironment({ ...secretEnvironment(), INIT_CWD: dir }),
      });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const [name] = archivesIn(dir);
      expect(name).toBeDefined();
      const archive = path.join(dir, name);
      expect(existsSync(`${archive}.tmp`)).toBe(false);

      // The path and the files with their sizes, and why the status is missing.
      const out = result.stdout.split('\n');
      expect(out[0]).toMatch(new RegExp(`^support-bundle: wrote ${escapeRegExp(archive)} \\(${SIZE}\\)$`));
      for (const file of BUNDLE_FILES) {
        expect(out).toContainEqual(expect.stringMatching(new RegExp(`^  ${escapeRegExp(file)} +${SIZE}$`)));
      }
      expect(result.stdout).toContain('not included: no running daemon was asked (--url)');

      const files = extractWithSystemTar(archive, path.join(dir, 'x'));
      expect([...files.keys()].sort()).toEqual([...BUNDLE_FILES].sort());

      // No secret anywhere: not in any extracted file, not in the archive's tar stream.
      for (const [file, bytes] of files)
        expect({ file, secrets: secretsIn(bytes) }).toEqual({ file, secrets: [] });
      expect(secretsIn(gunzipSync(readFileSync(archive)))).toEqual([]);

      // config.json: the running config, secrets ***, environment settings by name.
      const config = json(files, 'config.json');
      expect(config.config.pack.moduleCount).toBe(2);
      expect(config.config.mqtt.password).toBe('***');
      expect(config.config.mqtt.url).toBe('mqtt://bms:***@broker.local:1883');
      expect(config.config.http.auth).toEqual({
        username: '$TSBMS_HTTP_AUTH_USERNAME',
        passwordHash: '***',
        bearerTokenHash: '***',
      });
      expect(config.config.notifications.ntfy.token).toBe('***');
      expect(config.config.notifications.webhook.bearerToken).toBe('***');
      expect(config.config.influxdb.token).toBe('***');
      expect(config.config.serial.path).toBe('$TSBMS_SERIAL_PATH');
      expect(config.environment).toEqual({
        'serial.path': 'TSBMS_SERIAL_PATH',
        'mqtt.password': 'TSBMS_MQTT_PASSWORD',
        'http.auth.username': 'TSBMS_HTTP_AUTH_USERNAME',
        'http.auth.passwordHash': 'TSBMS_HTTP_AUTH_PASSWORD_HASH',
        'notifications.webhook.bearerToken': 'TSBMS_NOTIFICATIONS_WEBHOOK_BEARER_TOKEN',
        'influxdb.token': 'TSBMS_INFLUXDB_TOKEN',
      });
      for (const [file, bytes] of files)
        expect({ file, serial: bytes.includes(ENV_SERIAL_PATH) }).toEqual({ file, serial: false });

      // status.json: no daemon asked, the state file instead.
      const status = json(files, 'status.json');
      expect(status.notIncluded).toMatch(/no running daemon was asked/);
      expect(status.savedState.state.soc.socPercent).toBe(61.5);
      expect(status.savedState.state.faults.faults).toEqual([
        expect.objectContaining({ kind: 'cellOverVoltage' }),
      ]);

      // events.json: the history file's events (read-only); no fault log without a daemon.
      const events = json(files, 'events.json');
      expect(events.faultLog.notIncluded).toMatch(/no running daemon was asked/);
      expect(events.history.source).toBe(`the history file ${fixture.historyFile}`);
      expect(events.history.events.map((e: { kind: string }) => e.kind)).toEqual(['raise', 'contactors']);
      expect(json(files, 'link-stats.json').notIncluded).toMatch(/no running daemon was asked/);

      const versions = json(files, 'versions.json');
      expect(versions).toMatchObject({
        controller: CONTROLLER_VERSION,
        node: process.version,
        platform: process.platform,
        arch: process.arch,
      });
      expect(versions.packages['@tsbms/bms-core']).toMatch(/^\d+\.\d+\.\d+/);
      expect(versions.packages['@tsbms/history']).toMatch(/^\d+\.\d+\.\d+/);

      // recording.jsonl: the whole (small) recording, byte for byte.
      expect(files.get('recording.jsonl')?.equals(fixture.recording)).toBe(true);
      const replayConfig = json(files, 'replay-config.json');
      expect(replayConfig.pack.moduleCount).toBe(2);
      expect(Object.keys(replayConfig)).not.toEqual(expect.arrayContaining(['mqtt']));
      expect(replayConfig).not.toHaveProperty('recordFile');

      // README.txt: each file, and the replay command, which works as written.
      const readme = files.get('README.txt')?.toString('utf8') ?? '';
      for (const file of BUNDLE_FILES) expect(readme).toContain(`  ${file} `);
      const command =
        'npm run controller -- --replay "$B/recording.jsonl" --config "$B/replay-config.json" --pace fast';
      expect(readme).toContain(command);
      expect(readme).toContain('starts at a full line');
      const B = path.join(dir, 'x');
      const replay = await runScript(
        scope,
        CONTROLLER,
        ['--replay', `${B}/recording.jsonl`, '--config', `${B}/replay-config.json`, '--pace', 'fast'],
        { env: childEnvironment({}) },
      );
      expect(replay.stderr).toContain(`replayed ${RECORDED_SCANS} scans`);
      expect(replay.code).toBe(0);
    }),
  );

  it(
    'with --url: the daemon’s status, fault log and per-module bus counters, asked with the token; the token is not in it',
    scoped(async (scope) => {
      const status = {
        timestampMs: Date.now(),
        comms: { framesOk: 1520, crcErrors: 3, timeouts: 2 },
        outputs: { can: { state: 'ok', message: 'can0: GX seen 0.4 s ago' } },
      };
      const faultEvents = [{ type: 'raise', timestampMs: Date.now() - 1000, kind: 'cellOverVoltage' }];
      const metrics = [
        '# HELP tsbms_comms_frames_ok_total Frames answered, by module address',
        '# TYPE tsbms_comms_frames_ok_total counter',
        'tsbms_comms_frames_ok_total{address="1"} 760',
        'tsbms_comms_frames_ok_total{address="2"} 758',
        'tsbms_comms_crc_errors_total{address="2"} 3',
        'tsbms_soc_percent 61.5',
      ].join('\n');
      const authorizations: (string | undefined)[] = [];
      const daemon = http.createServer((req, res) => {
        authorizations.push(req.headers.authorization);
        const body =
          req.url === '/api/status'
            ? JSON.stringify(status)
            : req.url === '/api/events'
              ? JSON.stringify({ events: faultEvents })
              : req.url === '/metrics'
                ? metrics
                : null;
        res.writeHead(body === null ? 404 : 200, {
          'content-type': req.url === '/metrics' ? 'text/plain' : 'application/json',
        });
        res.end(body ?? '{"error":{"code":"NOT_FOUND","message":"no such API route"}}');
      });
      await new Promise<void>((resolve) => daemon.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(daemon.address() as AddressInfo).port}`;
      const token = 'cli-api-token-2f6a';
      try {
        const result = await runScript(
          scope,
          SUPPORT_BUNDLE,
          [
            '--config',
            fixture.configFile,
            '--url',
            url,
            '--token',
            token,
            '--out',
            path.join(dir, 'bundle.tar.gz'),
          ],
          { env: childEnvironment(secretEnvironment()) },
        );
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        expect(result.stdout).not.toContain('not included');
        expect(authorizations).toEqual([`Bearer ${token}`, `Bearer ${token}`, `Bearer ${token}`]);
        const files = extractWithSystemTar(path.join(dir, 'bundle.tar.gz'), path.join(dir, 'x'));
        expect(json(files, 'status.json')).toEqual(status);
        expect(json(files, 'events.json').faultLog.events).toEqual(faultEvents);
        expect(json(files, 'link-stats.json')).toEqual({
          totals: status.comms,
          perModule: { 1: { framesOk: 760 }, 2: { framesOk: 758, crcErrors: 3 } },
        });
        for (const [file, bytes] of files) {
          expect({ file, secrets: secretsIn(bytes), token: bytes.includes(token) }).toEqual({
            file,
            secrets: [],
            token: false,
          });
        }
      } finally {
        await new Promise((resolve) => daemon.close(resolve));
      }
    }),
  );

  it(
    'refuses to write a bundle when a secret turns up where none is expected (the daemon’s status), naming where, never the value',
    scoped(async (scope) => {
      const leaky = {
        outputs: { mqtt: { state: 'degraded', message: `login ${ENV_SECRETS.TSBMS_MQTT_PASSWORD} refused` } },
      };
      const daemon = http.createServer((req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          req.url === '/api/status'
            ? JSON.stringify(leaky)
            : req.url === '/api/events'
              ? '{"events":[]}'
              : '',
        );
      });
      await new Promise<void>((resolve) => daemon.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(daemon.address() as AddressInfo).port}`;
      try {
        const result = await runScript(
          scope,
          SUPPORT_BUNDLE,
          ['--config', fixture.configFile, '--url', url],
          {
            env: childEnvironment({ ...secretEnvironment(), INIT_CWD: dir }),
          },
        );
        expect(result.code).toBe(1);
        expect(result.stderr).toBe(
          'support-bundle: status.json holds the value of mqtt.password: the support bundle was not written\n',
        );
        expect(result.stdout).toBe('');
        expect(archivesIn(dir)).toEqual([]);
        expect(readdirSync(dir).filter((file) => file.includes('tsbms-support'))).toEqual([]);
      } finally {
        await new Promise((resolve) => daemon.close(resolve));
      }
    }),
  );
});

describe('supportBundleCommand: options and failures (in-process)', () => {
  function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
    let stdout = '';
    let stderr = '';
    const sink = (append: (text: string) => void) =>
      ({ write: (chunk: string) => (append(chunk), true) }) as unknown as Writable;
    return supportBundleCommand(argv, {
      stdout: sink((text) => (stdout += text)),
      stderr: sink((text) => (stderr += text)),
      env,
      clock: systemClock,
      controllerVersion: '9.9.9',
      cwd: dir,
    }).then((code) => ({ code, stdout, stderr }));
  }

  it.each([
    [[], '--config FILE is needed'],
    [['--config', 'bms.yaml', '--token', 'abcd'], '--token and --user go with --url'],
    [['--config', 'bms.yaml', '--url', 'ftp://x'], '--url must start with http:// or https://, not ftp://'],
    [
      ['--config', 'bms.yaml', '--url', 'http://a:b@127.0.0.1'],
      '--url takes no credentials: use --token or --user',
    ],
    [['--config', 'bms.yaml', '--url', 'http://127.0.0.1', '--user', 'admin'], '--user takes NAME:PASSWORD'],
    [['--config', 'bms.yaml', '--nonsense'], "Unknown option '--nonsense'"],
  ])('%j: exit 2 with one line and the usage', async (argv, message) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toContain(`support-bundle: ${message}`);
    expect(result.stderr).toContain('Usage: npm run support-bundle');
  });

  it('a missing config file: exit 1, one line', async () => {
    const result = await run(['--config', 'missing.yaml']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^support-bundle: .*missing\.yaml.*\n$/);
  });

  it('a daemon that does not answer: exit 1, one line naming it', async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const result = await run(['--config', fixture.configFile, '--url', `http://127.0.0.1:${port}`]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^support-bundle: cannot reach the daemon at http://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED.*\n$`,
      ),
    );
  });

  it('--out a folder: the default name in it; the recording tail is there without a daemon', async () => {
    const result = await run(['--config', fixture.configFile, '--out', '.'], secretEnvironment());
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(archivesIn(dir)).toHaveLength(1);
    expect(result.stdout).toMatch(new RegExp(`\n  recording\\.jsonl +${SIZE}\n`));
  });
});
