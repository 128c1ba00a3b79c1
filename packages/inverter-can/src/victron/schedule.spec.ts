import { victronBmsSnapshot } from '../testing';
import fc from 'fast-check';
import { Subject, VirtualTimeScheduler, VirtualAction, filter, map, type Subscription } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { CanFrame } from '@tsbms/hal';
import { decodeVictronFrame } from './messages';
import { framesForTick, victronFrameSchedule, type ScheduleAnomaly } from './schedule';
import type { VictronBatteryIdentity, VictronBmsSnapshot } from './snapshot';

const identity: VictronBatteryIdentity = {
  manufacturerName: 'tsBMS',
  batteryName: 'Garage battery 1',
  serialNumber: 'TS-0001',
  productFamily: 'ModelS',
  modelId: 0,
  firmwareMajor: 0,
  firmwareMinor: 1,
  seriesCellCount: 12,
  cellLowVoltageV: 3.6,
};

const snapshot = victronBmsSnapshot();

interface Sent {
  readonly atMs: number;
  readonly frame: CanFrame;
}

/** Runs the schedule in virtual time for `durationMs`, feeding snapshots at the given times. */
function runSchedule(feeds: Array<[number, VictronBmsSnapshot]>, durationMs: number): Sent[] {
  const scheduler = new VirtualTimeScheduler(VirtualAction, durationMs);
  const snapshots = new Subject<VictronBmsSnapshot>();
  const sent: Sent[] = [];
  const subscription: Subscription = victronFrameSchedule(snapshots, identity, { scheduler }).subscribe(
    (frame) => sent.push({ atMs: scheduler.now(), frame }),
  );
  for (const [atMs, s] of feeds) scheduler.schedule(() => snapshots.next(s), atMs);
  scheduler.flush();
  subscription.unsubscribe();
  return sent;
}

describe('victronFrameSchedule', () => {
  it('sends 0x351 once a second from the first snapshot, nothing before (marbles)', () => {
    const testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    testScheduler.run(({ hot, expectObservable }) => {
      const snapshots$ = hot('500ms a', { a: snapshot });
      const limits$ = victronFrameSchedule(snapshots$, identity, { scheduler: testScheduler }).pipe(
        filter((f) => f.id === 0x351),
        map(() => 'L'),
      );
      expectObservable(limits$, '^ 3000ms !').toBe('500ms L 999ms L 999ms L');
    });
  });

  it('V-4: over 60 s, 0x351 never has a gap above 1.2 s and no 10 s window exceeds 20 frames/s', () => {
    const sent = runSchedule([[0, snapshot]], 60_000);
    const limitTimes = sent.filter((s) => s.frame.id === 0x351).map((s) => s.atMs);
    expect(limitTimes.length).toBe(61);
    for (let i = 1; i < limitTimes.length; i++) {
      expect(limitTimes[i] - limitTimes[i - 1]).toBeLessThanOrEqual(1200);
    }
    for (let start = 0; start <= 50_000; start += 500) {
      const inWindow = sent.filter((s) => s.atMs >= start && s.atMs < start + 10_000).length;
      expect(inWindow / 10).toBeLessThanOrEqual(20);
    }
  });

  it('sends every frame of the spec within 10 s, slow frames every 5 s and identity every 10 s', () => {
    const sent = runSchedule([[0, snapshot]], 10_000);
    const ids = new Set(sent.map((s) => s.frame.id));
    for (const id of [
      0x351, 0x355, 0x356, 0x35a, 0x35e, 0x35f, 0x370, 0x371, 0x372, 0x373, 0x374, 0x375, 0x376, 0x377, 0x378,
      0x379, 0x380, 0x381, 0x382,
    ]) {
      expect([id.toString(16), ids.has(id)]).toEqual([id.toString(16), true]);
    }
    const times = (id: number) => sent.filter((s) => s.frame.id === id).map((s) => s.atMs);
    expect(times(0x373)).toEqual([0, 5000, 10_000]);
    expect(times(0x382)).toEqual([0, 10_000]);
    expect(sent.every((s) => s.frame.data.length === 8 && s.frame.id < 0x400)).toBe(true);
  });

  it('uses the latest snapshot at each tick and keeps sending after snapshots stop (V-5)', () => {
    const faulted: VictronBmsSnapshot = {
      ...snapshot,
      chargeCurrentLimitA: 0,
      dischargeCurrentLimitA: 0,
      alarms: { levels: { highVoltage: 'alarm', lowVoltage: 'ok' }, systemOnline: false },
    };
    const sent = runSchedule(
      [
        [0, snapshot],
        [2500, faulted],
      ],
      8000,
    );
    const limits = sent.filter((s) => s.frame.id === 0x351).map((s) => [s.atMs, decodeVictronFrame(s.frame)]);
    expect(limits.map(([t]) => t)).toEqual([0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000]);
    expect(limits[2][1]).toMatchObject({ chargeCurrentLimitA: 100 });
    expect(limits[3][1]).toMatchObject({
      chargeCurrentLimitA: 0,
      dischargeCurrentLimitA: 0,
      chargeVoltageLimitV: 49.2,
    });
    const alarms = sent
      .filter((s) => s.frame.id === 0x35a && s.atMs >= 3000)
      .map((s) => decodeVictronFrame(s.frame));
    expect(alarms[0]).toMatchObject({
      items: { highVoltage: { alarm: 'active', warning: 'active' } },
      systemStatus: 'active',
    });
  });

  it('omits 0x378 without a current sensor and sends current 0 in 0x356', () => {
    const noSensor = {
      ...snapshot,
      batteryCurrentA: null,
      energyChargedKWh: null,
      energyDischargedKWh: null,
    };
    const frames = framesForTick(0, noSensor, identity);
    expect(frames.some((f) => f.id === 0x378)).toBe(false);
    expect(decodeVictronFrame(frames.find((f) => f.id === 0x356) as CanFrame)).toMatchObject({
      batteryCurrentA: 0,
    });
  });
});

