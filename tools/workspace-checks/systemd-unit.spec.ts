import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const controllerRoot = path.resolve(__dirname, '..', '..');
const workspaceRoot = path.resolve(controllerRoot, '..', '..');
const unitFile = path.join(controllerRoot, 'deploy', 'tsbms-controller.service');

/** systemd's INI dialect as far as this unit uses it: sections, Key=Value, # and ; comments. */
function parseUnit(text: string): Record<string, Record<string, string>> {
  const sections: Record<string, Record<string, string>> = {};
  let current: Record<string, string> | undefined;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const section = /^\[(\w+)\]$/.exec(line);
    if (section !== null) {
      current = sections[section[1]] = {};
      return;
    }
    const assignment = /^(\w+)=(.*)$/.exec(line);
    if (assignment === null || current === undefined) throw new Error(`line ${index + 1}: not a key: ${raw}`);
    if (assignment[1] in current) throw new Error(`line ${index + 1}: ${assignment[1]} set twice`);
    current[assignment[1]] = assignment[2];
  });
  return sections;
}

describe('deploy/tsbms-controller.service', () => {
  const unit = parseUnit(readFileSync(unitFile, 'utf8'));

  it('has the three sections and nothing else', () => {
    expect(Object.keys(unit).sort()).toEqual(['Install', 'Service', 'Unit']);
    expect(unit.Install.WantedBy).toBe('multi-user.target');
    expect(unit.Unit.StartLimitIntervalSec).toBe('0');
  });

  it('is a notify service with the watchdog, restart and stop settings of the fail-safe', () => {
    expect(unit.Service).toMatchObject({
      Type: 'notify',
      NotifyAccess: 'all',
      WatchdogSec: '10',
      WatchdogSignal: 'SIGTERM',
      Restart: 'always',
      RestartSec: '2',
      KillSignal: 'SIGTERM',
      KillMode: 'mixed',
      TimeoutStopSec: '10',
    });
  });

  it('runs as a dedicated unprivileged user in the dialout group', () => {
    expect(unit.Service.User).toBe('tsbms');
    expect(unit.Service.User).not.toBe('root');
    expect(unit.Service.SupplementaryGroups.split(/\s+/)).toContain('dialout');
  });

  it('starts an entry point that exists in the repository, as npm start does', () => {
    const argv = unit.Service.ExecStart.split(/\s+/);
    expect(path.isAbsolute(argv[0])).toBe(true); // systemd wants an absolute executable
    const entries = argv.filter((arg) => /\.(ts|js)$/.test(arg));
    expect(entries).toEqual(['apps/controller/src/main.ts']);
    expect(existsSync(path.join(workspaceRoot, entries[0]))).toBe(true);
    const npmStart = JSON.parse(readFileSync(path.join(workspaceRoot, 'package.json'), 'utf8')).scripts
      .start as string;
    expect(argv.slice(1).join(' ')).toContain(npmStart.replace(/^node /, ''));
  });
});
