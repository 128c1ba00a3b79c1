import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ManualClock } from '@tsbms/hal';
import { FakeOutputContext } from '@tsbms/bms-core/testing';
import {
  eventually,
  freePort,
  MqttProbe,
  scoped,
  selfSignedCertificate,
  startMosquitto,
} from '@tsbms/test-support';
import { mqttConfigSchema } from './mqtt-config';
import { startMqttOutput } from './mqtt-output';
import { connected, describeStatus, startOutputInScope as startOutput } from './testing/output-in-scope';
import { moduleFixture, statusFixture } from './testing/status-fixture';
import { testCommand as command, testCommandsSection } from './testing/test-commands';

/*
 * The output in-process against a real Mosquitto: the BMS side is a FakeOutputContext with the
 * parsed `mqtt` section, time for the output's own timers (refresh, backoff) is a ManualClock.
 * What a command does to an application's config file is that application's to test (the
 * controller does, over its ConfigStore).
 */
jest.setTimeout(30_000);

let workDir: string;
beforeAll(() => (workDir = mkdtempSync(path.join(tmpdir(), 'tsbms-mqtt-'))));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

const PREFIX = 'test/bms';
/** Commands on, with a cheap scrypt cost: the check is the same, the test stays fast. */
const COMMANDS = testCommandsSection();

function contextFor(mqtt: Record<string, unknown>, clock = new ManualClock()) {
  const settings = { mqtt: mqttConfigSchema.parse({ topicPrefix: PREFIX, ...mqtt }) };
  return { context: new FakeOutputContext({ clock, settings, status: statusFixture() }), clock };
}

