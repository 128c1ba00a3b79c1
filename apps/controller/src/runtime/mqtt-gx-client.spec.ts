import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { GxMqttCurrentSource } from '@tsbms/current-sensors';
import { systemClock, type CurrentSample } from '@tsbms/hal';
import { RecordingLogger } from '@tsbms/hal/testing';
import { eventually, scoped, startMosquitto, type Scope } from '@tsbms/test-support';
import {
  connectedGxClient,
  GX_PORTAL_ID,
  OWN_INSTANCE,
  SHUNT_INSTANCE,
  startGxOnBroker,
} from './testing/gx-on-broker';

/*
 * The GX driver on the real mqtt.js adapter against a real Mosquitto, with an emulated GX
 * publishing into it as dbus-flashmq does. Real time, bounded: keep-alives every second against a
 * GX timeout shortened to 1.5 s, so the keep-alive is what keeps it publishing.
 */

let workDir: string;
beforeAll(() => (workDir = mkdtempSync(path.join(tmpdir(), 'tsbms-gx-mqtt-'))));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

const GX_TIMEOUT_MS = 1500;

async function startDriver(
  scope: Scope,
  url: string,
  deviceInstance: number,
  logger = new RecordingLogger(),
) {
  const client = await connectedGxClient(scope, url);
  const source = new GxMqttCurrentSource({
    client,
    clock: systemClock,
    logger,
    deviceInstance,
    keepAliveIntervalMs: 1000,
    readIntervalMs: 200,
  });
  scope.add(() => source.close());
  const samples: CurrentSample[] = [];
  source.current$.subscribe((sample) => samples.push(sample));
  return { source, samples, logger };
}

describe('GxMqttCurrentSource on mqtt.js and Mosquitto', () => {
  it(
    "finds the GX by its retained serial, keeps it alive, reads the SmartShunt's current as it changes",
    scoped(async (scope) => {
      const broker = await startMosquitto(scope, workDir);
      const gx = await startGxOnBroker(scope, broker.url, GX_TIMEOUT_MS);
      const { source, samples, logger } = await startDriver(scope, broker.url, SHUNT_INSTANCE);
      const state = () =>
        `${JSON.stringify(samples.slice(-3))} ${JSON.stringify(logger.lines)}\n${broker.log()}`;
      await eventually(() => samples.length >= 3, state);
      expect(samples[0]).toMatchObject({ currentA: -12.5, quality: 'good' });
      expect(logger.lines[0].message).toContain(`found the GX with portal ID ${GX_PORTAL_ID}`);
      // Past the GX's own timeout, only the keep-alives keep it publishing changes.
      await new Promise((resolve) => setTimeout(resolve, GX_TIMEOUT_MS + 500));
      expect(gx.alive).toBe(true);
      expect(gx.keepAlivesReceived).toBeGreaterThanOrEqual(2);
      expect(gx.fullPublishes).toBe(1);
      gx.setCurrent(SHUNT_INSTANCE, 20.25);
      await eventually(() => samples.at(-1)?.currentA === 20.25, state);
      expect(source.counters().dropped).toBe(0);
      // Without its keep-alives the GX falls silent within its timeout.
      await source.close();
      await eventually(() => !gx.alive, state, GX_TIMEOUT_MS + 1000);
    }),
    20_000,
  );

  it(
    "refuses tsBMS's own battery service on the GX: no sample, one error line",
    scoped(async (scope) => {
      const broker = await startMosquitto(scope, workDir);
      const gx = await startGxOnBroker(scope, broker.url, GX_TIMEOUT_MS);
      const { source, samples, logger } = await startDriver(scope, broker.url, OWN_INSTANCE);
      const state = () => `${JSON.stringify(logger.lines)}\n${broker.log()}`;
      await eventually(() => source.batteryServiceState() === 'own', state);
      gx.setCurrent(OWN_INSTANCE, 41);
      await eventually(() => source.counters().dropped === 1, state);
      expect(samples).toEqual([]);
      const errors = logger.lines.filter((line) => line.level === 'error');
      expect(errors).toHaveLength(1);
      expect(errors[0].message).toContain("is tsBMS's own battery (tsBMS)");
    }),
    20_000,
  );
});
