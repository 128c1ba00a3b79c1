import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ManualClock } from '@tsbms/hal';
import {
  connected,
  describeStatus,
  startOutputInScope as startOutput,
  statusFixture,
  testCommand as command,
  testCommandsSection,
} from '@tsbms/output-mqtt/testing';
import { eventually, MqttProbe, scoped, startMosquitto } from '@tsbms/test-support';
import { ConfigStore } from '../config';
import { FakeControllerContext } from './testing/fake-context';

/*
 * The MQTT output (@tsbms/output-mqtt) in-process against a real Mosquitto, with what is the
 * controller's: a FakeControllerContext over a real ConfigStore (its validation, remote-change
 * policy and config paths, the file it saves) and the broker ACL of deploy/. Time for the output's
 * own timers is a ManualClock.
 */
jest.setTimeout(30_000);

let workDir: string;
beforeAll(() => (workDir = mkdtempSync(path.join(tmpdir(), 'tsbms-mqtt-'))));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

const PREFIX = 'test/bms';
/** Commands on, with a cheap scrypt cost: the check is the same, the test stays fast. */
const COMMANDS = testCommandsSection();

function contextFor(mqtt: Record<string, unknown>, clock = new ManualClock()) {
  const file = path.join(mkdtempSync(path.join(workDir, 'cfg-')), 'bms.json');
  const text = JSON.stringify({
    pack: { moduleCount: 2 },
    http: { enabled: false },
    mqtt: { topicPrefix: PREFIX, ...mqtt },
  });
  writeFileSync(file, text);
  return {
    context: new FakeControllerContext({
      clock,
      config: ConfigStore.open(file, {}),
      status: statusFixture(),
    }),
    clock,
    file,
    text,
  };
}

