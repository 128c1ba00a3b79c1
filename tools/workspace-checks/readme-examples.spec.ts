import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * A package's README examples are files, `examples/*.ts` (`readme.ts` the main one): its tests
 * type-check them (the package's tsconfig.spec.json includes examples/), and this spec runs each as
 * a user would and checks that the README shows that file verbatim and that it prints what its
 * `// → ` lines say. So a README cannot drift from the code.
 */
const workspaceRoot = path.resolve(__dirname, '..', '..');
const packagesDir = path.join(workspaceRoot, 'packages');
const examplesDir = (name: string) => path.join(packagesDir, name, 'examples');
const exampleOf = (name: string) => path.join(examplesDir(name), 'readme.ts');

/** The packages whose README must carry a tested example (each new package of wave 2 joins). */
const REQUIRED = [
  'pack-reading',
  'bms-core',
  'dashboard',
  'output-inverter-can',
  'credentials',
  'test-support',
  'output-mqtt',
  'output-http',
  'current-sensors',
  'output-notifications',
  'output-influxdb',
  'history',
  'commissioning',
];

const withExamples = readdirSync(packagesDir).filter((name) => existsSync(exampleOf(name)));

describe('README examples', () => {
  it('exist for every package that must have one', () => {
    expect(withExamples).toEqual(expect.arrayContaining(REQUIRED));
  });

  const examples = withExamples.flatMap((name) =>
    readdirSync(examplesDir(name))
      .filter((file) => file.endsWith('.ts'))
      .map((file) => [name, file] as const),
  );
  describe.each(examples)('packages/%s/examples/%s', (name, file) => {
    const exampleFile = path.join(examplesDir(name), file);
    const example = readFileSync(exampleFile, 'utf8');

    it('README.md shows it verbatim', () => {
      const readme = readFileSync(path.join(packagesDir, name, 'README.md'), 'utf8');
      expect(readme).toContain(`\`\`\`ts\n${example}\`\`\``);
    });

    it('runs and prints what its `// → ` lines say', () => {
      const expected = example
        .split('\n')
        .filter((line) => line.startsWith('// → '))
        .map((line) => line.slice('// → '.length));
      expect(expected.length).toBeGreaterThan(0);
      const run = spawnSync(
        process.execPath,
        ['--conditions=@tsbms/source', '-r', '@swc-node/register', exampleFile],
        { cwd: workspaceRoot, encoding: 'utf8', timeout: 60_000 },
      );
      expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
      expect(run.stdout.trimEnd().split('\n')).toEqual(expected);
    });
  });
});
