import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

/**
 * No import circles between the parts of the workspace: between the top-level folders of
 * apps/controller/src (a folder never imports services/, which registers the outputs) and between
 * the packages. A circle between folders is what stopped can/, mqtt/ and http/ from becoming
 * packages of their own (issue 11 moved them out), so a new one is caught here, not at a move.
 *
 * The graph is TypeScript's own reading of each file's imports and re-exports (`ts.preProcessFile`,
 * type-only ones included: they are dependencies too); relative imports resolve to files, `@tsbms/*`
 * imports to the package's source entry (its package.json `exports`, `@tsbms/source` condition).
 * Test support is left out: specs, and the fakes, fixtures and harnesses under `testing/` folders.
 * Nothing a folder ships imports them, and they may compose whatever a test needs (a fake context of
 * services/ for the outputs' tests, the CLI for a process test).
 */
const workspaceRoot = path.resolve(__dirname, '..', '..');
const APP_SRC = 'apps/controller/src';
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'out-tsc', 'test-output', 'coverage']);

interface Package {
  readonly name: string;
  /** Relative to the workspace root, e.g. `packages/hal`. */
  readonly dir: string;
  readonly exports: Readonly<Record<string, unknown>>;
}

interface ImportGraph {
  /** Workspace-relative file → the workspace files it imports. */
  readonly edges: ReadonlyMap<string, readonly string[]>;
  /** `file: specifier` for each import that should resolve to a workspace file and does not. */
  readonly unresolved: readonly string[];
}

const relative = (file: string) => path.relative(workspaceRoot, file).split(path.sep).join('/');
const isTestSupport = (file: string) => file.endsWith('.spec.ts') || file.split('/').includes('testing');

function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name) && !entry.name.startsWith('.')) walk(full);
      } else if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
        files.push(relative(full));
      }
    }
  };
  walk(path.join(workspaceRoot, dir));
  return files.sort();
}

function workspacePackages(): Package[] {
  return readdirSync(path.join(workspaceRoot, 'packages'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => `packages/${entry.name}`)
    .filter((dir) => existsSync(path.join(workspaceRoot, dir, 'package.json')))
    .map((dir) => {
      const manifest = JSON.parse(readFileSync(path.join(workspaceRoot, dir, 'package.json'), 'utf8')) as {
        name: string;
        exports?: Record<string, unknown>;
      };
      return { name: manifest.name, dir, exports: manifest.exports ?? {} };
    });
}

/** `./foo` → `foo.ts` or `foo/index.ts` (a `.js` ending names the `.ts` file, as nodenext writes it). */
function resolveRelative(from: string, specifier: string): string | null {
  const base = path.posix.join(path.posix.dirname(from), specifier).replace(/\.js$/, '');
  for (const candidate of [`${base}.ts`, `${base}/index.ts`]) {
    if (existsSync(path.join(workspaceRoot, candidate))) return candidate;
  }
  return null;
}

/** `@tsbms/hal/testing` → `packages/hal/src/testing/index.ts`, by the package's `exports`. */
function resolvePackage(specifier: string, packages: readonly Package[]): string | null {
  const owner = packages.find((p) => specifier === p.name || specifier.startsWith(`${p.name}/`));
  if (owner === undefined) return null;
  const entry = owner.exports[`.${specifier.slice(owner.name.length)}`];
  const source =
    typeof entry === 'object' && entry !== null
      ? (entry as Record<string, unknown>)['@tsbms/source']
      : undefined;
  if (typeof source !== 'string') return null;
  return path.posix.join(owner.dir, source);
}

function importGraph(files: readonly string[], packages: readonly Package[]): ImportGraph {
  const edges = new Map<string, string[]>();
  const unresolved: string[] = [];
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(
      readFileSync(path.join(workspaceRoot, file), 'utf8'),
      true,
      true,
    );
    const targets = new Set<string>();
    for (const { fileName: specifier } of importedFiles) {
      const isWorkspace = specifier.startsWith('.') || specifier.startsWith('@tsbms/');
      if (!isWorkspace || /\.(json|css|html)$/.test(specifier)) continue;
      const target = specifier.startsWith('.')
        ? resolveRelative(file, specifier)
        : resolvePackage(specifier, packages);
      if (target === null) unresolved.push(`${file}: ${specifier}`);
      else targets.add(target);
    }
    edges.set(file, [...targets].sort());
  }
  return { edges, unresolved };
}