describe('the MQTT output over the controller config, against a real Mosquitto', () => {
  it(
    'commands: a bad config/set is answered with its issues and nothing is saved; a good one is saved',
    scoped(async (scope) => {
      const broker = await startMosquitto(scope, workDir);
      const { context, file, text } = contextFor({ url: broker.url, commands: COMMANDS });
      const output = await startOutput(scope, context);
      await eventually(connected(output), describeStatus(output));
      const probe = await MqttProbe.connect(scope, broker.url, [`${PREFIX}/cmd/response`]);

      await probe.publish(
        `${PREFIX}/cmd/config/set`,
        command({ id: 1, cells: { cellHighVoltageV: '4.05' } }),
      );
      const rejected = JSON.parse((await probe.waitForTopic(`${PREFIX}/cmd/response`)).payload);
      expect(rejected).toMatchObject({
        id: 1,
        ok: false,
        error: { code: 'INVALID_CONFIG', issues: [{ configPath: 'cells.cellHighVoltageV' }] },
      });
      await probe.publish(`${PREFIX}/cmd/config/set`, 'not json');
      const malformed = await probe.waitFor((m) => JSON.parse(m.payload).error?.code === 'BAD_REQUEST');
      expect(JSON.parse(malformed.payload).id).toBeNull();
      // An unauthorised change: refused, the file byte-identical.
      await probe.publish(
        `${PREFIX}/cmd/config/set`,
        '{"id": "intruder", "programHardwareThresholds": false}',
      );
      const intruder = await probe.waitFor((m) => JSON.parse(m.payload).id === 'intruder');
      expect(JSON.parse(intruder.payload)).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
      expect(readFileSync(file, 'utf8')).toBe(text);

      // The back-off after the wrong token has passed (virtual time), then the right token works.
      await context.clock.advanceByMs(1000);
      const from = probe.messages.length;
      await probe.publish(
        `${PREFIX}/cmd/config/set`,
        command({ id: 'ok', cells: { cellHighVoltageV: 4.05 } }),
      );
      expect(JSON.parse((await probe.waitForTopic(`${PREFIX}/cmd/response`, from)).payload)).toEqual({
        id: 'ok',
        command: 'config/set',
        ok: true,
        changed: ['cells.cellHighVoltageV'],
        effect: 'live',
      });
      expect(JSON.parse(readFileSync(file, 'utf8')).cells).toEqual({ cellHighVoltageV: 4.05 });
      expect(
        context.logger.lines.filter((l) => l.fields['command'] === 'config/set').map((l) => l.fields['ok']),
      ).toEqual([false, false, false, true]);
    }),
  );

  /** Home Assistant's birth message is answered with discovery: once that arrives, what was sent before it has been read. */
  async function afterEarlierMessages(probe: MqttProbe): Promise<void> {
    const from = probe.messages.length;
    await probe.publish('homeassistant/status', 'online');
    await probe.waitForTopic('homeassistant/sensor/test_bms/voltage/config', from);
  }

  it(
    'commands are off by default: the command topics are not even subscribed',
    scoped(async (scope) => {
      const broker = await startMosquitto(scope, workDir);
      const { context, file, text } = contextFor({ url: broker.url });
      const output = await startOutput(scope, context);
      await eventually(connected(output), describeStatus(output));
      const probe = await MqttProbe.connect(scope, broker.url, [
        `${PREFIX}/cmd/response`,
        'homeassistant/sensor/test_bms/voltage/config',
      ]);
      await probe.publish(`${PREFIX}/cmd/config/set`, command({ id: 1, programHardwareThresholds: false }));
      await probe.publish(`${PREFIX}/cmd/restart`, command({ id: 2 }));
      await afterEarlierMessages(probe);
      expect(probe.messages.filter((m) => m.topic === `${PREFIX}/cmd/response`)).toEqual([]);
      expect(readFileSync(file, 'utf8')).toBe(text);
      expect(context.restarts).toEqual([]);
    }),
  );

  it(
    'the broker ACL of deploy/mosquitto.acl: only Home Assistant’s commands reach the controller; others cannot read them',
    scoped(async (scope) => {
      const users = { tsbms: 'bms-pass', homeassistant: 'ha-pass', neighbour: 'nb-pass' };
      const aclFile = path.join(__dirname, '..', '..', 'deploy', 'mosquitto.acl');
      const broker = await startMosquitto(scope, workDir, { users, aclFile });
      const { context, file, text } = contextFor({
        url: broker.url,
        username: 'tsbms',
        password: users.tsbms,
        topicPrefix: 'tsbms',
        commands: COMMANDS,
      });
      const output = await startOutput(scope, context);
      await eventually(connected(output), describeStatus(output));
      const ha = await MqttProbe.connect(scope, broker.url, ['tsbms/cmd/response', 'tsbms/setting/#'], {
        username: 'homeassistant',
        password: users.homeassistant,
      });
      const neighbour = await MqttProbe.connect(scope, broker.url, ['tsbms/#'], {
        username: 'neighbour',
        password: users.neighbour,
      });
      // Even with the token, the neighbour's command is dropped by the broker (QoS 1: acknowledged
      // once the broker has dealt with it, before Home Assistant sends its own).
      await neighbour.publish(
        'tsbms/cmd/config/set',
        command({ id: 'neighbour', programHardwareThresholds: true }),
      );
      await ha.publish('tsbms/cmd/faults/ack', command({ id: 'ha' }));
      const first = JSON.parse((await ha.waitForTopic('tsbms/cmd/response')).payload);
      expect(first).toMatchObject({ id: 'ha', ok: true });
      expect(ha.messages.map((m) => JSON.parse(m.payload).id)).toEqual(['ha']);
      // The neighbour saw neither Home Assistant's command (and its token) nor the answer.
      expect(neighbour.messages).toEqual([]);
      expect(readFileSync(file, 'utf8')).toBe(text);
    }),
  );

  it(
    'Home Assistant controls through the broker ACL: each press changes the controller as the HTTP call does; a neighbour’s is refused by the broker, a malformed one is answered',
    scoped(async (scope) => {
      const users = { tsbms: 'bms-pass', homeassistant: 'ha-pass', neighbour: 'nb-pass' };
      const aclFile = path.join(__dirname, '..', '..', 'deploy', 'mosquitto.acl');
      const broker = await startMosquitto(scope, workDir, { users, aclFile });
      const mqtt = {
        url: broker.url,
        username: 'tsbms',
        password: users.tsbms,
        topicPrefix: 'tsbms',
        discovery: { controls: true },
      };
      const { context, file } = contextFor(mqtt);
      // The same settings, changed the way PUT /api/config changes them.
      const { context: http } = contextFor(mqtt);
      const output = await startOutput(scope, context);
      await eventually(connected(output), describeStatus(output));
      const ha = await MqttProbe.connect(scope, broker.url, ['tsbms/cmd/response', 'tsbms/setting/#'], {
        username: 'homeassistant',
        password: users.homeassistant,
      });
      const neighbour = await MqttProbe.connect(scope, broker.url, [], {
        username: 'neighbour',
        password: users.neighbour,
        protocolVersion: 5,
      });

      // Anyone else: the broker refuses the publish (MQTT 5 PUBACK "Not authorized"); nothing runs.
      const before = readFileSync(file, 'utf8');
      await expect(neighbour.publish('tsbms/ha/charge_allowed/set', 'OFF')).rejects.toThrow(/Not authorized/);
      await expect(neighbour.publish('tsbms/ha/restart/set', 'PRESS')).rejects.toThrow(/Not authorized/);

      // Malformed: answered on the response topic, nothing changed.
      await ha.publish('tsbms/ha/max_charge_current/set', 'lots');
      const malformed = JSON.parse((await ha.waitForTopic('tsbms/cmd/response')).payload);
      expect(malformed).toMatchObject({
        command: 'ha/max_charge_current',
        ok: false,
        error: { code: 'BAD_REQUEST' },
      });
      expect(readFileSync(file, 'utf8')).toBe(before);
      expect(context.restarts).toEqual([]);

      const presses: readonly (readonly [string, string, Record<string, unknown>])[] = [
        ['charge_allowed', 'OFF', { limits: { chargeAllowed: false } }],
        ['discharge_allowed', 'OFF', { limits: { dischargeAllowed: false } }],
        ['balancing_enabled', 'OFF', { balancing: { enabled: false } }],
        ['max_charge_current', '40', { limits: { maxChargeCurrentA: 40 } }],
        ['max_discharge_current', '60', { limits: { maxDischargeCurrentA: 60 } }],
        ['charge_cell_voltage', '4.05', { cells: { cellHighVoltageV: 4.05 } }],
      ];
      for (const [objectId, payload, patch] of presses) {
        const from = ha.messages.length;
        await ha.publish(`tsbms/ha/${objectId}/set`, payload);
        const answer = JSON.parse((await ha.waitForTopic('tsbms/cmd/response', from)).payload);
        expect(answer).toMatchObject({ command: `ha/${objectId}`, ok: true, effect: 'live' });
        http.configuration.update(patch, 'http');
        expect(context.config()).toEqual(http.config());
      }
      // A change the remote-change policy refuses from HTTP is refused from HA too.
      const from = ha.messages.length;
      await ha.publish('tsbms/ha/max_charge_current/set', '500');
      const loosened = JSON.parse((await ha.waitForTopic('tsbms/cmd/response', from)).payload);
      expect(loosened).toMatchObject({ ok: false, error: { code: 'PROTECTED_SETTING' } });
      expect(() => http.configuration.update({ limits: { maxChargeCurrentA: 500 } }, 'http')).toThrow(
        expect.objectContaining({ code: 'PROTECTED_SETTING' }),
      );
      expect(context.config()).toEqual(http.config());

      for (const objectId of ['acknowledge_faults', 'balance_now', 'restart']) {
        const pressFrom = ha.messages.length;
        await ha.publish(`tsbms/ha/${objectId}/set`, 'PRESS');
        expect(JSON.parse((await ha.waitForTopic('tsbms/cmd/response', pressFrom)).payload)).toMatchObject({
          ok: true,
        });
      }
      expect(context.acknowledges.map(({ source }) => source)).toEqual(['mqtt']);
      expect(context.balanceRequests).toEqual(['mqtt']);
      expect(context.restarts).toEqual([{ reason: 'restart requested', source: 'mqtt' }]);

      // The switches and numbers show what now runs.
      const stateFrom = ha.messages.length;
      context.publishStatus(statusFixture());
      await ha.waitFor(
        (m) => m.topic === 'tsbms/setting/max_charge_current' && m.payload === '40',
        stateFrom,
      );
      expect(ha.latest('tsbms/setting/charge_allowed')).toBe('OFF');
    }),
  );
});
