import { ManualClock } from '@tsbms/hal';
import type { BmsStatus } from '@tsbms/bms-core';
import type { FaultEvent } from '@tsbms/fault-engine';
import { activeFault, bmsStatus } from '@tsbms/bms-core/testing';
import { FakeOutputContext } from '@tsbms/bms-core/testing';
import { RecordingChannel } from './testing';
import { notificationsConfigSchema } from './notifications-config';
import { startNotificationsOutput, type NotificationsOutputSettings } from './notifications-output';

const T0 = Date.UTC(2026, 11, 5, 12, 0, 0);

/** A scan's status: no modules needed here, only its time and faults. */
const scanAt = (timestampMs: number, faults: BmsStatus['faults'] = []): BmsStatus =>
  bmsStatus({ timestampMs, modules: [], packVoltageV: null, currentA: null, socPercent: null, faults });

const overVoltage = (type: FaultEvent['type'], atMs: number): FaultEvent => ({
  type,
  timestampMs: atMs,
  kind: 'cellOverVoltage',
  level: 'fault',
  location: { moduleAddress: 2, cellIndex: 2, quantity: 'cellVoltage' },
  value: 4.17,
  source: 'engine',
  latched: false,
});

async function harness(section: Record<string, unknown>, fetch?: typeof globalThis.fetch) {
  const clock = new ManualClock(T0);
  const settings: NotificationsOutputSettings = { notifications: notificationsConfigSchema.parse(section) };
  const context = new FakeOutputContext({ clock, settings, status: scanAt(T0) });
  const ntfy = new RecordingChannel('ntfy');
  const email = new RecordingChannel('email');
  const output = await startNotificationsOutput({
    channelsFor: () => [ntfy, email],
    ...(fetch === undefined ? {} : { fetch }),
  })(context);
  if (output === null) throw new Error('the output did not start');
  return { clock, context, ntfy, email, output };
}

describe('NotificationsOutput', () => {
  it('sends one message per raise and one per clear to every channel', async () => {
    const h = await harness({ quietPeriodS: 60 });
    h.context.publishFault(overVoltage('raise', h.clock.now()));
    await h.clock.advanceByMs(120_000);
    h.context.publishFault(overVoltage('clear', h.clock.now()));
    await h.clock.advanceByMs(1000);
    for (const channel of [h.ntfy, h.email])
      expect(channel.sent.map((n) => n.event)).toEqual(['raised', 'cleared']);
    expect(h.output.status()).toMatchObject({ state: 'ok', message: 'ntfy, email: 4 message(s) sent' });
    await h.output.stop();
    expect([h.ntfy.closed, h.email.closed]).toEqual([true, true]);
  });

  it('a channel that is down: one warning, degraded, the others unaffected; delivered once it is back', async () => {
    const h = await harness({});
    h.ntfy.down = true;
    h.context.publishFault(overVoltage('raise', h.clock.now()));
    await h.clock.advanceByMs(20_000);
    expect(h.email.sent).toHaveLength(1);
    expect(h.ntfy.sent).toHaveLength(0);
    expect(h.output.status()).toMatchObject({
      state: 'degraded',
      message: 'ntfy: ntfy: down (test)',
    });
    const warnings = h.context.logger.lines.filter((l) => l.level === 'warn');
    expect(warnings.map((l) => l.message)).toEqual([
      'notifications: ntfy failed (ntfy: down (test)); retrying in 5 s',
    ]);
    h.ntfy.down = false;
    await h.clock.advanceByMs(60_000);
    expect(h.ntfy.sent.map((n) => n.event)).toEqual(['raised']);
    expect(h.output.status().state).toBe('ok');
    await h.output.stop();
  });

  it('pings the heartbeat URL once per interval while scans complete, and stops when they stop', async () => {
    const pings: number[] = [];
    // The fake fetch reads the harness's clock, made after it.
    const harnessClock: { current?: ManualClock } = {};
    const fetch = ((url: string) => {
      expect(url).toBe('https://hc-ping.com/0d1f7e2a');
      pings.push(harnessClock.current?.now() ?? NaN);
      return Promise.resolve(new Response('OK'));
    }) as unknown as typeof globalThis.fetch;
    const h = await harness({ heartbeat: { url: 'https://hc-ping.com/0d1f7e2a', intervalS: 60 } }, fetch);
    harnessClock.current = h.clock;
    for (let s = 0; s < 300; s += 2) {
      h.context.publishStatus(scanAt(h.clock.now()));
      await h.clock.advanceByMs(2000);
    }
    // Scans stop: so do the pings.
    await h.clock.advanceByMs(600_000);
    expect(pings.map((t) => (t - T0) / 1000)).toEqual([0, 60, 120, 180, 240]);
    expect(h.output.status().details).toMatchObject({ heartbeat: { failing: false, lastOkAgeS: 660 } });
    await h.output.stop();
  });

  it('a failing heartbeat: one warning that never shows the URL, degraded', async () => {
    const fetch = (() =>
      Promise.resolve(new Response('no', { status: 404 }))) as unknown as typeof globalThis.fetch;
    const h = await harness({ heartbeat: { url: 'https://hc-ping.com/secret-uuid' } }, fetch);
    h.context.publishStatus(scanAt(h.clock.now()));
    await h.clock.flush();
    expect(h.output.status()).toMatchObject({ state: 'degraded', message: 'heartbeat: HTTP 404' });
    const lines = JSON.stringify(h.context.logger.lines);
    expect(lines).toContain('heartbeat ping failed (HTTP 404)');
    expect(lines).not.toContain('secret-uuid');
    await h.output.stop();
  });

  it('starting while a latched fault is active: nothing repeated, a reminder after the interval', async () => {
    const clock = new ManualClock(T0);
    const fault = activeFault({
      kind: 'moduleCommsLoss',
      level: 'fault',
      latched: true,
      location: { moduleAddress: 1 },
    });
    const ntfy = new RecordingChannel('ntfy');
    const context = new FakeOutputContext({
      clock,
      settings: { notifications: notificationsConfigSchema.parse({ reminderIntervalS: 600 }) },
      status: scanAt(T0, [fault]),
    });
    const output = await startNotificationsOutput({ channelsFor: () => [ntfy] })(context);
    await clock.advanceByMs(599_000);
    expect(ntfy.sent).toEqual([]);
    await clock.advanceByMs(1000);
    expect(ntfy.sent.map((n) => n.event)).toEqual(['reminder']);
    await output?.stop();
  });

  it('is off (null) with no channel and no heartbeat', async () => {
    const context = new FakeOutputContext({
      settings: { notifications: notificationsConfigSchema.parse({}) },
      status: scanAt(T0),
    });
    await expect(startNotificationsOutput({ channelsFor: () => [] })(context)).resolves.toBeNull();
  });
});