describe('MqttOutput against a real Mosquitto', () => {
  it('is off without a url', async () => {
    const { context } = contextFor({});
    expect(await startMqttOutput(context)).toBeNull();
  });

  it('refuses a url that is not mqtt:// or mqtts://, without echoing credentials', async () => {
    const { context } = contextFor({ url: 'http://user:secret@127.0.0.1:1883' });
    await expect(startMqttOutput(context)).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      configPath: 'mqtt.url',
    });
    await expect(startMqttOutput(context)).rejects.not.toThrow(/secret/);
  });

  it(
    'online and discovery retained; values on change only; a full refresh at the interval; offline on stop',
    scoped(async (scope) => {
      const broker = await startMosquitto(scope, workDir);
      const { context, clock } = contextFor({ url: broker.url, fullRefreshIntervalS: 30 });
      const output = await startOutput(scope, context);
      await eventually(connected(output), describeStatus(output));
      expect(output.status()).toMatchObject({ state: 'ok', message: `connected to ${broker.url}` });

      // A late subscriber gets availability and discovery from the broker's retained store.
      const probe = await MqttProbe.connect(scope, broker.url, [`${PREFIX}/#`, 'homeassistant/#']);
      const online = await probe.waitForTopic(`${PREFIX}/status`);
      expect(online).toMatchObject({ payload: 'online', retain: true });
      const soc = await probe.waitForTopic('homeassistant/sensor/test_bms/soc/config');
      expect(soc.retain).toBe(true);
      expect(JSON.parse(soc.payload)).toMatchObject({
        state_topic: `${PREFIX}/pack/soc`,
        device_class: 'battery',
      });

      context.publishStatus(statusFixture());
      await probe.waitFor((m) => m.topic === `${PREFIX}/pack/soc` && m.payload === '62.3');
      // The rest of that first, full publication: the last cell's flag comes last.
      await probe.waitForTopic(`${PREFIX}/cell/2/6/balancing`);
      const before = probe.messages.length;
      // One cell changes: exactly that cell and the pack values derived from it.
      context.publishStatus(
        statusFixture({
          modules: [
            moduleFixture(1),
            {
              ...moduleFixture(2),
              cells: moduleFixture(2).cells.map((c, i) => (i === 0 ? { ...c, voltageV: 3.85 } : c)),
            },
          ],
        }),
      );
      context.publishStatus(statusFixture({ socPercent: 63 }));
      await probe.waitFor((m) => m.topic === `${PREFIX}/pack/soc` && m.payload === '63', before);
      const changed = new Set(probe.messages.slice(before).map((m) => m.topic));
      expect(changed).toEqual(
        new Set([`${PREFIX}/cell/2/1/voltage`, `${PREFIX}/pack/cellMinVoltage`, `${PREFIX}/pack/soc`]),
      );

      // Nothing changes, but the refresh interval passed: everything again.
      await clock.advanceByMs(30_000);
      const refreshFrom = probe.messages.length;
      context.publishStatus(statusFixture({ socPercent: 63 }));
      await probe.waitForTopic(`${PREFIX}/cell/2/6/balancing`, refreshFrom);
      expect(new Set(probe.messages.slice(refreshFrom).map((m) => m.topic)).size).toBe(25 + 2 * 17);

      const stopFrom = probe.messages.length;
      await output.stop();
      expect(await probe.waitForTopic(`${PREFIX}/status`, stopFrom)).toMatchObject({ payload: 'offline' });
    }),
  );

  it(
    "retained energy, power and time-to-go entities and values, as HA's Energy dashboard reads them; unknown as None",
    scoped(async (scope) => {
      const broker = await startMosquitto(scope, workDir);
      const { context } = contextFor({ url: broker.url });
      const output = await startOutput(scope, context);
      await eventually(connected(output), describeStatus(output));
      const live = await MqttProbe.connect(scope, broker.url, [`${PREFIX}/#`]);
      context.publishStatus(statusFixture());
      await live.waitForTopic(`${PREFIX}/cell/2/6/balancing`);

      // A late subscriber (Home Assistant starting) gets the entities and values from the broker.
      const late = await MqttProbe.connect(scope, broker.url, [
        `${PREFIX}/pack/#`,
        'homeassistant/sensor/test_bms/+/config',
      ]);
      const retained = async (topic: string) => {
        const message = await late.waitForTopic(topic);
        expect(message.retain).toBe(true);
        return message.payload;
      };
      expect(JSON.parse(await retained('homeassistant/sensor/test_bms/energyCharged/config'))).toMatchObject({
        state_topic: `${PREFIX}/pack/energyCharged`,
        device_class: 'energy',
        state_class: 'total_increasing',
        unit_of_measurement: 'kWh',
      });
      expect(await retained(`${PREFIX}/pack/energyCharged`)).toBe('38.21');
      expect(await retained(`${PREFIX}/pack/energyDischarged`)).toBe('29.88');
      expect(await retained(`${PREFIX}/pack/power`)).toBe('580');
      expect(await retained(`${PREFIX}/pack/timeToFull`)).toBe('2.5');
      expect(await retained(`${PREFIX}/pack/timeToEmpty`)).toBe('None');

      // The current sensor is lost: what depends on it becomes unknown, the lifetime counters stay.
      const before = live.messages.length;
      context.publishStatus(
        statusFixture({ currentA: null, powerW: null, timeToGo: { toEmptyS: null, toFullS: null } }),
      );
      // timeToFull is the last of the three in publish order.
      await live.waitFor((m) => m.topic === `${PREFIX}/pack/timeToFull` && m.payload === 'None', before);
      expect(new Map(live.messages.slice(before).map((m) => [m.topic, m.payload]))).toEqual(
        new Map([
          [`${PREFIX}/pack/current`, 'None'],
          [`${PREFIX}/pack/power`, 'None'],
          [`${PREFIX}/pack/timeToFull`, 'None'],
        ]),
      );
    }),
  );

  it(
    'republishes discovery when Home Assistant announces itself',
    scoped(async (scope) => {
      const broker = await startMosquitto(scope, workDir);
      const { context } = contextFor({ url: broker.url });
      const output = await startOutput(scope, context);
      await eventually(connected(output), describeStatus(output));
      const probe = await MqttProbe.connect(scope, broker.url, [
        'homeassistant/sensor/test_bms/voltage/config',
      ]);
      await probe.waitForTopic('homeassistant/sensor/test_bms/voltage/config');
      const from = probe.messages.length;
      await probe.publish('homeassistant/status', 'online');
      expect((await probe.waitForTopic('homeassistant/sensor/test_bms/voltage/config', from)).retain).toBe(
        false,
      );
    }),
  );

  it(
    'an empty message on a command topic (how a retained one is deleted) is no command: no answer, no restart',
    scoped(async (scope) => {
      const broker = await startMosquitto(scope, workDir);
      const { context } = contextFor({ url: broker.url, commands: COMMANDS });
      const output = await startOutput(scope, context);
      await eventually(connected(output), describeStatus(output));
      const probe = await MqttProbe.connect(scope, broker.url, [`${PREFIX}/cmd/response`]);
      await probe.client.publishAsync(`${PREFIX}/cmd/restart`, '', { qos: 1, retain: true });
      await probe.publish(`${PREFIX}/cmd/restart`, '');
      await probe.publish(`${PREFIX}/cmd/restart`, command({ id: 'after' }));
      const first = JSON.parse((await probe.waitForTopic(`${PREFIX}/cmd/response`)).payload);
      expect(first).toMatchObject({ id: 'after', ok: true });
      expect(context.restarts).toHaveLength(1);
    }),
  );

  it(
    'a packet over maxPacketBytes drops the connection before it is buffered; the output reconnects',
    scoped(async (scope) => {
      const broker = await startMosquitto(scope, workDir);
      const { context, clock } = contextFor({ url: broker.url, commands: COMMANDS, maxPacketBytes: 65_536 });
      const output = await startOutput(scope, context);
      await eventually(connected(output), describeStatus(output));
      const probe = await MqttProbe.connect(scope, broker.url, [`${PREFIX}/status`]);
      await probe.publish(`${PREFIX}/cmd/config/set`, 'x'.repeat(1_000_000));
      await eventually(() => output.status().state === 'degraded', describeStatus(output));
      expect(output.status().message).toMatch(
        /^dropped the connection to mqtt:\/\/127\.0\.0\.1:\d+: an incoming packet of 1000\d{3} bytes exceeds mqtt\.maxPacketBytes \(65536\), retrying in 1 s$/,
      );
      await clock.advanceByMs(1000);
      await eventually(connected(output), describeStatus(output));
    }),
  );

  it(
    'a retained command is refused, not run (it would run again on every reconnect)',
    scoped(async (scope) => {
      const broker = await startMosquitto(scope, workDir);
      const probe = await MqttProbe.connect(scope, broker.url, [`${PREFIX}/cmd/response`]);
      await probe.client.publishAsync(`${PREFIX}/cmd/restart`, command({ id: 1 }), { qos: 1, retain: true });
      const { context } = contextFor({ url: broker.url, commands: COMMANDS });
      await startOutput(scope, context);
      const answer = JSON.parse((await probe.waitForTopic(`${PREFIX}/cmd/response`)).payload);
      expect(answer).toMatchObject({ command: 'restart', ok: false, error: { code: 'BAD_REQUEST' } });
      expect(answer.error.message).toMatch(/retained/);
      expect(context.restarts).toEqual([]);
    }),
  );

  it(
    'broker down at start: degraded with the backoff delay, connects once the broker is up and a retry is due',
    scoped(async (scope) => {
      const port = await freePort();
      const url = `mqtt://127.0.0.1:${port}`;
      const { context, clock } = contextFor({ url, reconnect: { initialDelayS: 2, maxDelayS: 5 } });
      const output = await startOutput(scope, context);
      const retrying = (delayS: number) => () => output.status().message.endsWith(`retrying in ${delayS} s`);
      await eventually(retrying(2), describeStatus(output));
      expect(output.status()).toMatchObject({
        state: 'degraded',
        message: expect.stringMatching(
          /^broker mqtt:\/\/127\.0\.0\.1:\d+ unreachable \(.*ECONNREFUSED.*\), retrying in 2 s$/,
        ),
      });
      await clock.advanceByMs(2000);
      await eventually(retrying(4), describeStatus(output));
      await clock.advanceByMs(4000);
      await eventually(retrying(5), describeStatus(output));
      // The BMS goes on: statuses while disconnected are not queued.
      for (let soc = 10; soc < 20; soc += 1) context.publishStatus(statusFixture({ socPercent: soc }));
      expect(context.logger.lines.filter((l) => l.fields['event'] === 'mqtt').map((l) => l.message)).toEqual([
        expect.stringMatching(/^mqtt: broker .* unreachable/),
      ]);

      await startMosquitto(scope, workDir, { port });
      await clock.advanceByMs(5000);
      await eventually(connected(output), describeStatus(output));
      const probe = await MqttProbe.connect(scope, url, [`${PREFIX}/pack/soc`]);
      // Only the latest value, by the full refresh on connect.
      expect((await probe.waitForTopic(`${PREFIX}/pack/soc`)).payload).toBe('19');
      expect(probe.messages.map((m) => m.payload)).toEqual(['19']);
    }),
  );

  it(
    'TLS: connects to an mqtts:// broker whose certificate the configured CA signs, and refuses an unknown one',
    scoped(async (scope) => {
      const certificate = selfSignedCertificate(mkdtempSync(path.join(workDir, 'tls-')));
      const broker = await startMosquitto(scope, workDir, { tls: certificate });
      expect(broker.url).toMatch(/^mqtts:/);
      const trusted = contextFor({ url: broker.url, tls: { caFile: certificate.certFile } });
      const output = await startOutput(scope, trusted.context);
      await eventually(connected(output), describeStatus(output));
      expect(output.status().message).toBe(`connected to ${broker.url}`);

      // Without the CA the self-signed certificate is not trusted: no connection, and it says why.
      const untrusted = contextFor({ url: broker.url });
      const refused = await startOutput(scope, untrusted.context);
      await eventually(() => /retrying/.test(refused.status().message), describeStatus(refused));
      expect(refused.status().message).toMatch(/certificate/i);
    }),
  );

  it(
    'a refused login is reported as such and retried with backoff',
    scoped(async (scope) => {
      const broker = await startMosquitto(scope, workDir, { users: { bms: 'right' } });
      const { context } = contextFor({ url: broker.url, username: 'bms', password: 'wrong' });
      const output = await startOutput(scope, context);
      await eventually(() => output.status().message.startsWith('login refused'), describeStatus(output));
      expect(output.status()).toMatchObject({
        state: 'degraded',
        message: expect.stringMatching(/, retrying in 1 s$/),
      });
      expect(JSON.stringify(output.status()) + JSON.stringify(context.logger.lines)).not.toContain('wrong');

      const good = contextFor({ url: broker.url, username: 'bms', password: 'right' });
      const accepted = await startOutput(scope, good.context);
      await eventually(connected(accepted), describeStatus(accepted));
    }),
  );
});
