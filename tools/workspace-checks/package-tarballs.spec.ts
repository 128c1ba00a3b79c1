import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import {
  buildLibraries,
  LIBRARIES,
  manifestOf,
  packagesDir,
  type PackageJson,
} from './spec-support/libraries';

/*
 * What `npm pack` of each library would publish (issue 12): the built entry points every export
 * names, and nothing of the sources, specs or build state. Built first with the libraries' own
 * tsconfig.lib.json (what `nx build` runs), then listed by npm itself (`npm pack --dry-run`).
 */

const libraries = LIBRARIES;

/** Every file an export, `main` or `types` points at, except the workspace's own source condition. */
function entryFiles(manifest: PackageJson): string[] {
  const targets = Object.values(manifest.exports ?? {}).flatMap((entry) =>
    typeof entry === 'string'
      ? [entry]
      : Object.entries(entry)
          .filter(([condition]) => condition !== '@tsbms/source')
          .map(([, target]) => target),
  );
  return [...targets, manifest.main, manifest.types]
    .filter((target): target is string => target !== undefined)
    .map((target) => path.posix.normalize(target))
    .filter((target) => target !== 'package.json');
}

const packed = new Map<string, string[]>();

beforeAll(() => {
  buildLibraries();
  for (const name of libraries) {
    const output = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: path.join(packagesDir, name),
      encoding: 'utf8',
    });
    const [report] = JSON.parse(output) as [{ files: { path: string }[] }];
    packed.set(
      name,
      report.files.map((file) => file.path),
    );
  }
}, 300_000);

describe('library tarballs (npm pack)', () => {
  it('every library is publishable, all at one version, for Node 20 and later', () => {
    expect(libraries.length).toBeGreaterThanOrEqual(14);
    const versions = new Set(libraries.map((name) => manifestOf(name).version));
    expect([...versions]).toHaveLength(1);
    for (const name of libraries)
      expect({ name, engines: manifestOf(name).engines }).toEqual({ name, engines: { node: '>=20' } });
  });

  describe.each(libraries)('packages/%s', (name) => {
    it('holds every file its exports, main and types name', () => {
      const files = packed.get(name) ?? [];
      const missing = entryFiles(manifestOf(name)).filter((entry) => !files.includes(entry));
      expect(missing).toEqual([]);
    });

    it('holds no TypeScript sources, specs, build state or test output', () => {
      const unwanted = (packed.get(name) ?? []).filter(
        (file) =>
          (file.endsWith('.ts') && !file.endsWith('.d.ts')) ||
          /\.spec\.|\.tsbuildinfo$|^(src|test-output|out-tsc|coverage)\//.test(file),
      );
      expect(unwanted).toEqual([]);
    });
  });
});
