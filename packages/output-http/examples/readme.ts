import { ManualClock } from '@tsbms/hal';
import type { BmsStatus } from '@tsbms/bms-core';
import { bmsStatus, FakeOutputContext, moduleStatus } from '@tsbms/bms-core/testing';
import { httpConfigSchema, startHttpOutput, type HttpOutputSettings } from '@tsbms/output-http';

// The settings: the `http` section as the application validated it (here any free loopback port),
// and the scan interval /healthz measures by.
const settings: HttpOutputSettings = { http: httpConfigSchema.parse({ port: 0 }), pollIntervalS: 0.5 };

// An OutputContext with one scan of a one-module pack as the status; its clock is virtual.
const clock = new ManualClock(1_700_000_000_000);
const cellsV = [3.9, 3.91, 3.92, 3.9, 3.93, 3.9];
const status = bmsStatus({
  timestampMs: clock.now(),
  modules: [moduleStatus({ address: 1, cellsV, temperaturesC: [21.5, 22] })],
  packVoltageV: 23.46,
  currentA: -5,
  socPercent: 63,
});
const context = new FakeOutputContext({ clock, settings, status });

async function main(): Promise<void> {
  const output = await startHttpOutput(context);
  const url = String(output?.status().details?.url);
  const get = (path: string) => fetch(new URL(path, url));

  const snapshot = (await (await get('/api/status')).json()) as BmsStatus;
  console.log(
    `status: ${snapshot.packVoltageV} V, SoC ${snapshot.socPercent} %, ${snapshot.modules.length} module`,
  );
  const health = await get('/healthz');
  console.log(`healthz: ${health.status} ${JSON.stringify(await health.json())}`);
  const metrics = await (await get('/metrics')).text();
  console.log(metrics.split('\n').find((line) => line.startsWith('tsbms_soc_percent ')));

  await clock.advanceByMs(60_000); // a minute without a scan
  const stale = await get('/healthz');
  console.log(`healthz: ${stale.status} ${JSON.stringify(await stale.json())}`);

  const stopping = output?.stop();
  await clock.advanceByMs(1000); // requests in flight get a second
  await stopping;
}

void main();
// → status: 23.46 V, SoC 63 %, 1 module
// → healthz: 200 {"ok":true,"reason":"scans complete","lastScanAgeS":0}
// → tsbms_soc_percent 63
// → healthz: 503 {"ok":false,"reason":"no scan for 60 s","lastScanAgeS":60}