/** The top-level folder of apps/controller/src a file is in (`can`, `services`, …; `.` for main.ts). */
function appFolder(file: string): string | null {
  if (!file.startsWith(`${APP_SRC}/`)) return null;
  const parts = file.slice(APP_SRC.length + 1).split('/');
  return parts.length === 1 ? '.' : parts[0];
}

/** The package a file is in (`packages/hal`), or null outside packages/. */
function packageOf(file: string): string | null {
  const match = /^packages\/[^/]+/.exec(file);
  return match === null ? null : match[0];
}

/**
 * Every circle between the parts `partOf` names, one per strongly connected group of parts, each
 * as a chain of files: `a/x.ts → b/index.ts → b/y.ts → a/index.ts → a/x.ts`. Between two crossings
 * the chain follows the imports inside the part; `⋯` marks a part entered and left by files that
 * do not import each other.
 */
function cyclesBetween(graph: ImportGraph, partOf: (file: string) => string | null): string[] {
  // Part-level edges, each with the file imports that make it.
  const crossings = new Map<string, Map<string, [string, string][]>>();
  for (const [from, targets] of graph.edges) {
    const fromPart = partOf(from);
    if (fromPart === null) continue;
    for (const to of targets) {
      const toPart = partOf(to);
      if (toPart === null || toPart === fromPart) continue;
      const byTarget = crossings.get(fromPart) ?? new Map<string, [string, string][]>();
      byTarget.set(toPart, [...(byTarget.get(toPart) ?? []), [from, to]]);
      crossings.set(fromPart, byTarget);
    }
  }
  const next = (part: string) => [...(crossings.get(part)?.keys() ?? [])].sort();

  // Tarjan's strongly connected components over the parts.
  const parts = [
    ...new Set([...graph.edges.keys()].map(partOf).filter((p): p is string => p !== null)),
  ].sort();
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const connect = (part: string) => {
    index.set(part, index.size);
    low.set(part, index.get(part) as number);
    stack.push(part);
    onStack.add(part);
    for (const to of next(part)) {
      if (!index.has(to)) {
        connect(to);
        low.set(part, Math.min(low.get(part) as number, low.get(to) as number));
      } else if (onStack.has(to)) {
        low.set(part, Math.min(low.get(part) as number, index.get(to) as number));
      }
    }
    if (low.get(part) === index.get(part)) {
      const group: string[] = [];
      let member: string;
      do {
        member = stack.pop() as string;
        onStack.delete(member);
        group.push(member);
      } while (member !== part);
      if (group.length > 1) groups.push(group.sort());
    }
  };
  for (const part of parts) if (!index.has(part)) connect(part);

  // One circle through each part of each group (the shortest, by breadth-first search), each once.
  const circles = new Map<string, string[]>();
  for (const group of groups) {
    for (const start of group) {
      const circle = shortestCircle(start, (part) => next(part).filter((p) => group.includes(p)));
      const first = circle.indexOf([...circle].sort()[0]);
      const key = [...circle.slice(first), ...circle.slice(0, first)].join(' ');
      if (!circles.has(key)) circles.set(key, circle);
    }
  }
  return [...circles.values()].map(
    (circle) => `${[...circle, circle[0]].join(' → ')}: ${fileChain(graph, circle, crossings, partOf)}`,
  );
}

/** The shortest circle of parts from `start` back to it: `[start, …]`. */
function shortestCircle(start: string, next: (part: string) => readonly string[]): string[] {
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const part = queue.shift() as string;
    for (const to of next(part)) {
      if (to === start) {
        const circle = [part];
        while (circle[0] !== start) circle.unshift(previous.get(circle[0]) as string);
        return circle;
      }
      if (!previous.has(to)) {
        previous.set(to, part);
        queue.push(to);
      }
    }
  }
  throw new Error(`${start} is on no circle`);
}

