/*
 * The controller daemon's cost at 2 Hz polling (issue 5 "Performance"): CPU time per scan and
 * resident memory of the real process (from /proc), running from source against the emulator app
 * over a socat pty with wire timing at 612500 baud. Scan times against the wire-rate bound for
 * N = 1, 16, 62 come from scan-over-pty.ts in the same `npm run bench`.
 *
 *   node --conditions=@tsbms/source -r @swc-node/register tools/bench/controller-bench.ts [SECONDS]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { startPtyPair } from '@tsbms/hal-linux/testing';
import {
  cpuTimeMs,
  machineLine,
  NODE_SOURCE_ARGS,
  percentile,
  rssMiB,
  startEmulator,
  stopProcess,
  workspaceRoot,
} from './bench-support';

const DAEMON_MODULES = 16;
const DAEMON_POLL_S = 0.5;
const DAEMON_WARM_UP_MS = 5_000;
const DAEMON_RUN_S = Number(process.argv[2] ?? 60);

/** Read frames module 1 has executed: after setup, exactly one 19-byte read per scan. */
async function module1Reads(httpPort: number): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${httpPort}/api/state`);
  const state = (await response.json()) as {
    modules: { counters: { framesExecuted: number; writesExecuted: number } }[];
  };
  const { framesExecuted, writesExecuted } = state.modules[0].counters;
  return framesExecuted - writesExecuted;
}

/** Resolves when the daemon logs its first module setup (discovery done, scans about to start). */
function waitForSetup(child: ChildProcess & { stderr: Readable }): Promise<void> {
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stderr }).on('line', (line) => {
      if (line.includes('"event":"setup"')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`controller exited with ${code} before setup`)));
  });
}

async function daemonLoad() {
  const pty = await startPtyPair();
  const emulator = await startEmulator(pty.pathA, DAEMON_MODULES);
  const dir = mkdtempSync(path.join(tmpdir(), 'tsbms-bench-'));
  const configFile = path.join(dir, 'bench.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      serial: { path: pty.pathB },
      pack: { moduleCount: DAEMON_MODULES },
      pollIntervalS: DAEMON_POLL_S,
    }),
  );
  const controller = spawn(
    process.execPath,
    [...NODE_SOURCE_ARGS, 'apps/controller/src/main.ts', '--config', configFile],
    { cwd: workspaceRoot, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  try {
    await waitForSetup(controller);
    await delay(DAEMON_WARM_UP_MS);
    const pid = controller.pid;
    if (pid === undefined) throw new Error('controller has no PID');
    const cpuBefore = cpuTimeMs(pid);
    const readsBefore = await module1Reads(emulator.httpPort);
    const startMs = performance.now();
    const rss: number[] = [];
    while (performance.now() - startMs < DAEMON_RUN_S * 1000) {
      rss.push(rssMiB(pid));
      await delay(1_000);
    }
    const elapsedS = (performance.now() - startMs) / 1000;
    const cpuMs = cpuTimeMs(pid) - cpuBefore;
    const scans = (await module1Reads(emulator.httpPort)) - readsBefore;
    rss.sort((a, b) => a - b);
    return {
      elapsedS,
      scans,
      cpuPerScanMs: cpuMs / scans,
      cpuPercent: (cpuMs / 1000 / elapsedS) * 100,
      rssMinMiB: rss[0],
      rssMedianMiB: percentile(rss, 0.5),
      rssMaxMiB: rss[rss.length - 1],
    };
  } finally {
    await stopProcess(controller);
    await stopProcess(emulator.process);
    await pty.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  console.log(machineLine());
  console.log(
    `Controller daemon from source, ${DAEMON_MODULES} modules, poll ${DAEMON_POLL_S} s, ` +
      `measured over ${DAEMON_RUN_S} s after a ${DAEMON_WARM_UP_MS / 1000} s warm-up`,
  );
  const d = await daemonLoad();
  console.log('| run | scans | scans/s | CPU per scan | CPU share of one core | RSS min / median / max |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  console.log(
    `| ${d.elapsedS.toFixed(1)} s | ${d.scans.toFixed(0)} | ${(d.scans / d.elapsedS).toFixed(2)} | ` +
      `${d.cpuPerScanMs.toFixed(2)} ms | ${d.cpuPercent.toFixed(1)} % | ` +
      `${d.rssMinMiB.toFixed(1)} / ${d.rssMedianMiB.toFixed(1)} / ${d.rssMaxMiB.toFixed(1)} MiB |`,
  );
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});
