/*
 * Turns an app's bundle (`nx build`, esbuild) into a folder to deploy (issue 12): beside main.js it
 * writes a package.json whose dependencies are exactly what the bundle requires (the workspace's
 * code is inside it; third-party packages stay outside, read from esbuild's metafile) and a
 * package-lock.json, so that `npm ci --omit=dev` there installs exactly those, at the versions the
 * workspace's lockfile tested, and builds their native addons on the target machine. Workspace libraries
 * among them travel as `npm pack` tarballs in packages/ until they are on the registry. The files
 * the app lists (`tsbmsDeploy.files`: its systemd unit, an example config) are copied beside them.
 *
 *   node --conditions=@tsbms/source -r @swc-node/register tools/deploy/package-app.ts controller
 *
 * Nx runs it as each app's `package` target, after the bundle and the libraries are built.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import * as path from 'node:path';
import { PRODUCTION_NODE_FLAGS } from './node-flags';

const workspaceRoot = path.resolve(__dirname, '..', '..');

interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly description?: string;
  readonly license?: string;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly nx?: {
    readonly targets?: Readonly<Record<string, { readonly options?: { readonly outputPath?: string } }>>;
  };
  readonly tsbmsDeploy?: {
    /** Workspace packages installed although the bundle inlines their code (a native addon's build). */
    readonly alsoInstall?: readonly string[];
    /** Files and folders of the app copied beside the bundle, by their own name (unit, example config). */
    readonly files?: readonly string[];
  };
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

/** The workspace's libraries by package name: their folder. */
function workspacePackages(): Map<string, string> {
  const byName = new Map<string, string>();
  for (const folder of ['packages', 'apps']) {
    const root = path.join(workspaceRoot, folder);
    for (const entry of readdirSync(root)) {
      const manifestFile = path.join(root, entry, 'package.json');
      if (existsSync(manifestFile)) byName.set(readJson<Manifest>(manifestFile).name, path.join(root, entry));
    }
  }
  return byName;
}

/** The exact versions the workspace's lockfile installed: production gets what the tests ran on. */
function lockedVersions(): (name: string) => string {
  const lock = readJson<{ packages: Record<string, { version?: string }> }>(
    path.join(workspaceRoot, 'package-lock.json'),
  );
  return (name) => {
    const version = lock.packages[`node_modules/${name}`]?.version;
    if (version === undefined) throw new Error(`${name} is not in package-lock.json`);
    return version;
  };
}

/** `names` and every workspace library they depend on, transitively. */
function withWorkspaceDependencies(names: readonly string[], workspace: Map<string, string>): string[] {
  const found = new Set<string>();
  const visit = (name: string) => {
    if (found.has(name) || !workspace.has(name)) return;
    found.add(name);
    const manifest = readJson<Manifest>(path.join(workspace.get(name) as string, 'package.json'));
    Object.keys(manifest.dependencies ?? {}).forEach(visit);
  };
  names.forEach(visit);
  return [...found];
}

/**
 * The packages the bundle requires at run time, from esbuild's metafile (the build's `metafile`
 * option): every import it left external, by package name, Node's own modules aside.
 */
function requiredPackages(outDir: string): string[] {
  const metafile = path.join(outDir, 'meta.json');
  if (!existsSync(metafile))
    throw new Error(`${metafile} is missing: the build target needs "metafile": true`);
  const { outputs } = readJson<{
    outputs: Record<string, { imports: { path: string; external?: boolean }[] }>;
  }>(metafile);
  const bundle = Object.entries(outputs).find(([file]) => file.endsWith('main.js'));
  if (bundle === undefined) throw new Error(`${metafile} describes no main.js`);
  const names = bundle[1].imports
    .filter((entry) => entry.external === true && !isBuiltin(entry.path))
    .map(({ path: specifier }) =>
      specifier
        .split('/')
        .slice(0, specifier.startsWith('@') ? 2 : 1)
        .join('/'),
    );
  return [...new Set(names)].sort();
}

export function packageApp(app: string): string {
  const appDir = path.join(workspaceRoot, 'apps', app);
  const manifest = readJson<Manifest>(path.join(appDir, 'package.json'));
  const build = manifest.nx?.targets?.build?.options;
  if (build?.outputPath === undefined) throw new Error(`apps/${app} has no build target with an outputPath`);
  const outDir = path.join(workspaceRoot, build.outputPath);
  if (!existsSync(path.join(outDir, 'main.js')))
    throw new Error(`${outDir}/main.js is missing: run nx build first`);

  const workspace = workspacePackages();
  const direct = [...requiredPackages(outDir), ...(manifest.tsbmsDeploy?.alsoInstall ?? [])];
  const tarballDir = path.join(outDir, 'packages');
  rmSync(tarballDir, { recursive: true, force: true });
  mkdirSync(tarballDir, { recursive: true });
  const dependencies: Record<string, string> = {};
  const lockedVersion = lockedVersions();
  for (const name of withWorkspaceDependencies(direct, workspace)) {
    const output = execFileSync(
      'npm',
      ['pack', '--json', '--ignore-scripts', '--pack-destination', tarballDir],
      {
        cwd: workspace.get(name),
        encoding: 'utf8',
      },
    );
    const [{ filename }] = JSON.parse(output) as [{ filename: string }];
    dependencies[name] = `file:packages/${filename}`;
  }
  for (const name of direct.filter((name) => !workspace.has(name))) dependencies[name] = lockedVersion(name);
  // The workspace libraries take rxjs from their user (a peer): the app's own version.
  if (Object.keys(dependencies).some((name) => workspace.has(name)))
    dependencies.rxjs = lockedVersion('rxjs');

  for (const file of manifest.tsbmsDeploy?.files ?? [])
    cpSync(path.join(appDir, file), path.join(outDir, path.basename(file)), { recursive: true });

  const deployManifest = {
    name: manifest.name,
    version: manifest.version,
    private: true,
    description: manifest.description,
    license: manifest.license ?? 'MIT',
    engines: { node: '>=20' },
    main: 'main.js',
    scripts: { start: `node ${PRODUCTION_NODE_FLAGS.join(' ')} main.js` },
    dependencies: Object.fromEntries(Object.entries(dependencies).sort(([a], [b]) => a.localeCompare(b))),
  };
  writeFileSync(path.join(outDir, 'package.json'), `${JSON.stringify(deployManifest, null, 2)}\n`);
  rmSync(path.join(outDir, 'package-lock.json'), { force: true });
  execFileSync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'], {
    cwd: outDir,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return outDir;
}

/** The files of a packaged app (`packageApp`) that a deployment installs from. */
const INSTALL_FILES = ['main.js', 'package.json', 'package-lock.json', 'packages'];

/**
 * Installs a packaged app as the deploy README does: its install files copied to `targetDir`, then
 * `npm ci --omit=dev` there (native addons built on the spot).
 */
export function installPackagedApp(packagedDir: string, targetDir: string): void {
  for (const item of INSTALL_FILES)
    cpSync(path.join(packagedDir, item), path.join(targetDir, item), { recursive: true });
  execFileSync('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund'], { cwd: targetDir, stdio: 'pipe' });
}

if (require.main === module) {
  const app = process.argv[2];
  if (app === undefined) {
    process.stderr.write('usage: package-app.ts APP (a folder of apps/)\n');
    process.exit(2);
  }
  const outDir = packageApp(app);
  process.stdout.write(
    `${path.relative(workspaceRoot, outDir)}: main.js, package.json, package-lock.json, packages/\n`,
  );
}
