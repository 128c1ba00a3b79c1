import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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

    it('maps every script to its source inside the map, so no map points at a file left out', () => {
      const files = packed.get(name) ?? [];
      // Compiled scripts (the dashboard's site/ is hand-written browser code, its own source).
      const scripts = files.filter((file) => file.startsWith('dist/') && file.endsWith('.js'));
      expect(scripts.length).toBeGreaterThan(0);
      const unmapped = scripts.filter((file) => {
        if (!files.includes(`${file}.map`)) return true;
        const map = JSON.parse(readFileSync(path.join(packagesDir, name, `${file}.map`), 'utf8')) as {
          sourcesContent?: (string | null)[];
        };
        return !map.sourcesContent?.length || map.sourcesContent.some((content) => !content);
      });
      expect(unmapped).toEqual([]);
      // Declaration maps would point at src/, which is not shipped.
      expect(files.filter((file) => file.endsWith('.d.ts.map'))).toEqual([]);
    });

    it('names its repository folder and keywords, and takes rxjs from the consumer (a peer)', () => {
      const manifest = manifestOf(name);
      expect(manifest.repository).toEqual({
        type: 'git',
        url: manifestOf(LIBRARIES[0]).repository?.url,
        directory: `packages/${name}`,
      });
      expect(manifest.keywords).toEqual(expect.arrayContaining(['tsbms', 'bms']));
      // One rxjs in an application: observables cross library boundaries.
      expect(manifest.dependencies?.rxjs).toBeUndefined();
      // In its code or in the types a consumer compiles against.
      const usesRxjs = (packed.get(name) ?? [])
        .filter((file) => file.endsWith('.js') || file.endsWith('.d.ts'))
        .some((file) =>
          /require\("rxjs(\/[a-z]+)?"\)|from 'rxjs(\/[a-z]+)?'/.test(
            readFileSync(path.join(packagesDir, name, file), 'utf8'),
          ),
        );
      expect({ usesRxjs, peer: manifest.peerDependencies?.rxjs }).toEqual(
        usesRxjs ? { usesRxjs, peer: '^7.8.0' } : { usesRxjs, peer: undefined },
      );
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
