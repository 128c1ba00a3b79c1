import type { ConfigUpdate } from '@tsbms/bms-core';
import { FakeOutputContext } from '@tsbms/bms-core/testing';
import { runCommand } from './commands';
import { HOME_ASSISTANT_CONTROLS, homeAssistantHandlers, settingMessages } from './ha-controls';
import { statusFixture } from './testing/status-fixture';
import { mqttTopics } from './topics';

/*
 * Home Assistant's controls without a broker, over bms-core's FakeOutputContext: what each payload
 * becomes (the same config/set, faults/ack and restart as the token commands), and what is refused.
 * The controller's own test sends them through a real Mosquitto to its real configuration.
 */

class RecordingContext extends FakeOutputContext<unknown> {
  readonly patches: unknown[] = [];
  override readonly configuration = {
    current: () => ({
      limits: { chargeAllowed: false, maxChargeCurrentA: 80 },
      balancing: { enabled: true },
    }),
    update: (patch: unknown): ConfigUpdate => {
      this.patches.push(patch);
      return { config: {}, changedPaths: ['x'], effect: 'live', restart: null };
    },
  };
}

const topics = mqttTopics('tsbms');
const handlers = homeAssistantHandlers(topics);
let context: RecordingContext;
beforeEach(() => (context = new RecordingContext({ settings: null, status: statusFixture() })));

/** A control's plain payload on its command topic, with no token (commands off: null). */
function press(objectId: string, payload: string) {
  const handler = handlers.get(topics.homeAssistantControl(objectId));
  if (handler === undefined) throw new Error(`no control ${objectId}`);
  return runCommand(handler, payload, context, null);
}

describe('Home Assistant controls', () => {
  it('each control has its own command topic', () => {
    expect([...handlers.keys()]).toEqual(
      HOME_ASSISTANT_CONTROLS.map((control) => `tsbms/ha/${control.objectId}/set`),
    );
  });

  it('balance now asks the core, and a refusal is the answer', async () => {
    expect(await press('balance_now', 'PRESS')).toMatchObject({ ok: true, balancing: 'next scan' });
    context.balanceNowResult = { accepted: false, reason: 'a fault is active: nothing bleeds (B-27)' };
    expect(await press('balance_now', 'PRESS')).toMatchObject({
      ok: false,
      error: { code: 'BALANCE_REFUSED', message: 'a fault is active: nothing bleeds (B-27)' },
    });
    expect(context.balanceRequests).toEqual(['mqtt', 'mqtt']);
  });

  it('buttons acknowledge faults and restart, as faults/ack and restart do', async () => {
    expect(await press('acknowledge_faults', 'PRESS')).toMatchObject({
      command: 'ha/acknowledge_faults',
      ok: true,
    });
    expect(context.acknowledges).toEqual([{ source: 'mqtt' }]);
    expect(await press('restart', 'PRESS')).toMatchObject({ ok: true, restartInS: 0 });
    expect(context.restarts).toHaveLength(1);
  });

  it.each([
    ['charge_allowed', 'OFF', { limits: { chargeAllowed: false } }],
    ['discharge_allowed', 'ON', { limits: { dischargeAllowed: true } }],
    ['balancing_enabled', 'OFF', { balancing: { enabled: false } }],
    ['max_charge_current', '40', { limits: { maxChargeCurrentA: 40 } }],
    ['max_discharge_current', '75.5', { limits: { maxDischargeCurrentA: 75.5 } }],
    ['charge_cell_voltage', '4.05', { cells: { cellHighVoltageV: 4.05 } }],
  ])('%s %s is a config/set of %j', async (objectId, payload, patch) => {
    expect(await press(objectId, payload)).toMatchObject({ ok: true, effect: 'live' });
    expect(context.patches).toEqual([patch]);
  });

  it.each([
    ['acknowledge_faults', 'press'],
    ['balance_now', 'ON'],
    ['restart', '{"token": "x"}'],
    ['charge_allowed', 'true'],
    ['balancing_enabled', ''],
    ['max_charge_current', 'abc'],
    ['max_charge_current', '1e9'],
    ['charge_cell_voltage', '4,05'],
  ])('%s %j is a BAD_REQUEST and changes nothing', async (objectId, payload) => {
    const response = await press(objectId, payload);
    expect(response).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(context.patches).toEqual([]);
    expect(context.acknowledges).toEqual([]);
    expect(context.restarts).toEqual([]);
    expect(context.balanceRequests).toEqual([]);
  });

  it('the switches and numbers show their setting’s running value', () => {
    const states = new Map(
      settingMessages(topics, context.configuration.current()).map((m) => [m.topic, m.payload]),
    );
    expect(states.get('tsbms/setting/charge_allowed')).toBe('OFF');
    expect(states.get('tsbms/setting/balancing_enabled')).toBe('ON');
    expect(states.get('tsbms/setting/max_charge_current')).toBe('80');
    // A setting the configuration does not have is unknown to HA.
    expect(states.get('tsbms/setting/discharge_allowed')).toBe('None');
    expect([...states.keys()]).toHaveLength(6);
  });
});
