import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { hashSecret } from '@tsbms/credentials';
import { ControllerDaemon } from './process-harness';
import { freePort, MqttProbe, type Scope, scoped, startMosquitto } from '@tsbms/test-support';

/**
 * Issue 7 (MQTT) end to end: a real Mosquitto on a free loopback port, the controller process
 * from source on its in-process emulated demo pack (4 modules) with a temp --config file, and the
 * test's own MQTT client. Observed from outside only: broker messages, the file, the log lines.
 */
const PREFIX = 'e2e/bms';
const CLOSED = 'contactors CLOSED';
const CLOSING_SEQUENCE = ['OPEN', 'NEGATIVE', 'PRECHARGE', 'OVERLAP', 'CLOSED'];
/** The demo's cell voltages (run-controller DEMO_CELL_VOLTAGES_V), module 1. */
const DEMO_CELL_1_V = 3.92;
const TOKEN = 'e2e-command-token';
/** Commands on, with a cheap scrypt cost: the check is the same, the test stays fast. */
const COMMANDS = { enabled: true, tokenHash: hashSecret(TOKEN, { n: 1024, r: 8, p: 1 }) };
const command = (body: Record<string, unknown>) => JSON.stringify({ token: TOKEN, ...body });

let workDir: string;

function configFile(mqtt: Record<string, unknown>): { file: string; text: string } {
  const file = path.join(mkdtempSync(path.join(workDir, 'cfg-')), 'bms.json');
  const text = JSON.stringify(
    {
      pollIntervalS: 0.25,
      contactors: { contactorNegativeTimeS: 0.2, contactorPrechargeTimeS: 1.5, contactorOverlapS: 0.2 },
      http: { enabled: false },
      mqtt: { topicPrefix: PREFIX, reconnect: { initialDelayS: 0.25, maxDelayS: 1 }, ...mqtt },
    },
    null,
    2,
  );
  writeFileSync(file, text);
  return { file, text };
}

const daemonWith = (scope: Scope, file: string, env: NodeJS.ProcessEnv = {}) =>
  new ControllerDaemon(scope, ['--config', file], { ...process.env, ...env });

const mqttLine = (state: string) => (line: { event?: string; state?: unknown }) =>
  line.event === 'mqtt' && line.state === state;

