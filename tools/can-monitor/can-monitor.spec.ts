import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pylontechFrames } from '@tsbms/inverter-can';
import { chargingSnapshot, pylontechIdentity, recordingLines } from './testing/recordings';

const workspaceRoot = path.resolve(__dirname, '..', '..');
const ODD_FRAMES = 'tools/can-monitor/fixtures/odd-frames.log';

const cli = (...args: string[]) =>
  spawnSync(
    process.execPath,
    ['--conditions=@tsbms/source', '-r', '@swc-node/register', 'tools/can-monitor/can-monitor.ts', ...args],
    { cwd: workspaceRoot, encoding: 'utf8', timeout: 30_000 },
  );

describe('the can-monitor command line', () => {
  let dir: string;
  let pylontechLog: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'can-monitor-'));
    pylontechLog = path.join(dir, 'pylontech.log');
    const lines = recordingLines(() => pylontechFrames(chargingSnapshot, pylontechIdentity), 3);
    writeFileSync(pylontechLog, `${lines.join('\n')}\n`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('--summary: gaps, unparsed lines and schedule findings of the default profile, Victron; exit 0', () => {
    const summary = cli('--summary', ODD_FRAMES);
    expect(summary.status).toBe(0);
    expect(summary.stdout).toContain('0x351           2      2.800        0');
    expect(summary.stdout).toContain('0x123           1      0.000        1');
    expect(summary.stdout).toContain('1 line(s) were not candump -L frames');
    expect(summary.stdout).toContain('!! V-4: 0x351 gap of 2.800 s up to 1700000002.800000, more than 1.2 s');
  });

  it('--strict exits 1 when something was flagged, 0 when nothing was', () => {
    const flagged = cli('--strict', ODD_FRAMES);
    expect(flagged.status).toBe(1);
    expect(flagged.stdout).toContain('!! V-2: length 6, expected 8');
    // Per frame, the schedule findings follow the frames.
    expect(flagged.stdout.trimEnd().split('\n').at(-1)).toBe(
      '!! V-5: 0x355 never seen; it is sent every second',
    );
    const clean = cli('--strict', '--profile', 'pylontech', pylontechLog);
    expect([clean.status, clean.stderr]).toEqual([0, '']);
    expect(clean.stdout).not.toContain('!!');
    expect(clean.stdout.split('\n')[0]).toBe(
      '1700000000.000000 vcan0 0x359 protection: none; alarms: none; 4 modules "PN"',
    );
  });

  it('--profile=NAME with --json --summary: one object with the profile and its findings', () => {
    const json = cli('--profile=sma-sunny-island', '--json', '--summary', pylontechLog);
    expect(json.status).toBe(0);
    const summary = JSON.parse(json.stdout) as {
      profile: string;
      flaggedFrames: number;
      scheduleFindings: string[];
    };
    expect(summary.profile).toBe('sma-sunny-island');
    // Pylontech's 0x359 and 0x35C are no SMA frames (S-1), its 0x355 and 0x356 end in zeros (S-2)
    // and 0x355 has no HiResSOC (S-4); it sends no 0x35A or 0x35F.
    expect(summary.flaggedFrames).toBe(4 * 3);
    expect(summary.scheduleFindings).toEqual([
      'S-9: 0x35A never seen; it is sent every second',
      'S-9: 0x35F never seen; it is sent every second',
    ]);
  });

  it('an unknown option or profile exits 2 with the usage', () => {
    const badOption = cli('--frobnicate');
    expect(badOption.status).toBe(2);
    expect(badOption.stderr).toContain('unknown option --frobnicate');
    const badProfile = cli('--profile', 'growatt', ODD_FRAMES);
    expect(badProfile.status).toBe(2);
    expect(badProfile.stderr).toContain('unknown profile "growatt" (victron|pylontech|sma-sunny-island)');
    expect(badProfile.stderr).toContain('Usage: npm run can-monitor');
  });
});
