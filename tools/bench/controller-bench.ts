/*
 * The controller daemon's footprint (issue 12): 16 modules at 2 Hz with the HTTP output and MQTT
 * (a real Mosquitto) on, against the emulator app over a socat pty with wire timing at 612500 baud.
 * Two ways of running it, each a real process measured from /proc:
 *   - from source (`npm start`'s way: TypeScript through @swc-node/register, dev dependencies);
 *   - the production bundle (`nx run @tsbms/controller:package`), installed with
 *     `npm ci --omit=dev` in a temporary folder and started there as the systemd unit does.
 * Prints start-up (process start to the first completed scan, and to READY=1 on a NOTIFY_SOCKET),
 * CPU per scan and RSS over the run (the last sample is "after N minutes"), then the floor under
 * the RSS: Node with only the third-party packages loaded (dependency-floor.ts). No time is asserted.
 *
 *   node --conditions=@tsbms/source -r @swc-node/register tools/bench/controller-bench.ts \
 *     [SECONDS] [--built-only] [--cpu-prof]
 *
 * --cpu-prof profiles each daemon (`node --cpu-prof`) and prints where its CPU time went.
 * --node-flags=A,B runs the bundle with these Node flags instead of the production ones (to
 * measure a flag's reason); --node-flags= runs it with none. --without=http,mqtt turns outputs off
 * (to measure what each costs).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { listenForNotifications } from '@tsbms/hal-linux/testing';
import { Scope, startMosquitto, stopProcess } from '@tsbms/test-support';
import {
  cpuTimeMs,
  machineLine,
  NODE_SOURCE_ARGS,
  percentile,
  rssMiB,
  spawnDaemon,
  daemonOnEmulatedLoop,
  threadCpuMs,
  workspaceRoot,
} from './bench-support';
import { PRODUCTION_NODE_FLAGS } from '../deploy/node-flags';
import { installPackagedApp } from '../deploy/package-app';
import { selfTimes } from './cpu-profile-summary';
import { dependencyFloor } from './dependency-floor';

const DAEMON_MODULES = 16;
const DAEMON_POLL_S = 0.5;
const DAEMON_WARM_UP_MS = 5_000;
const args = process.argv.slice(2);
const DAEMON_RUN_S = Number(args.find((arg) => /^\d+$/.test(arg)) ?? 300);
const BUILT_ONLY = args.includes('--built-only');
const WITHOUT = new Set(
  (args.find((arg) => arg.startsWith('--without='))?.slice('--without='.length) ?? '').split(','),
);
const CPU_PROFILE = args.includes('--cpu-prof');
const flagsArgument = args.find((arg) => arg.startsWith('--node-flags='));
const BUNDLE_NODE_FLAGS =
  flagsArgument === undefined
    ? PRODUCTION_NODE_FLAGS
    : flagsArgument.slice('--node-flags='.length).split(',').filter(Boolean);
const PROFILE_TOP_FUNCTIONS = 25;

interface Variant {
  readonly name: string;
  readonly command: readonly string[];
  readonly cwd: string;
}

interface Footprint {
  readonly startToFirstScanMs: number;
  readonly startToReadyMs: number;
  readonly elapsedS: number;
  readonly scans: number;
  readonly cpuPerScanMs: number;
  readonly cpuPercent: number;
  readonly rssMedianMiB: number;
  readonly rssMaxMiB: number;
  readonly rssLastMiB: number;
  /** CPU per scan by thread (name → user and system ms per scan) over the run. */
  readonly threads: ReadonlyMap<string, { userMs: number; systemMs: number }>;
  /** With --cpu-prof: the folder of the daemon's profile. */
  readonly profileDir: string | null;
}

/** Read frames module 1 has executed: after setup, exactly one 19-byte read per scan. */
async function module1Reads(httpPort: number): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${httpPort}/api/state`);
  const state = (await response.json()) as {
    modules: { counters: { framesExecuted: number; writesExecuted: number } }[];
  };
  const { framesExecuted, writesExecuted } = state.modules[0].counters;
  return framesExecuted - writesExecuted;
}

/** The production bundle as a user deploys it: packaged, then `npm ci --omit=dev` in a folder of its own. */
function installBuiltController(scope: Scope): string {
  execFileSync('npx', ['nx', 'run', '@tsbms/controller:package', '--outputStyle=static'], {
    cwd: workspaceRoot,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const dir = mkdtempSync(path.join(tmpdir(), 'tsbms-built-'));
  scope.add(async () => rmSync(dir, { recursive: true, force: true }));
  installPackagedApp(path.join(workspaceRoot, 'dist', 'apps', 'controller'), dir);
  return dir;
}

async function measure(variant: Variant, mqttUrl: string): Promise<Footprint> {
  const scope = new Scope();
  try {
    const { dir, configFile, emulator } = await daemonOnEmulatedLoop(scope, DAEMON_MODULES, {
      pollIntervalS: DAEMON_POLL_S,
      http: WITHOUT.has('http') ? { enabled: false } : { port: 0 },
      mqtt: { url: WITHOUT.has('mqtt') ? null : mqttUrl },
    });
    const notifySocket = path.join(dir, 'notify.sock');
    const notifications = await listenForNotifications(notifySocket);
    scope.add(() => notifications.stop());

    const profileDir = CPU_PROFILE ? mkdtempSync(path.join(tmpdir(), 'tsbms-cpu-prof-')) : null;
    const profileFlags = profileDir === null ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`];
    const [node, ...nodeArgs] = variant.command;
    const daemon = spawnDaemon(variant.name, [node, ...profileFlags, ...nodeArgs, '--config', configFile], {
      cwd: variant.cwd,
      env: { ...process.env, NOTIFY_SOCKET: notifySocket },
    });
    const controller = daemon.process;
    scope.add(() => stopProcess(controller));
    const startToFirstScanMs = await daemon.firstScanMs;
    await notifications.waitFor('READY=1');
    const startToReadyMs = performance.now() - daemon.startedAtMs;

    await delay(DAEMON_WARM_UP_MS);
    const pid = controller.pid as number;
    const cpuBefore = cpuTimeMs(pid);
    const threadsBefore = threadCpuMs(pid);
    const readsBefore = await module1Reads(emulator.httpPort);
    const runStartMs = performance.now();
    const rss: number[] = [];
    while (performance.now() - runStartMs < DAEMON_RUN_S * 1000) {
      await delay(1_000);
      rss.push(rssMiB(pid));
    }
    const elapsedS = (performance.now() - runStartMs) / 1000;
    const cpuMs = cpuTimeMs(pid) - cpuBefore;
    const threadsAfter = threadCpuMs(pid);
    const scans = (await module1Reads(emulator.httpPort)) - readsBefore;
    const threads = new Map(
      [...threadsAfter].map(([name, after]) => {
        const before = threadsBefore.get(name) ?? { userMs: 0, systemMs: 0 };
        return [
          name,
          {
            userMs: (after.userMs - before.userMs) / scans,
            systemMs: (after.systemMs - before.systemMs) / scans,
          },
        ];
      }),
    );
    const rssLastMiB = rss[rss.length - 1];
    rss.sort((a, b) => a - b);
    return {
      startToFirstScanMs,
      startToReadyMs,
      elapsedS,
      scans,
      cpuPerScanMs: cpuMs / scans,
      cpuPercent: (cpuMs / 1000 / elapsedS) * 100,
      rssMedianMiB: percentile(rss, 0.5),
      rssMaxMiB: rss[rss.length - 1],
      rssLastMiB,
      threads,
      profileDir,
    };
  } finally {
    await scope.close();
  }
}

