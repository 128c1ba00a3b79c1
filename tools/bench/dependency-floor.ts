import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/*
 * What Node and the daemon's third-party packages cost before tsBMS does anything (issue 12): a
 * process started in the deployed folder, with the daemon's Node flags, that only requires the
 * given packages, collects garbage, and reports its RSS (split into anonymous memory and pages of
 * files, the node executable's mostly) after settling.
 */

const SETTLE_MS = 2_000;

export interface FloorRow {
  readonly label: string;
  readonly packages: readonly string[];
  readonly rssMiB: number;
  readonly anonMiB: number;
  readonly fileMiB: number;
}

const PROBE = `
const packages = JSON.parse(process.argv[1]);
for (const name of packages) require(name);
setTimeout(() => {
  global.gc();
  const status = require('node:fs').readFileSync('/proc/self/status', 'utf8');
  const kib = (field) => Number(new RegExp(field + ':\\\\s+(\\\\d+)').exec(status)[1]);
  console.log(JSON.stringify({ rss: kib('VmRSS'), anon: kib('RssAnon'), file: kib('RssFile') }));
}, ${SETTLE_MS});
`;

function probe(dir: string, nodeFlags: readonly string[], packages: readonly string[]) {
  const output = execFileSync(
    process.execPath,
    [...nodeFlags, '--expose-gc', '-e', PROBE, JSON.stringify(packages)],
    {
      cwd: dir,
      encoding: 'utf8',
    },
  );
  const { rss, anon, file } = JSON.parse(output) as { rss: number; anon: number; file: number };
  return { rssMiB: rss / 1024, anonMiB: anon / 1024, fileMiB: file / 1024 };
}

/**
 * RSS of bare Node, of Node with the packages the project chose (rxjs, serialport, express, mqtt),
 * and with every third-party package the daemon loads with HTTP and MQTT on, in `deployedDir`.
 */
export function dependencyFloor(deployedDir: string, nodeFlags: readonly string[]): FloorRow[] {
  const { dependencies } = JSON.parse(readFileSync(path.join(deployedDir, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  // What a service with HTTP and MQTT on loads: not pino-pretty (a terminal's) nor socketcan (CAN's).
  const loaded = Object.keys(dependencies).filter(
    (name) => !name.startsWith('@tsbms/') && name !== 'pino-pretty' && name !== 'socketcan',
  );
  const chosen = ['rxjs', '@serialport/stream', '@serialport/bindings-cpp', 'express', 'mqtt'];
  const sets: { label: string; packages: string[] }[] = [
    { label: 'Node alone', packages: [] },
    { label: "the project's chosen dependencies", packages: chosen },
    { label: 'every third-party package the daemon loads', packages: loaded },
  ];
  return sets.map(({ label, packages }) => ({ label, packages, ...probe(deployedDir, nodeFlags, packages) }));
}
