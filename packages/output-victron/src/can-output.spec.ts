import { ManualClock } from '@tsbms/hal';
import { decodeVictronFrame, VictronFrameId } from '@tsbms/inverter-can';
import type { BmsStatus } from '@tsbms/bms-core';
import { FakeOutputContext } from '@tsbms/bms-core/testing';
import { CanOutput, victronCanOutput, type CanOutputSettings } from './can-output';
import { FakeCanBus } from './testing/fake-can-bus';
import { activeFault, packStatus, TWO_BY_TWO_SETTINGS } from './testing/pack-status';

function harness(options: { interfaceUp?: boolean; settings?: CanOutputSettings; initial?: BmsStatus } = {}) {
  const clock = new ManualClock(1_000_000);
  const context = new FakeOutputContext({
    clock,
    settings: options.settings ?? TWO_BY_TWO_SETTINGS,
    status: options.initial ?? packStatus({ limits: null, socPercent: null, packVoltageV: null }),
  });
  const logs = context.logger.lines;
  let bus: FakeCanBus | undefined;
  const output = new CanOutput(context, {
    firmwareVersion: '0.1.0',
    openBus: (settings) => (bus = new FakeCanBus(settings, options.interfaceUp ?? true)),
  });
  if (!bus) throw new Error('no bus opened');
  const opened = bus;
  const scan = (status: BmsStatus) => context.publishStatus(status);
  const sentIds = (fromMs = 0) => opened.sent.filter((s) => s.atMs >= fromMs).map((s) => s.frame.id);
  return {
    clock,
    bus: opened,
    output,
    logs,
    scan,
    sentIds,
    canLogs: () => logs.filter((l) => l.fields.event === 'can'),
  };
}