describe('safe limits (V-7, V-8)', () => {
  it('raises a CVL below Ns × low setpoint to that floor and reports it', () => {
    const anomalies: ScheduleAnomaly[] = [];
    const [limits] = framesForTick(1, { ...snapshot, chargeVoltageLimitV: 0 }, identity, (a) =>
      anomalies.push(a),
    );
    expect(decodeVictronFrame(limits)).toMatchObject({
      chargeVoltageLimitV: 43.2,
      dischargeVoltageLimitV: 43.2,
    });
    expect(anomalies).toEqual([{ canId: 0x351, message: 'CVL 0 V below the floor 43.2 V: sent the floor' }]);
  });

  it('falls back to stop-charging limits when the limits cannot be encoded', () => {
    const anomalies: ScheduleAnomaly[] = [];
    const [limits] = framesForTick(
      0,
      { ...snapshot, chargeVoltageLimitV: 1e9, chargeCurrentLimitA: 50 },
      identity,
      (a) => anomalies.push(a),
    );
    expect(decodeVictronFrame(limits)).toEqual({
      kind: 'chargeLimits',
      chargeVoltageLimitV: 43.2,
      chargeCurrentLimitA: 0,
      dischargeCurrentLimitA: 0,
      dischargeVoltageLimitV: 43.2,
    });
    expect(anomalies[0].message).toMatch(
      /chargeVoltageLimitV = 1000000000.*sent CVL 43.2 V, CCL 0 A, DCL 0 A/,
    );
  });

  it('drops only a frame whose value does not fit, and reports it', () => {
    const anomalies: ScheduleAnomaly[] = [];
    const frames = framesForTick(0, { ...snapshot, batteryVoltageV: 1000 }, identity, (a) =>
      anomalies.push(a),
    );
    expect(frames.some((f) => f.id === 0x356)).toBe(false);
    expect(frames[0].id).toBe(0x351);
    expect(anomalies).toEqual([{ canId: 0x356, message: expect.stringMatching(/batteryVoltageV = 1000/) }]);
  });

  it('property: for any snapshot, CVL ≥ floor, CCL and DCL ≥ 0, ids below 0x400, 8 bytes', () => {
    const number = fc.oneof(fc.double(), fc.double({ min: -500, max: 500, noNaN: true }));
    fc.assert(
      fc.property(number, number, number, fc.nat(20), (cvl, ccl, dcl, tick) => {
        const frames = framesForTick(
          tick,
          { ...snapshot, chargeVoltageLimitV: cvl, chargeCurrentLimitA: ccl, dischargeCurrentLimitA: dcl },
          identity,
        );
        const limits = decodeVictronFrame(frames[0]);
        if (limits.kind !== 'chargeLimits') throw new Error('first frame must be 0x351');
        expect(limits.chargeVoltageLimitV).toBeGreaterThanOrEqual(43.2);
        expect(limits.chargeCurrentLimitA).toBeGreaterThanOrEqual(0);
        expect(limits.dischargeCurrentLimitA).toBeGreaterThanOrEqual(0);
        for (const f of frames) {
          expect(f.id).toBeLessThan(0x400);
          expect(f.data.length).toBe(8);
        }
      }),
    );
  });
});