/** The files of a circle of parts, crossing by the first import of each part into the next. */
function fileChain(
  graph: ImportGraph,
  circle: readonly string[],
  crossings: ReadonlyMap<string, ReadonlyMap<string, readonly [string, string][]>>,
  partOf: (file: string) => string | null,
): string {
  const steps = circle.map((part, i) => {
    const to = circle[(i + 1) % circle.length];
    return (crossings.get(part)?.get(to) ?? [])[0];
  });
  // Inside each part: from the file the previous crossing arrived at to the file of the next one.
  const within = (arrived: string, leaving: string) =>
    (pathWithin(graph, arrived, leaving, partOf) ?? [arrived, '⋯', leaving]).slice(1);
  const chain = [steps[0][0]];
  steps.forEach(([, to], i) => {
    chain.push(to, ...within(to, steps[(i + 1) % steps.length][0]));
  });
  return chain.join(' → ');
}

/** The shortest import path from `from` to `to` through files of their own part; null if none. */
function pathWithin(
  graph: ImportGraph,
  from: string,
  to: string,
  partOf: (file: string) => string | null,
): string[] | null {
  const part = partOf(from);
  const previous = new Map<string, string>([[from, from]]);
  const queue = [from];
  while (queue.length > 0) {
    const file = queue.shift() as string;
    if (file === to) {
      const found = [to];
      while (found[0] !== from) found.unshift(previous.get(found[0]) as string);
      return found;
    }
    for (const target of graph.edges.get(file) ?? []) {
      if (partOf(target) === part && !previous.has(target)) {
        previous.set(target, file);
        queue.push(target);
      }
    }
  }
  return null;
}

const packages = workspacePackages();
const files = [APP_SRC, ...packages.map((p) => `${p.dir}/src`)]
  .flatMap(sourceFiles)
  .filter((file) => !isTestSupport(file));
const graph = importGraph(files, packages);

describe('import cycles (folders of apps/controller/src, packages)', () => {
  it('reads the app and every package, and resolves every workspace import', () => {
    expect(files).toContain(`${APP_SRC}/main.ts`);
    expect(files).toContain('packages/bms-core/src/index.ts');
    expect([...graph.edges.values()].flat().length).toBeGreaterThan(100);
    expect(graph.unresolved).toEqual([]);
  });

  it('no folder of apps/controller/src imports, through any chain of files, a folder that imports it', () => {
    expect(cyclesBetween(graph, appFolder)).toEqual([]);
  });

  it('no package imports, through any chain of files, a package that imports it', () => {
    expect(cyclesBetween(graph, packageOf)).toEqual([]);
  });

  it('finds every circle and names its files (the check itself, on the circle of issue 11)', () => {
    const app = (files: string) => files.split(' ').map((file) => `${APP_SRC}/${file}`);
    // `file imports…`, per line: the outputs' imports of services/ as they were before issue 11.
    const circle: ImportGraph = {
      edges: new Map(
        [
          'can/index.ts can/can-output.ts',
          'can/can-output.ts services/index.ts',
          'mqtt/index.ts mqtt/commands.ts',
          'mqtt/commands.ts services/index.ts config/index.ts',
          'services/index.ts services/output-services.ts',
          'services/output-services.ts can/index.ts mqtt/index.ts',
          'services/output-settings-checks.ts config/index.ts',
          'cli/run-controller.ts services/index.ts',
        ].map((line) => {
          const [file, ...imports] = app(line);
          return [file, imports];
        }),
      ),
      unresolved: [],
    };
    expect(cyclesBetween(circle, appFolder)).toEqual([
      `can → services → can: ${app('can/can-output.ts services/index.ts services/output-services.ts can/index.ts can/can-output.ts').join(' → ')}`,
      `mqtt → services → mqtt: ${app('mqtt/commands.ts services/index.ts services/output-services.ts mqtt/index.ts mqtt/commands.ts').join(' → ')}`,
    ]);
  });
});