describe('CanOutput', () => {
  it('sends nothing before the first valid scan, then every frame on the 1 s / 5 s cadence (V-5)', async () => {
    const h = harness();
    await h.clock.advanceByMs(5000);
    expect(h.bus.sent).toEqual([]);
    expect(h.output.status().details).toMatchObject({ publishing: false, open: true });

    h.scan(packStatus());
    const startMs = h.clock.now();
    await h.clock.advanceByMs(10_000);
    const limits = h.bus.sent.filter((s) => s.frame.id === VictronFrameId.CHARGE_LIMITS);
    expect(limits).toHaveLength(11); // t = 0, 1, ..., 10 s
    expect(limits.map((s) => s.atMs - startMs)).toEqual(Array.from({ length: 11 }, (_, i) => i * 1000));
    for (const id of [0x355, 0x356, 0x35a]) expect(h.sentIds().filter((x) => x === id)).toHaveLength(11);
    for (const id of [0x35e, 0x35f, 0x372, 0x373, 0x374, 0x375, 0x376, 0x377, 0x379]) {
      expect(h.sentIds().filter((x) => x === id)).toHaveLength(3);
    }
    expect(h.output.status().details).toMatchObject({
      publishing: true,
      framesSent: h.bus.sent.length,
      sendErrors: 0,
    });
    expect(h.canLogs().map((l) => l.message)).toEqual(['vcan0 open', 'vcan0: first valid scan, publishing']);
    await h.output.stop();
    expect(h.bus.closed).toBe(true);
  });

  it('publishes from the status it finds at start, without waiting for the next scan', async () => {
    const h = harness({ initial: packStatus() });
    await h.clock.flush();
    expect(h.sentIds()).toContain(VictronFrameId.CHARGE_LIMITS);
    await h.output.stop();
  });

  it('keeps publishing during a fault, with zero current limits and the alarm bit (never CVL 0)', async () => {
    const h = harness({ initial: packStatus() });
    await h.clock.advanceByMs(2000);
    const faultAtMs = h.clock.now();
    h.scan(
      packStatus({
        faults: [activeFault('cellOverVoltage', 'fault')],
        limits: { cvlV: 48.9, cclA: 0, dclA: 0 },
        contactors: {
          state: 'OPEN',
          openReason: 'fault',
          relays: { negative: false, precharge: false, positive: false },
        },
      }),
    );
    await h.clock.advanceByMs(1000);
    const after = h.bus.sent.filter((s) => s.atMs > faultAtMs).map((s) => decodeVictronFrame(s.frame));
    expect(after.find((m) => m.kind === 'chargeLimits')).toEqual({
      kind: 'chargeLimits',
      chargeVoltageLimitV: 48.9,
      chargeCurrentLimitA: 0,
      dischargeCurrentLimitA: 0,
      dischargeVoltageLimitV: 43.2,
    });
    const alarms = after.find((m) => m.kind === 'alarms');
    expect(alarms?.kind === 'alarms' && alarms.items.highVoltage).toEqual({
      alarm: 'active',
      warning: 'active',
    });
    expect(alarms?.kind === 'alarms' && alarms.systemStatus).toBe('active');
    await h.output.stop();
  });

  it('reports the GX keep-alive age, "not seen" once it stops, and logs each change (V-6)', async () => {
    const h = harness({ initial: packStatus() });
    await h.clock.flush();
    expect(h.output.status()).toMatchObject({ state: 'ok', message: 'vcan0: no GX keep-alive yet' });
    h.bus.receive({ id: 0x305, data: new Uint8Array(8) });
    h.bus.receive({ id: 0x307, data: Uint8Array.from([0x12, 0x34, 0x56, 0x78, 0x56, 0x49, 0x43, 0]) });
    await h.clock.advanceByMs(400);
    expect(h.output.status()).toMatchObject({
      state: 'ok',
      message: 'vcan0: GX seen 0.4 s ago',
      details: { gxSeen: true, lastKeepAliveAgeS: 0.4, lastGxIdentityAgeS: 0.4 },
    });
    await h.clock.advanceByMs(10_000);
    expect(h.output.status()).toMatchObject({
      message: 'vcan0: GX not seen for 10.4 s',
      details: { gxSeen: false },
    });
    // One line when the GX appears, one when it goes quiet, one when it is back.
    h.bus.receive({ id: 0x305, data: new Uint8Array(8) });
    await h.clock.advanceByMs(1000);
    expect(h.output.status().details).toMatchObject({ gxSeen: true, lastKeepAliveAgeS: 1 });
    expect(
      h
        .canLogs()
        .filter((l) => 'gxSeen' in l.fields)
        .map((l) => [l.level, l.message]),
    ).toEqual([
      ['info', 'vcan0: GX seen'],
      ['warn', 'vcan0: no GX keep-alive for 6.0 s'],
      ['info', 'vcan0: GX seen'],
    ]);
    await h.output.stop();
  });

  it('a missing interface: degraded with a clear message, one warning, retries, then publishes', async () => {
    const h = harness({ interfaceUp: false, initial: packStatus() });
    await h.clock.advanceByMs(5500);
    expect(h.bus.openAttempts).toBeGreaterThanOrEqual(5);
    expect(h.bus.sent).toEqual([]);
    expect(h.output.status()).toMatchObject({
      state: 'degraded',
      message: 'vcan0: cannot open CAN interface vcan0: no such interface',
      details: { open: false },
    });
    expect(h.canLogs().filter((l) => l.level === 'warn')).toHaveLength(1);

    h.bus.interfaceUp = true;
    await h.clock.advanceByMs(1000);
    expect(h.output.status().state).toBe('ok');
    const backAtMs = h.clock.now();
    await h.clock.advanceByMs(2000);
    expect(h.sentIds(backAtMs)).toContain(VictronFrameId.CHARGE_LIMITS);
    expect(h.canLogs().at(-1)?.message).toBe('vcan0 open again');
    await h.output.stop();
  });

  it('the interface going down and coming back: degraded, then publishing resumes; 0x351 gap only while down', async () => {
    const h = harness({ initial: packStatus() });
    await h.clock.advanceByMs(3000);
    h.bus.takeDown();
    expect(h.output.status()).toMatchObject({ state: 'degraded', message: 'vcan0: interface down' });
    await h.clock.advanceByMs(3000);
    // The retries' own reason replaces it, without another warning.
    expect(h.output.status()).toMatchObject({
      state: 'degraded',
      message: 'vcan0: cannot open CAN interface vcan0: no such interface',
    });
    h.bus.interfaceUp = true;
    await h.clock.advanceByMs(3000);
    expect(h.output.status().state).toBe('ok');
    const times = h.bus.sent.filter((s) => s.frame.id === 0x351).map((s) => s.atMs);
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    // Down for 3 s, plus up to one retry delay (1 s) and one tick until the next 0x351.
    expect(Math.max(...gaps)).toBeLessThanOrEqual(5000);
    expect(gaps.filter((g) => g > 1000)).toHaveLength(1);
    expect(times.at(-1)).toBe(h.clock.now());
    expect(
      h
        .canLogs()
        .filter((l) => l.level === 'warn')
        .map((l) => l.message),
    ).toEqual(['vcan0 unavailable (interface down): Victron output paused, retrying; the BMS runs on']);
    await h.output.stop();
  });

  it('failing sends: one warning per run, degraded while it lasts, ok again after', async () => {
    const h = harness({ initial: packStatus() });
    await h.clock.advanceByMs(1000);
    h.bus.failSends = true;
    await h.clock.advanceByMs(3000);
    expect(h.output.status()).toMatchObject({
      state: 'degraded',
      message: 'vcan0: send of 0x351 on vcan0 failed',
    });
    expect(h.output.status().details?.sendErrors).toBeGreaterThan(10);
    h.bus.failSends = false;
    await h.clock.advanceByMs(1000);
    expect(h.output.status().state).toBe('ok');
    expect(
      h
        .canLogs()
        .map((l) => l.message)
        .slice(-2),
    ).toEqual(['vcan0: send of 0x351 on vcan0 failed', 'vcan0: sending again']);
    await h.output.stop();
  });
});

describe('victronCanOutput', () => {
  const startCanOutput = victronCanOutput({
    firmwareVersion: '0.1.0',
    openBus: (settings) => new FakeCanBus(settings),
  });

  it('is off (null) without can.interface', async () => {
    const settings = { ...TWO_BY_TWO_SETTINGS, can: { ...TWO_BY_TWO_SETTINGS.can, interface: null } };
    const context = new FakeOutputContext({ settings, status: packStatus() });
    await expect(startCanOutput(context)).resolves.toBeNull();
  });
});
