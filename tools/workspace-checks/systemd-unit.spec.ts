import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { PRODUCTION_NODE_FLAGS } from '../deploy/node-flags';
import { workspaceRoot } from './spec-support/libraries';

/*
 * The controller's systemd unit (apps/controller/deploy): the fail-safe settings, an unprivileged
 * user, and the production bundle started as the deployed folder's `npm start` starts it.
 */

const controllerRoot = path.join(workspaceRoot, 'apps', 'controller');
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

  it('starts the production bundle with the production Node flags, where the deploy README puts it', () => {
    const [node, ...args] = unit.Service.ExecStart.split(/\s+/);
    expect(path.isAbsolute(node)).toBe(true); // systemd wants an absolute executable
    expect(args).toEqual([
      ...PRODUCTION_NODE_FLAGS,
      '/opt/tsbms/main.js',
      '--config',
      '/etc/tsbms/controller.yaml',
    ]);
    expect(unit.Service.WorkingDirectory).toBe('/opt/tsbms');
    // The build's entry and output: what `npm run build:prod` leaves in dist/apps/controller/main.js.
    const build = JSON.parse(readFileSync(path.join(controllerRoot, 'package.json'), 'utf8')).nx.targets.build
      .options as { main: string; outputPath: string };
    expect(build).toMatchObject({ main: 'apps/controller/src/main.ts', outputPath: 'dist/apps/controller' });
  });

  it('runs the bundle as npm run start:prod does', () => {
    const scripts = JSON.parse(readFileSync(path.join(workspaceRoot, 'package.json'), 'utf8'))
      .scripts as Record<string, string>;
    expect(scripts['start:prod']).toContain(
      `node ${PRODUCTION_NODE_FLAGS.join(' ')} dist/apps/controller/main.js`,
    );
  });
});