async function main() {
  const scope = new Scope();
  try {
    console.log(machineLine());
    const broker = await startMosquitto(scope, mkdtempSync(path.join(tmpdir(), 'tsbms-bench-mqtt-')));
    const builtDir = installBuiltController(scope);
    const variants: Variant[] = [
      ...(BUILT_ONLY
        ? []
        : [
            {
              name: 'from source (npm start)',
              command: [process.execPath, ...NODE_SOURCE_ARGS, 'apps/controller/src/main.ts'],
              cwd: workspaceRoot,
            },
          ]),
      {
        name: `built bundle, production dependencies (${BUNDLE_NODE_FLAGS.join(' ') || 'no flags'})`,
        command: [process.execPath, ...BUNDLE_NODE_FLAGS, 'main.js'],
        cwd: builtDir,
      },
    ];
    console.log(
      `Controller daemon, ${DAEMON_MODULES} modules, poll ${DAEMON_POLL_S} s, ` +
        `HTTP ${WITHOUT.has('http') ? 'off' : 'on'}, MQTT ${WITHOUT.has('mqtt') ? 'off' : 'on'}; ` +
        `measured over ${DAEMON_RUN_S} s after a ${DAEMON_WARM_UP_MS / 1000} s warm-up`,
    );
    console.log(
      '| daemon | start → first scan | start → READY=1 | scans/s | CPU per scan | CPU share of one core | RSS median / max | RSS at the end |',
    );
    console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
    const profiles: { name: string; dir: string }[] = [];
    for (const variant of variants) {
      const f = await measure(variant, broker.url);
      console.log(
        `| ${variant.name} | ${(f.startToFirstScanMs / 1000).toFixed(2)} s | ${(f.startToReadyMs / 1000).toFixed(2)} s | ` +
          `${(f.scans / f.elapsedS).toFixed(2)} | ${f.cpuPerScanMs.toFixed(2)} ms | ${f.cpuPercent.toFixed(2)} % | ` +
          `${f.rssMedianMiB.toFixed(1)} / ${f.rssMaxMiB.toFixed(1)} MiB | ${f.rssLastMiB.toFixed(1)} MiB after ${(f.elapsedS / 60).toFixed(1)} min |`,
      );
      const perThread = [...f.threads]
        .filter(([, t]) => t.userMs + t.systemMs > 0)
        .map(([name, t]) => `${name} ${t.userMs.toFixed(2)} user + ${t.systemMs.toFixed(2)} system`)
        .join('; ');
      console.log(`|  | CPU per scan by thread (ms): ${perThread} |  |  |  |  |  |  |`);
      if (f.profileDir !== null) profiles.push({ name: variant.name, dir: f.profileDir });
    }
    console.log(
      `\nThe floor: Node (${BUNDLE_NODE_FLAGS.join(' ') || 'no flags'}) in the deployed folder, only requiring packages, after a GC`,
    );
    console.log('| process | packages | RSS | anonymous | file pages |');
    console.log('| --- | --- | --- | --- | --- |');
    for (const row of dependencyFloor(builtDir, BUNDLE_NODE_FLAGS))
      console.log(
        `| ${row.label} | ${row.packages.join(', ') || '-'} | ${row.rssMiB.toFixed(1)} MiB | ` +
          `${row.anonMiB.toFixed(1)} MiB | ${row.fileMiB.toFixed(1)} MiB |`,
      );
    for (const profile of profiles) {
      console.log(`\nCPU self time, ${profile.name} (whole run, start-up included; ${profile.dir}):`);
      for (const { frame, selfMs, share } of selfTimes(profile.dir, PROFILE_TOP_FUNCTIONS))
        console.log(
          `  ${(share * 100).toFixed(1).padStart(5)} %  ${selfMs.toFixed(0).padStart(7)} ms  ${frame}`,
        );
    }
  } finally {
    await scope.close();
  }
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});
