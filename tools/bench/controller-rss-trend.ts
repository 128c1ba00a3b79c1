/*
 * The controller daemon's memory over minutes of real time (issue 17; the virtual-time soak is
 * apps/controller/src/runtime/soak-day.long.spec.ts): the daemon from source (`npm start`'s way)
 * with 16 modules at 2 Hz over a socat pty against the emulator app with `--wire-timing`, the HTTP
 * output on (no client) and MQTT on (a real Mosquitto). After a warm-up its VmRSS is sampled every
 * 5 s; prints the RSS at the start and the end of the run and the least-squares slope through
 * every sample. It reports; nothing is asserted.
 *
 *   node --conditions=@tsbms/source -r @swc-node/register tools/bench/controller-rss-trend.ts [SECONDS]
 *
 * SECONDS is the measured run after the warm-up (default 180).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { leastSquaresSlope, Scope, startMosquitto, stopProcess, type Sample } from '@tsbms/test-support';
import {
  machineLine,
  NODE_SOURCE_ARGS,
  rssMiB,
  spawnDaemon,
  daemonOnEmulatedLoop,
  workspaceRoot,
} from './bench-support';

const MODULES = 16;
const POLL_S = 0.5;
/**
 * The first minute holds the start-up: JIT, the SWC compile of the sources, the heap growing to
 * its working size (RSS rose about 7 MiB/min from 20 s to 80 s after the first scan).
 */
const WARM_UP_MS = 60_000;
const SAMPLE_INTERVAL_MS = 5_000;
const RUN_S = Number(process.argv.slice(2).find((arg) => /^\d+$/.test(arg)) ?? 180);
const KiB_PER_MiB = 1024;

async function main() {
  const scope = new Scope();
  try {
    console.log(machineLine());
    const brokerDir = mkdtempSync(path.join(tmpdir(), 'tsbms-rss-trend-'));
    scope.add(async () => rmSync(brokerDir, { recursive: true, force: true }));
    const broker = await startMosquitto(scope, brokerDir);
    const { configFile } = await daemonOnEmulatedLoop(scope, MODULES, {
      pollIntervalS: POLL_S,
      http: { port: 0 },
      mqtt: { url: broker.url },
    });
    const name = 'from source (npm start)';
    const daemon = spawnDaemon(
      name,
      [process.execPath, ...NODE_SOURCE_ARGS, 'apps/controller/src/main.ts', '--config', configFile],
      { cwd: workspaceRoot },
    );
    scope.add(() => stopProcess(daemon.process));
    await daemon.firstScanMs;
    await delay(WARM_UP_MS);

    const pid = daemon.process.pid as number;
    const runStartMs = performance.now();
    const samples: Sample[] = [];
    for (;;) {
      const elapsedMs = performance.now() - runStartMs;
      samples.push({ x: elapsedMs / 60_000, y: rssMiB(pid) * KiB_PER_MiB });
      if (elapsedMs >= RUN_S * 1000) break;
      await delay(SAMPLE_INTERVAL_MS);
    }
    const first = samples[0];
    const last = samples[samples.length - 1];
    console.log(
      `Controller daemon's RSS over time, ${MODULES} modules, poll ${POLL_S} s, HTTP and MQTT on; ` +
        `VmRSS every ${SAMPLE_INTERVAL_MS / 1000} s for ${RUN_S} s after a ${WARM_UP_MS / 1000} s warm-up`,
    );
    console.log('| daemon | samples | RSS at the start | RSS at the end | RSS slope (least squares) |');
    console.log('| --- | --- | --- | --- | --- |');
    console.log(
      `| ${name} | ${samples.length} over ${last.x.toFixed(1)} min | ${(first.y / KiB_PER_MiB).toFixed(1)} MiB | ` +
        `${(last.y / KiB_PER_MiB).toFixed(1)} MiB | ${leastSquaresSlope(samples).toFixed(1)} KiB/min |`,
    );
  } finally {
    await scope.close();
  }
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});
