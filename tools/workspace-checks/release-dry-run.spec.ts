import { execFileSync, spawnSync } from 'node:child_process';
import { LIBRARIES, manifestOf, workspaceRoot } from './spec-support/libraries';

/*
 * The release (issue 12) as a maintainer would start it, in dry-run: Nx's own release tooling
 * bumps every library to one new version (a fixed release group) and writes nothing.
 */

const git = (...args: string[]) => execFileSync('git', args, { cwd: workspaceRoot, encoding: 'utf8' });

describe('nx release version --dry-run', () => {
  it('bumps every library, and only the libraries, to one version, changing no file', () => {
    const before = git('status', '--porcelain');
    const run = spawnSync('npx', ['nx', 'release', 'version', 'patch', '--dry-run'], {
      cwd: workspaceRoot,
      encoding: 'utf8',
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', FORCE_COLOR: '0' },
    });
    expect(run.status).toBe(0);
    // Nx prints the planned changes on both streams.
    const output = `${run.stdout}${run.stderr}`;
    const updated = [...output.matchAll(/UPDATE packages\/([^/]+)\/package\.json \[dry-run\]/g)].map(
      (m) => m[1],
    );
    expect(updated.sort()).toEqual([...LIBRARIES].sort());
    const versions = new Set([...output.matchAll(/New version (\S+) written/g)].map((m) => m[1]));
    const current = manifestOf(LIBRARIES[0]).version;
    const [major, minor, patch] = current.split('.').map(Number);
    expect([...versions]).toEqual([`${major}.${minor}.${patch + 1}`]);
    expect(git('status', '--porcelain')).toBe(before);
  }, 300_000);
});