describe('controller process ↔ Mosquitto', () => {
  jest.setTimeout(60_000);

  beforeAll(() => (workDir = mkdtempSync(path.join(tmpdir(), 'tsbms-mqtt-e2e-'))));
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it.concurrent(
    '(a) discovery retained as valid JSON, values follow the pack, and a killed controller shows offline',
    scoped(async (scope) => {
      const broker = await startMosquitto(scope, workDir);
      const live = await MqttProbe.connect(scope, broker.url, [`${PREFIX}/#`]);
      const { file } = configFile({ url: broker.url });
      const daemon = daemonWith(scope, file);

      await live.waitFor((m) => m.topic === `${PREFIX}/status` && m.payload === 'online');
      // Contactor states as published follow the start-up sequence up to CLOSED.
      await live.waitFor((m) => m.topic === `${PREFIX}/pack/contactors` && m.payload === 'CLOSED');
      // Published on change only, in sequence order and without repeats (a state shorter than a
      // poll may never be in a snapshot); at least one change seen since MQTT connected.
      const contactorStates = live.messages
        .filter((m) => m.topic === `${PREFIX}/pack/contactors`)
        .map((m) => m.payload);
      const order = contactorStates.map((state) => CLOSING_SEQUENCE.indexOf(state));
      expect(contactorStates.length).toBeGreaterThanOrEqual(2);
      expect(order.every((at, i) => at >= 0 && (i === 0 || at > order[i - 1]))).toBe(true);
      // Published in the same batch as `contactors`, possibly just after it.
      await live.waitFor((m) => m.topic === `${PREFIX}/pack/contactorsClosed` && m.payload === 'ON');
      expect(Number(live.latest(`${PREFIX}/cell/1/1/voltage`))).toBeCloseTo(DEMO_CELL_1_V, 1);
      expect(live.latest(`${PREFIX}/pack/modulesOnline`)).toBe('4');
      expect(live.latest(`${PREFIX}/pack/fault`)).toBe('OFF');

      // A late subscriber: everything it needs is retained on the broker.
      const late = await MqttProbe.connect(scope, broker.url, ['homeassistant/#', `${PREFIX}/status`]);
      // The last config of the discovery: its module devices' cells come after the pack's entities.
      await late.waitForTopic('homeassistant/binary_sensor/e2e_bms/cell_4_6_balancing/config');
      await late.waitForTopic(`${PREFIX}/status`);
      const configs = late.messages.filter((m) => m.topic.startsWith('homeassistant/') && m.payload !== '');
      const parsed = configs.map((c) => ({ ...c, config: JSON.parse(c.payload) }));
      const pack = parsed.filter((c) => c.config.enabled_by_default !== false);
      // 17 of wave 1, and power, charged/discharged energy, cycles and the two times to go.
      expect(pack).toHaveLength(23);
      // Each of the 4 modules a device of its own, its 5 and its cells' 12 entities disabled by default.
      expect(parsed.length - pack.length).toBe(4 * (5 + 12));
      expect(
        pack
          .map((c) => c.config)
          .filter((p) => p.device_class === 'energy')
          .map((p) => [p.state_topic, p.state_class, p.unit_of_measurement]),
      ).toEqual([
        [`${PREFIX}/pack/energyCharged`, 'total_increasing', 'kWh'],
        [`${PREFIX}/pack/energyDischarged`, 'total_increasing', 'kWh'],
      ]);
      for (const { retain, config } of parsed) {
        expect(retain).toBe(true);
        expect(config.availability[0]).toEqual({
          topic: `${PREFIX}/status`,
          payload_available: 'online',
          payload_not_available: 'offline',
        });
      }
      for (const { config } of pack) {
        expect(config.device).toMatchObject({ identifiers: ['e2e_bms'] });
        expect(config.state_topic.startsWith(`${PREFIX}/pack/`)).toBe(true);
      }
      expect(parsed.find((c) => c.topic.endsWith('/cell_4_6_voltage/config'))?.config.device).toMatchObject({
        identifiers: ['e2e_bms_module_4'],
        via_device: 'e2e_bms',
      });
      expect(late.latest(`${PREFIX}/status`)).toBe('online');

      const killedAt = live.messages.length;
      daemon.child.kill('SIGKILL');
      expect(await live.waitForTopic(`${PREFIX}/status`, killedAt)).toMatchObject({ payload: 'offline' });
    }),
  );

  it.concurrent(
    '(b) an unauthorised or bad config/set is rejected and the file unchanged; a good one is applied, saved and the controller restarts',
    scoped(async (scope) => {
      const broker = await startMosquitto(scope, workDir);
      const probe = await MqttProbe.connect(scope, broker.url, [
        `${PREFIX}/cmd/response`,
        `${PREFIX}/status`,
      ]);
      const { file, text } = configFile({ url: broker.url, commands: COMMANDS });
      const daemon = daemonWith(scope, file);
      await probe.waitFor((m) => m.topic === `${PREFIX}/status` && m.payload === 'online');

      await probe.publish(
        `${PREFIX}/cmd/config/set`,
        command({ id: 'bad', cells: { cellHighVoltageV: 'x' }, colour: 'red' }),
      );
      const rejected = JSON.parse((await probe.waitForTopic(`${PREFIX}/cmd/response`)).payload);
      expect(rejected).toMatchObject({ id: 'bad', ok: false, error: { code: 'INVALID_CONFIG' } });
      expect(rejected.error.issues.map((i: { configPath: string }) => i.configPath).sort()).toEqual([
        'cells.cellHighVoltageV',
        'colour',
      ]);
      // With the token, but not a change MQTT may make.
      await probe.publish(
        `${PREFIX}/cmd/config/set`,
        command({ id: 'unsafe', programHardwareThresholds: false }),
      );
      const unsafe = JSON.parse((await probe.waitFor((m) => m.payload.includes('"unsafe"'))).payload);
      expect(unsafe).toMatchObject({ ok: false, error: { code: 'PROTECTED_SETTING' } });
      await probe.publish(`${PREFIX}/cmd/config/set`, '{"id": ');
      const malformed = JSON.parse((await probe.waitFor((m) => m.payload.includes('BAD_REQUEST'))).payload);
      expect(malformed.error.message).toMatch(/not valid JSON/);
      expect(readFileSync(file, 'utf8')).toBe(text);

      const from = probe.messages.length;
      const logFrom = daemon.lines.length;
      // A live setting: applied to the running core at once, no restart.
      await probe.publish(`${PREFIX}/cmd/config/set`, command({ id: 41, balancing: { enabled: false } }));
      expect(JSON.parse((await probe.waitForTopic(`${PREFIX}/cmd/response`, from)).payload)).toEqual({
        id: 41,
        command: 'config/set',
        ok: true,
        changed: ['balancing.enabled'],
        effect: 'live',
      });
      expect(JSON.parse(readFileSync(file, 'utf8')).balancing).toEqual({ enabled: false });
      await daemon.waitFor(
        (line) => line.event === 'config' && line.source === 'mqtt' && line.effect === 'live',
        logFrom,
      );
      // A structural one: answered, saved, then the in-process restart.
      const structuralFrom = probe.messages.length;
      await probe.publish(`${PREFIX}/cmd/config/set`, command({ id: 42, pollIntervalS: 1 }));
      expect(
        JSON.parse((await probe.waitForTopic(`${PREFIX}/cmd/response`, structuralFrom)).payload),
      ).toEqual({
        id: 42,
        command: 'config/set',
        ok: true,
        changed: ['pollIntervalS'],
        effect: 'restart',
        restartInS: 2,
      });
      expect(daemon.lines.slice(logFrom).filter((line) => line.event === 'restart')).toEqual([]);
      await daemon.waitFor((line) => line.event === 'restart', logFrom);
      // The restarted output says online again (after the clean offline of the old one).
      await probe.waitFor((m) => m.topic === `${PREFIX}/status` && m.payload === 'offline', from);
      await probe.waitFor((m) => m.topic === `${PREFIX}/status` && m.payload === 'online', from);

      // Any client of the broker, without the token: the campaign's change, refused.
      const saved = readFileSync(file, 'utf8');
      await probe.publish(
        `${PREFIX}/cmd/config/set`,
        JSON.stringify({
          id: 'intruder',
          programHardwareThresholds: false,
          cells: { overVoltageDelayS: 86_400 },
        }),
      );
      const intruder = JSON.parse((await probe.waitFor((m) => m.payload.includes('"intruder"'))).payload);
      expect(intruder).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
      expect(readFileSync(file, 'utf8')).toBe(saved);
      expect(await daemon.stop()).toBe(0);
    }),
  );

  it.concurrent(
    '(e) 30 restart commands give at most one restart and one contactor opening',
    scoped(async (scope) => {
      const broker = await startMosquitto(scope, workDir);
      const probe = await MqttProbe.connect(scope, broker.url, [`${PREFIX}/cmd/response`]);
      const { file } = configFile({ url: broker.url, commands: COMMANDS });
      const daemon = daemonWith(scope, file);
      await daemon.waitForMessage(CLOSED);
      await daemon.waitFor(mqttLine('connected'));
      const from = daemon.lines.length;
      for (let i = 0; i < 30; i += 1) await probe.publish(`${PREFIX}/cmd/restart`, command({ id: i }));
      // The restarted controller answers a later command: every restart command that reached a
      // controller has been decided (those sent while it restarted had no subscriber: lost).
      await daemon.waitFor((line) => line.event === 'restart' && line.msg.startsWith('restarting'), from);
      await daemon.waitFor(mqttLine('connected'), from);
      await probe.publish(`${PREFIX}/cmd/faults/ack`, command({ id: 'last' }));
      await probe.waitFor((m) => JSON.parse(m.payload).id === 'last');
      const answers = probe.messages
        .map((m) => JSON.parse(m.payload) as { id: unknown; ok: boolean; error?: { code: string } })
        .filter((a) => a.id !== 'last');
      expect(answers.filter((a) => a.ok)).toHaveLength(1);
      // Refused: too soon after that restart, too many waiting, or still waiting when it began.
      const refusals = new Set(answers.filter((a) => !a.ok).map((a) => String(a.error?.code)));
      expect([...refusals].every((code) => ['RESTART_REFUSED', 'BUSY', 'UNAVAILABLE'].includes(code))).toBe(
        true,
      );
      await daemon.waitForMessage(CLOSED, from);
      const since = daemon.lines.slice(from);
      expect(
        since.filter((line) => line.event === 'restart' && line.msg.startsWith('restarting')),
      ).toHaveLength(1);
      // Opened once, by the one restart's shutdown of the old core.
      expect(
        since.filter((line) => line.event === 'contactors' && line.openReason === 'shutdown'),
      ).toHaveLength(1);
      expect(await daemon.stop()).toBe(0);
    }),
  );

  it.concurrent(
    '(c) broker down at start: the BMS runs, MQTT is retried and connects when the broker comes up',
    scoped(async (scope) => {
      const port = await freePort();
      const url = `mqtt://127.0.0.1:${port}`;
      const { file } = configFile({ url });
      const daemon = daemonWith(scope, file);
      const down = await daemon.waitFor(mqttLine('unreachable'));
      expect(down.msg).toMatch(/unreachable.*retrying with backoff/);
      // The scan loop is not held up by MQTT: the contactors close with the broker down.
      await daemon.waitForMessage(CLOSED);

      await startMosquitto(scope, workDir, { port });
      const probe = await MqttProbe.connect(scope, url, [`${PREFIX}/status`, `${PREFIX}/pack/contactors`]);
      await daemon.waitFor(mqttLine('connected'), down.index);
      expect((await probe.waitForTopic(`${PREFIX}/status`)).payload).toBe('online');
      // The snapshot may lag the sequencer by one poll: CLOSED at once or right after OVERLAP.
      await probe.waitFor((m) => m.topic === `${PREFIX}/pack/contactors` && m.payload === 'CLOSED');
      // One line for the outage, not one per attempt.
      expect(daemon.lines.filter(mqttLine('unreachable'))).toHaveLength(1);
      expect(await daemon.stop()).toBe(0);
    }),
  );

  it.concurrent(
    '(d) a refused login is logged without the password, the BMS runs; the password from the environment logs in',
    scoped(async (scope) => {
      const broker = await startMosquitto(scope, workDir, { users: { bms: 'right-pass' } });
      const { file } = configFile({ url: broker.url, username: 'bms', password: 'wrong-pass' });
      const refused = daemonWith(scope, file);
      const line = await refused.waitFor(mqttLine('loginRefused'));
      expect(line.msg).toMatch(/login refused/);
      await refused.waitForMessage(CLOSED);
      expect(refused.lines.map((l) => JSON.stringify(l)).join('\n')).not.toContain('wrong-pass');
      expect(await refused.stop()).toBe(0);

      const accepted = daemonWith(scope, file, { TSBMS_MQTT_PASSWORD: 'right-pass' });
      await accepted.waitFor(mqttLine('connected'));
      expect(await accepted.stop()).toBe(0);
    }),
  );
});
