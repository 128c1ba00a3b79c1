import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** `versions.json`: what ran, for a bug report. */
export interface VersionFacts {
  readonly controller: string;
  readonly node: string;
  readonly platform: string;
  readonly arch: string;
  /** `os.release()`: the kernel. */
  readonly kernel: string;
  /** PRETTY_NAME of /etc/os-release; null when it cannot be read. */
  readonly osRelease: string | null;
  /**
   * The @tsbms packages the controller depends on, by name: their version as installed, or
   * `bundled` when they are inside the production bundle's main.js (at the controller's version).
   */
  readonly packages: Readonly<Record<string, string>>;
}

function readJson(file: string): Record<string, unknown> | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** The controller's package.json: apps/controller's from the sources, the deployed folder's beside main.js. */
function controllerManifest(): Record<string, unknown> | null {
  for (const up of ['.', '../..']) {
    const manifest = readJson(path.join(__dirname, up, 'package.json'));
    if (manifest !== null) return manifest;
  }
  return null;
}

function packageVersion(name: string): string {
  try {
    const manifest = require(`${name}/package.json`) as { version?: unknown };
    return typeof manifest.version === 'string' ? manifest.version : 'unknown';
  } catch {
    return 'bundled';
  }
}

/** PRETTY_NAME="Debian GNU/Linux 12 (bookworm)" → Debian GNU/Linux 12 (bookworm). */
export function prettyOsName(osReleaseText: string): string | null {
  const line = osReleaseText.split('\n').find((l) => l.startsWith('PRETTY_NAME='));
  if (line === undefined) return null;
  return line.slice('PRETTY_NAME='.length).replace(/^"(.*)"$/, '$1');
}

function osRelease(): string | null {
  for (const file of ['/etc/os-release', '/usr/lib/os-release']) {
    try {
      return prettyOsName(readFileSync(file, 'utf8'));
    } catch {
      // the next one
    }
  }
  return null;
}

/** The versions of this process: the controller's, Node's, the platform's and the @tsbms packages'. */
export function collectVersions(controllerVersion: string): VersionFacts {
  const dependencies = controllerManifest()?.dependencies;
  const names = Object.keys(typeof dependencies === 'object' && dependencies !== null ? dependencies : {})
    .filter((name) => name.startsWith('@tsbms/'))
    .sort();
  return {
    controller: controllerVersion,
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    kernel: os.release(),
    osRelease: osRelease(),
    packages: Object.fromEntries(names.map((name) => [name, packageVersion(name)])),
  };
}
