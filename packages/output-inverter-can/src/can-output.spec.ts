import { ManualClock, type CanFrame } from '@tsbms/hal';
import {
  decodePylontechFrame,
  decodeSmaFrame,
  decodeVictronFrame,
  PylontechFrameId,
  SmaFrameId,
  VictronFrameId,
} from '@tsbms/inverter-can';
import type { BmsStatus } from '@tsbms/bms-core';
import { FakeOutputContext } from '@tsbms/bms-core/testing';
import { CanOutput, inverterCanOutput, type CanOutputOptions, type CanOutputSettings } from './can-output';
import { FakeCanBus } from './testing/fake-can-bus';
import { activeFault, packStatus, TWO_BY_TWO_SETTINGS, twoByTwoSettings } from './testing/pack-status';

function harness(
  options: {
    interfaceUp?: boolean;
    settings?: CanOutputSettings;
    initial?: BmsStatus;
    readBitRate?: CanOutputOptions['readBitRate'];
  } = {},
) {
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
    ...(options.readBitRate === undefined ? {} : { readBitRate: options.readBitRate }),
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
    expect(h.canLogs().map((l) => l.message)).toEqual([
      'vcan0 open',
      'vcan0: first valid scan, publishing (Victron profile)',
    ]);
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
      details: { inverterSeen: true, lastKeepAliveAgeS: 0.4, lastIdentityAgeS: 0.4 },
    });
    await h.clock.advanceByMs(10_000);
    expect(h.output.status()).toMatchObject({
      message: 'vcan0: GX not seen for 10.4 s',
      details: { inverterSeen: false },
    });
    // One line when the GX appears, one when it goes quiet, one when it is back.
    h.bus.receive({ id: 0x305, data: new Uint8Array(8) });
    await h.clock.advanceByMs(1000);
    expect(h.output.status().details).toMatchObject({ inverterSeen: true, lastKeepAliveAgeS: 1 });
    expect(
      h
        .canLogs()
        .filter((l) => 'inverterSeen' in l.fields)
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

/** An over-voltage fault as the core reports it: limits to 0, contactors open. */
const overVoltage = () =>
  packStatus({
    faults: [activeFault('cellOverVoltage', 'fault')],
    limits: { cvlV: 48.9, cclA: 0, dclA: 0 },
    contactors: {
      state: 'OPEN',
      openReason: 'fault',
      relays: { negative: false, precharge: false, positive: false },
    },
  });

describe('CanOutput profiles (inverter.profile)', () => {
  const framesPerSecond = async (inverter: Record<string, unknown>) => {
    const h = harness({ settings: twoByTwoSettings(inverter), initial: packStatus() });
    await h.clock.advanceByMs(4000);
    const perId = new Map<number, number[]>();
    for (const { atMs, frame } of h.bus.sent) perId.set(frame.id, [...(perId.get(frame.id) ?? []), atMs]);
    return { h, perId };
  };

  it('pylontech: 0x359, 0x351, 0x355, 0x356, 0x35C, 0x35E once a second in that order, nothing else (P-8)', async () => {
    const { h, perId } = await framesPerSecond({ profile: 'pylontech' });
    const burst = [0x359, 0x351, 0x355, 0x356, 0x35c, 0x35e];
    expect([...perId.keys()]).toEqual(burst);
    for (const times of perId.values())
      expect(times.map((t) => t - times[0])).toEqual([0, 1000, 2000, 3000, 4000]);
    expect(h.sentIds().slice(0, 6)).toEqual(burst);
    const name = decodePylontechFrame(
      h.bus.sent.find((s) => s.frame.id === 0x35e)?.frame ?? { id: 0, data: new Uint8Array() },
    );
    expect(name).toEqual({ kind: 'manufacturer', name: 'PYLON' });
    expect(h.output.status()).toMatchObject({
      details: { profile: 'pylontech' },
      message: 'vcan0: no inverter keep-alive yet',
    });
    expect(h.canLogs().map((l) => l.message)).toContain(
      'vcan0: first valid scan, publishing (Pylontech profile)',
    );
    await h.output.stop();
  });

  it('sma-sunny-island: 0x351, 0x355, 0x356, 0x35A, 0x35E, 0x35F once a second, nothing else (S-1, S-9)', async () => {
    const { h, perId } = await framesPerSecond({ profile: 'sma-sunny-island' });
    expect([...perId.keys()]).toEqual([0x351, 0x355, 0x356, 0x35a, 0x35e, 0x35f]);
    for (const times of perId.values())
      expect(times.map((t) => t - times[0])).toEqual([0, 1000, 2000, 3000, 4000]);
    h.bus.receive({ id: 0x305, data: new Uint8Array(8) });
    await h.clock.advanceByMs(500);
    expect(h.output.status().message).toBe('vcan0: Sunny Island seen 0.5 s ago');
    await h.output.stop();
  });

  /** The frames of the profile decoded, the second before an over-voltage scan and the second after. */
  const aroundOverVoltage = async <M>(profile: string, decode: (frame: CanFrame) => M) => {
    const h = harness({ settings: twoByTwoSettings({ profile }), initial: packStatus() });
    await h.clock.advanceByMs(1500);
    const faultAtMs = h.clock.now();
    h.scan(overVoltage());
    await h.clock.advanceByMs(1000);
    await h.output.stop();
    return {
      before: h.bus.sent.filter((s) => s.atMs < faultAtMs).map((s) => decode(s.frame)),
      after: h.bus.sent.filter((s) => s.atMs > faultAtMs).map((s) => decode(s.frame)),
    };
  };

  it('pylontech: an over-voltage sets its protection and alarm bits, zeroes CCL/DCL and clears the enables (P-5, P-7)', async () => {
    const { before, after } = await aroundOverVoltage('pylontech', decodePylontechFrame);
    const find = <K extends string>(messages: typeof after, kind: K) =>
      messages.find((m) => m.kind === kind) as Extract<(typeof after)[number], { kind: K }>;
    expect(find(before, 'protectionAlarms').protection.overVoltage).toBe(false);
    expect(find(before, 'requestFlags').requests).toMatchObject({
      chargeEnable: true,
      dischargeEnable: true,
    });
    expect(find(after, 'protectionAlarms')).toMatchObject({
      protection: { overVoltage: true },
      alarms: { highVoltage: true },
    });
    expect(find(after, 'chargeLimits')).toMatchObject({
      chargeVoltageLimitV: 48.9,
      chargeCurrentLimitA: 0,
      dischargeCurrentLimitA: 0,
    });
    expect(find(after, 'requestFlags').requests).toEqual({
      chargeEnable: false,
      dischargeEnable: false,
      forceChargeI: false,
      forceChargeII: false,
      fullCharge: false,
    });
  });

  it('sma-sunny-island: an over-voltage raises the 0x35A alarm and zeroes CCL, CVL held at the pack voltage (S-5, S-10)', async () => {
    const { after } = await aroundOverVoltage('sma-sunny-island', decodeSmaFrame);
    const alarms = after.find((m) => m.kind === 'alarms');
    expect(alarms?.kind === 'alarms' && alarms.items.highVoltage).toEqual({
      alarm: 'active',
      warning: 'active',
    });
    const limits = after.find((m) => m.kind === 'chargeLimits');
    expect(limits).toMatchObject({ chargeCurrentLimitA: 0, dischargeCurrentLimitA: 0 });
    // 48.9 V asked for, but the pack is at 47.83 V: CVL stays ≥ it either way (S-10).
    expect(limits?.kind === 'chargeLimits' && limits.chargeVoltageLimitV).toBeGreaterThanOrEqual(47.83);
  });

  it('ids the profile never sends: none of 0x359/0x35C on Victron (V-12), none of 0x372.. on SMA (S-1)', async () => {
    const victron = await framesPerSecond({});
    expect([...victron.perId.keys()]).not.toContain(PylontechFrameId.PROTECTION_ALARMS);
    expect([...victron.perId.keys()]).not.toContain(PylontechFrameId.REQUEST_FLAGS);
    await victron.h.output.stop();
    const sma = await framesPerSecond({ profile: 'sma-sunny-island' });
    expect([...sma.perId.keys()].every((id) => (Object.values(SmaFrameId) as number[]).includes(id))).toBe(
      true,
    );
    await sma.h.output.stop();
  });
});

describe('CanOutput bit rate check (inverter.bitRateKbps)', () => {
  it('a port at another bit rate: degraded, one warning with the command that fixes it', async () => {
    const h = harness({ initial: packStatus(), readBitRate: () => Promise.resolve(250_000) });
    await h.clock.advanceByMs(3000);
    const expected =
      'vcan0: runs at 250 kbit/s, inverter.bitRateKbps is 500: set it with "ip link set vcan0 type can bitrate 500000" or the interface\'s .network file';
    expect(h.output.status()).toMatchObject({
      state: 'degraded',
      message: expected,
      details: { bitRateKbps: 500, interfaceBitRateKbps: 250 },
    });
    expect(
      h
        .canLogs()
        .filter((l) => l.level === 'warn')
        .map((l) => l.message),
    ).toEqual([expected.replace('vcan0: ', 'vcan0 ')]);
    // Frames still go out: the wrong rate is the installer's to fix, not a reason to stop trying.
    expect(h.sentIds()).toContain(VictronFrameId.CHARGE_LIMITS);
    await h.output.stop();
  });

  it('the configured rate, or none at all (vcan): ok', async () => {
    for (const bitRate of [500_000, null]) {
      const h = harness({ initial: packStatus(), readBitRate: () => Promise.resolve(bitRate) });
      await h.clock.advanceByMs(1000);
      expect(h.output.status()).toMatchObject({
        state: 'ok',
        details: { interfaceBitRateKbps: bitRate === null ? null : 500 },
      });
      await h.output.stop();
    }
  });

  it('a bit rate that cannot be read: one warning, the output stays ok', async () => {
    const h = harness({
      initial: packStatus(),
      readBitRate: () => Promise.reject(new Error('ip: not found')),
    });
    await h.clock.advanceByMs(1000);
    expect(h.output.status().state).toBe('ok');
    expect(
      h
        .canLogs()
        .filter((l) => l.level === 'warn')
        .map((l) => l.message),
    ).toEqual(['vcan0: bit rate not checked (ip: not found)']);
    await h.output.stop();
  });
});

describe('inverterCanOutput', () => {
  const startCanOutput = inverterCanOutput({
    firmwareVersion: '0.1.0',
    openBus: (settings) => new FakeCanBus(settings),
  });

  it('is off (null) without inverter.interface', async () => {
    const settings = {
      ...TWO_BY_TWO_SETTINGS,
      inverter: { ...TWO_BY_TWO_SETTINGS.inverter, interface: null },
    };
    const context = new FakeOutputContext({ settings, status: packStatus() });
    await expect(startCanOutput(context)).resolves.toBeNull();
  });
});
