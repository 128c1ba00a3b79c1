import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildLibraries, LIBRARIES, packagesDir, workspaceRoot } from './spec-support/libraries';

/*
 * The libraries as another project gets them (issue 12): every library built and packed with npm,
 * the tarballs installed into a fresh project outside the workspace, and the consumers run
 * against what was installed: CommonJS `require`, an ES module `import`, strict TypeScript
 * (node16 resolution) type-checking against the shipped declarations, and a plain JavaScript
 * caller passing the wrong thing, which gets hal's typed InvalidArgumentError. A missing file, a
 * wrong export map or an undeclared dependency fails here.
 */

const consumersDir = path.join(__dirname, 'consumers');
let project: string;

const run = (command: string, args: readonly string[]) =>
  execFileSync(command, args, { cwd: project, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

beforeAll(() => {
  buildLibraries();
  project = mkdtempSync(path.join(tmpdir(), 'tsbms-consumer-'));
  const tarballs = path.join(project, 'tarballs');
  mkdirSync(tarballs);
  for (const name of LIBRARIES) {
    execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', tarballs], {
      cwd: path.join(packagesDir, name),
      stdio: 'pipe',
    });
  }
  const dependencies = Object.fromEntries(
    readdirSync(tarballs).map((file) => [
      `@tsbms/${file.replace(/^tsbms-/, '').replace(/-\d+\.\d+\.\d+\.tgz$/, '')}`,
      `file:${path.join(tarballs, file)}`,
    ]),
  );
  writeFileSync(
    path.join(project, 'package.json'),
    JSON.stringify({ name: 'tsbms-consumer', private: true, dependencies }, null, 2),
  );
  // No install scripts: hal-linux's addon is not what these consumers use (its build is issue 12's).
  run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error']);
  for (const file of readdirSync(consumersDir))
    copyFileSync(path.join(consumersDir, file), path.join(project, file));
}, 600_000);

afterAll(() => rmSync(project, { recursive: true, force: true }));

describe('the libraries installed from their tarballs outside the workspace', () => {
  it('installs every library from its tarball, not from the workspace', () => {
    const installed = readdirSync(path.join(project, 'node_modules', '@tsbms')).sort();
    expect(installed).toEqual([...LIBRARIES].sort());
    expect(path.relative(workspaceRoot, project).startsWith('..')).toBe(true);
  });

  it.each(['scan.cjs', 'scan.mjs'])(
    '%s discovers and scans an emulated chain and builds a pack state',
    (file) => {
      const result = JSON.parse(run(process.execPath, [file]).trim()) as {
        addresses: number[];
        packVoltageV: number;
      };
      expect(result.addresses).toEqual([1, 2]);
      // Two modules of six cells at 3.9 V, within an ADC step per cell.
      expect(result.packVoltageV).toBeCloseTo(2 * 6 * 3.9, 1);
    },
  );

  it('bad-input.cjs gets a typed error naming the argument when it passes a plain object as a link', () => {
    const result: unknown = JSON.parse(run(process.execPath, ['bad-input.cjs']).trim());
    expect(result).toEqual({
      name: 'InvalidArgumentError',
      code: 'INVALID_ARGUMENT',
      argument: 'link',
      received: 'a plain object without data$, events$, write, close',
      message: expect.stringMatching(/^link must be a ByteLink/),
      isInvalidArgumentError: true,
    });
  });

  it('type-checks a strict TypeScript consumer against the shipped declarations', () => {
    writeFileSync(
      path.join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'node16',
          moduleResolution: 'node16',
          target: 'es2022',
          noEmit: true,
          skipLibCheck: false,
          types: [],
        },
        files: ['scan.ts'],
      }),
    );
    const tsc = path.join(workspaceRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    expect(() => run(process.execPath, [tsc, '-p', 'tsconfig.json'])).not.toThrow();
  });
});
