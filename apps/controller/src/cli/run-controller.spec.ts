import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { runController } from './run-controller';

/*
 * Issue 5: every kind of bad config file ends the controller with exit code 2 and one line on
 * stderr that names the file and the setting, before anything is opened.
 */
let dir: string;
beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), 'tsbms-bad-config-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function runWith(configText: string | null) {
  const file = path.join(dir, `bms-${Math.random().toString(36).slice(2)}.yaml`);
  if (configText !== null) writeFileSync(file, configText);
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk) => (out += chunk));
  stderr.on('data', (chunk) => (err += chunk));
  const code = await runController(['--once', '--config', file], { stdout, stderr, env: {} });
  return { code, out, err, file };
}

describe('runController with a bad config file', () => {
  it.each([
    ['a wrong type', 'cells:\n  cellHighVoltageV: high\n', /cells\.cellHighVoltageV: .*number/],
    ['an unknown key', 'cells:\n  cellHighVoltage: 4.1\n', /cells\.cellHighVoltage: unknown key$/],
    [
      'thresholds out of order',
      'cells:\n  cellHighVoltageV: 3.5\n  cellLowVoltageV: 3.6\n',
      /cells\.cell(High|Low)VoltageV: /,
    ],
    ['invalid YAML', 'cells:\n  cellHighVoltageV: [4.1\n', /invalid YAML\/JSON: /],
    ['a missing file', null, /cannot read the file: .*ENOENT/],
    // What an output would fail on at start is a bad configuration too, not a silent missing output.
    [
      'an MQTT url that is not mqtt://',
      'mqtt:\n  url: http://127.0.0.1:1883\n',
      /mqtt\.url: must start with mqtt:\/\//,
    ],
    [
      'an MQTT CA file that cannot be read',
      'mqtt:\n  url: mqtts://127.0.0.1:8883\n  tls:\n    caFile: /nonexistent/ca.pem\n',
      /mqtt\.tls\.caFile: cannot read \/nonexistent\/ca\.pem/,
    ],
    [
      'a password hash scrypt would refuse (N = 2^32)',
      `http:\n  auth:\n    username: admin\n    passwordHash: scrypt$4294967296$8$1$c2FsdHNhbHQ=$${'A'.repeat(43)}=\n`,
      /http\.auth\.passwordHash: /,
    ],
  ])('%s: exit 2, one line naming the file and the setting', async (_case, text, reason) => {
    const result = await runWith(text);
    expect(result.code).toBe(2);
    expect(result.out).toBe('');
    const lines = result.err.split('\n').filter((line) => line !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0].startsWith(`controller: ${result.file}: `)).toBe(true);
    expect(lines[0]).toMatch(reason);
  });
});
