import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as path from 'node:path';

/** The checkout this package sits in (test-support is never published). */
const workspaceRoot = path.resolve(__dirname, '..', '..', '..');

/**
 * tools/with-vcan boots one guest at a time on a machine; how long a run may wait for the others
 * (the Victron CAN e2e holds it for up to 150 s, the rest for well under a minute each).
 */
const LOCK_WAIT_S = 420;

/** How long a caller (spawnSync, Jest's beforeAll) must allow for a guest run of `timeoutS`. */
export function userModeLinuxTimeoutMs(timeoutS = 90): number {
  return (timeoutS + 20 + LOCK_WAIT_S) * 1000;
}

export interface GuestRunOptions {
  /** The guest script, run from source (`--conditions=@tsbms/source -r @swc-node/register`). */
  readonly script: string;
  /** tools/with-vcan options before `--`, e.g. `['--i2c-stub', '0x40']`. */
  readonly withVcanArgs?: readonly string[];
  /** The guest's own limit; the host waits 20 s longer. Default 90. */
  readonly timeoutS?: number;
}

/** How the guest ran, and the JSON object its last stdout line carried (`{}` when none). */
export interface GuestRun<Results> {
  readonly run: SpawnSyncReturns<string>;
  readonly results: Results;
}

/**
 * Boots user-mode Linux with tools/with-vcan (vcan0 up, and whatever `withVcanArgs` adds) and runs
 * `script` there under Node; the script reports with `@tsbms/hal/testing`'s `reportGuestResults`. For a spec's
 * `beforeAll`: one boot for the whole file. Jest's hook timeout must exceed `timeoutS` + 20 s.
 */
export function runInUserModeLinux<Results>(options: GuestRunOptions): GuestRun<Results> {
  const timeoutS = options.timeoutS ?? 90;
  const run = spawnSync(
    path.join(workspaceRoot, 'tools', 'with-vcan'),
    [
      ...(options.withVcanArgs ?? []),
      '--timeout-s',
      String(timeoutS),
      '--',
      process.execPath,
      '--conditions=@tsbms/source',
      '-r',
      '@swc-node/register',
      options.script,
    ],
    {
      cwd: workspaceRoot,
      encoding: 'utf8',
      timeout: userModeLinuxTimeoutMs(timeoutS),
      env: { ...process.env, WITH_VCAN_LOCK_WAIT_S: String(LOCK_WAIT_S) },
    },
  );
  return { run, results: JSON.parse(run.stdout.trim().split('\n').at(-1) || '{}') as Results };
}
