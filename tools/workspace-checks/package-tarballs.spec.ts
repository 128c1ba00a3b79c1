import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/*
 * What `npm pack` of each library would publish (issue 12): the built entry points every export
 * names, and nothing of the sources, specs or build state. Built first with the libraries' own
 * tsconfig.lib.json (what `nx build` runs), then listed by npm itself (`npm pack --dry-run`).
 */

const workspaceRoot = path.resolve(__dirname, '..', '..');
const packagesDir = path.join(workspaceRoot, 'packages');

interface PackageJson {
  readonly name: string;
  readonly version: string;
  readonly private?: boolean;
  readonly main?: string;
  readonly types?: string;
  readonly engines?: Readonly<Record<string, string>>;
  readonly exports?: Readonly<Record<string, string | Readonly<Record<string, string>>>>;
}

const manifestOf = (name: string): PackageJson =>
  JSON.parse(readFileSync(path.join(packagesDir, name, 'package.json'), 'utf8')) as PackageJson;

const libraries = readdirSync(packagesDir)
  .filter((name) => existsSync(path.join(packagesDir, name, 'package.json')))
  .filter((name) => manifestOf(name).private !== true);

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
  execFileSync(
    process.execPath,
    [
      require.resolve('typescript/bin/tsc'),
      '--build',
      ...libraries.map((name) => path.join('packages', name, 'tsconfig.lib.json')),
    ],
    { cwd: workspaceRoot, stdio: 'pipe' },
  );
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
