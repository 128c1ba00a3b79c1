import { execFileSync, spawnSync } from 'node:child_process';
import { LIBRARIES, manifestOf, workspaceRoot } from './spec-support/libraries';

/*
 * The release (issue 12) exactly as a maintainer starts it (`npm run release -- patch`), in dry-run:
 * Nx's own release tooling builds the libraries, bumps every one of them and their dependencies on
 * each other to one new version (a fixed release group), previews the changelog, the commit and the
 * tag, and writes nothing. The top-level command also validates the release configuration as a
 * whole (it refused a per-step git setting once, which the version step alone did not notice).
 */

const git = (...args: string[]) => execFileSync('git', args, { cwd: workspaceRoot, encoding: 'utf8' });

describe('nx release --dry-run', () => {
  it('bumps every library, and only the libraries, to one version, with their links to each other, changing no file', () => {
    const before = git('status', '--porcelain');
    const run = spawnSync('npx', ['nx', 'release', 'patch', '--dry-run', '--skip-publish'], {
      cwd: workspaceRoot,
      encoding: 'utf8',
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', FORCE_COLOR: '0' },
    });
    // Nx prints the planned changes on both streams.
    const output = `${run.stdout}${run.stderr}`;
    expect({ status: run.status, output: run.status === 0 ? '' : output }).toEqual({ status: 0, output: '' });
    const updated = [...output.matchAll(/UPDATE packages\/([^/]+)\/package\.json \[dry-run\]/g)].map(
      (m) => m[1],
    );
    expect(updated.sort()).toEqual([...LIBRARIES].sort());
    const current = manifestOf(LIBRARIES[0]).version;
    const [major, minor, patch] = current.split('.').map(Number);
    const next = `${major}.${minor}.${patch + 1}`;
    const versions = new Set([...output.matchAll(/New version (\S+) written/g)].map((m) => m[1]));
    expect([...versions]).toEqual([next]);
    // Every library's dependency on another moves with it (published packages never say "*").
    const linkBumps = [
      ...output.matchAll(/^-\s+"@tsbms\/[a-z-]+": "([^"]+)",?\n\+\s+"@tsbms\/[a-z-]+": "([^"]+)"/gm),
    ];
    expect(linkBumps.length).toBeGreaterThan(0);
    expect(new Set(linkBumps.map((m) => `${m[1]} -> ${m[2]}`))).toEqual(new Set([`${current} -> ${next}`]));
    expect(output).toMatch(
      new RegExp(`Previewing an entry in CHANGELOG\\.md for v${next.replace(/\./g, '\\.')}`),
    );
    expect(output).toMatch(/Committing changes with git/);
    expect(output).toMatch(/Tagging commit with git/);
    expect(git('status', '--porcelain')).toBe(before);
  }, 300_000);
});
