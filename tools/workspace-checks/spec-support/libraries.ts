import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

export const workspaceRoot = path.resolve(__dirname, '..', '..', '..');
export const packagesDir = path.join(workspaceRoot, 'packages');

export interface PackageJson {
  readonly name: string;
  readonly version: string;
  readonly private?: boolean;
  readonly main?: string;
  readonly types?: string;
  readonly engines?: Readonly<Record<string, string>>;
  readonly keywords?: readonly string[];
  readonly repository?: { readonly type: string; readonly url: string; readonly directory?: string };
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
  readonly exports?: Readonly<Record<string, string | Readonly<Record<string, string>>>>;
}

export const manifestOf = (name: string): PackageJson =>
  JSON.parse(readFileSync(path.join(packagesDir, name, 'package.json'), 'utf8')) as PackageJson;

/** The folders of packages/ that publish (test-support is private: tests only). */
export const LIBRARIES: readonly string[] = readdirSync(packagesDir)
  .filter((name) => existsSync(path.join(packagesDir, name, 'package.json')))
  .filter((name) => manifestOf(name).private !== true);

/** Builds every library's dist/ as `nx build` does (their tsconfig.lib.json), incrementally. */
export function buildLibraries(): void {
  execFileSync(
    process.execPath,
    [
      require.resolve('typescript/bin/tsc'),
      '--build',
      ...LIBRARIES.map((name) => path.join('packages', name, 'tsconfig.lib.json')),
    ],
    { cwd: workspaceRoot, stdio: 'pipe' },
  );
}
