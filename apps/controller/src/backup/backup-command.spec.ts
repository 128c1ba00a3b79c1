import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { ManualClock } from '@tsbms/hal';
import { parse } from 'yaml';
import { backupCommand } from './backup-command';

/*
 * The CLI on real files in a temporary folder: a controller's config (YAML, with a secret) and
 * state file exported, then imported onto another machine's files.
 */

const NOW = Date.UTC(2026, 11, 5, 12);
const CONFIG_YAML = `# the garage pack
pack:
  moduleCount: 4
  parallelStringCount: 2
mqtt:
  url: mqtt://broker.lan:1883
  username: bms
  password: broker-secret
inverter:
  profile: sma-sunny-island
  interface: can0
`;
const STATE = {
  version: 1,
  faults: {
    version: 1,
    faults: [
      {
        kind: 'moduleCommsLoss',
        level: 'fault',
        location: { moduleAddress: 3 },
        value: null,
        sinceMs: NOW - 3_600_000,
      },
    ],
  },
  soc: { socPercent: 41.2, sohPercent: 96, timestampMs: NOW - 60_000 },
  energy: { chargedAh: 10, dischargedAh: 12, chargedWh: 500, dischargedWh: 600 },
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tsbms-backup-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function run(argv: string[], modifiedAtMs: (file: string) => number | null = () => null) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const code = backupCommand(argv, {
    stdout,
    stderr,
    env: {},
    clock: new ManualClock(NOW),
    controllerVersion: '0.1.0',
    modifiedAtMs,
  });
  return { code, stdout: String(stdout.read() ?? ''), stderr: String(stderr.read() ?? '') };
}
const file = (name: string) => path.join(dir, name);
/** A controller's files: its config and state. */
function machine(name: string, configText: string, state: unknown | null) {
  const config = file(`${name}.yaml`);
  writeFileSync(config, configText);
  if (state !== null) writeFileSync(`${config}.state.json`, `${JSON.stringify(state)}\n`);
  return config;
}

describe('npm run backup', () => {
  it('export then import onto another machine: the same settings and state, that machine keeping its own secret', () => {
    const source = machine('garage', CONFIG_YAML, STATE);
    expect(run(['export', '--config', source, '--out', file('backup.json')]).code).toBe(0);
    const backup = readFileSync(file('backup.json'), 'utf8');
    expect(backup).not.toContain('broker-secret');

    const target = machine('new-box', 'mqtt:\n  password: new-box-secret\n', {
      version: 1,
      faults: null,
      soc: null,
    });
    const imported = run(['import', '--config', target, file('backup.json')]);
    expect(imported).toMatchObject({ code: 0, stderr: '' });
    expect(imported.stdout).toContain('1 latched fault(s), SoC 41.2 %');
    expect(parse(readFileSync(target, 'utf8'))).toEqual({
      ...parse(CONFIG_YAML),
      mqtt: { url: 'mqtt://broker.lan:1883', username: 'bms', password: 'new-box-secret' },
    });
    expect(JSON.parse(readFileSync(`${target}.state.json`, 'utf8'))).toEqual(STATE);
    // The former files are kept.
    expect(readFileSync(`${target}.previous`, 'utf8')).toBe('mqtt:\n  password: new-box-secret\n');
    expect(existsSync(`${target}.state.json.previous`)).toBe(true);
  });

  it('export to stdout and import onto the same machine: identical files but for the comments', () => {
    const config = machine('garage', CONFIG_YAML, STATE);
    const exported = run(['export', '--config', config]);
    writeFileSync(file('backup.json'), exported.stdout);
    expect(run(['import', '--config', config, file('backup.json')]).code).toBe(0);
    expect(parse(readFileSync(config, 'utf8'))).toEqual(parse(CONFIG_YAML));
    expect(JSON.parse(readFileSync(`${config}.state.json`, 'utf8'))).toEqual(STATE);
  });

  it('a tampered backup is refused with the path of the bad value, and nothing changes', () => {
    const config = machine('garage', CONFIG_YAML, STATE);
    const backup = JSON.parse(run(['export', '--config', config]).stdout) as {
      state: { faults: { faults: Array<{ location: { moduleAddress: number } }> } };
    };
    backup.state.faults.faults[0].location.moduleAddress = 99;
    writeFileSync(file('backup.json'), JSON.stringify(backup));
    const before = [readFileSync(config, 'utf8'), readFileSync(`${config}.state.json`, 'utf8')];
    const refused = run(['import', '--config', config, file('backup.json')]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /^backup: .*backup\.json: state\.faults\.faults\[0\]\.location\.moduleAddress: /,
    );
    expect([readFileSync(config, 'utf8'), readFileSync(`${config}.state.json`, 'utf8')]).toEqual(before);
  });

  it('refuses while the state file was saved moments ago (a running controller), unless --force', () => {
    const config = machine('garage', CONFIG_YAML, STATE);
    writeFileSync(file('backup.json'), run(['export', '--config', config]).stdout);
    const running = run(['import', '--config', config, file('backup.json')], () => NOW - 30_000);
    expect(running.code).toBe(1);
    expect(running.stderr).toContain('saved 30 s ago: a controller seems to run');
    expect(run(['import', '--config', config, file('backup.json'), '--force'], () => NOW - 30_000).code).toBe(
      0,
    );
  });

  it('--dry-run checks and changes nothing', () => {
    const config = machine('garage', CONFIG_YAML, STATE);
    writeFileSync(file('backup.json'), run(['export', '--config', config]).stdout);
    const target = machine('other', 'pack:\n  moduleCount: 2\n', null);
    const dry = run(['import', '--config', target, file('backup.json'), '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('is valid');
    expect(readFileSync(target, 'utf8')).toBe('pack:\n  moduleCount: 2\n');
    expect(existsSync(`${target}.state.json`)).toBe(false);
  });

  it.each([
    [[], 'say export or import'],
    [['export'], '--config FILE is needed'],
    [['import', '--config', 'x.yaml'], 'import takes one backup file'],
  ])('refuses %j with usage, exit 2', (argv, message) => {
    const result = run(argv);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(`backup: ${message}`);
  });
});
