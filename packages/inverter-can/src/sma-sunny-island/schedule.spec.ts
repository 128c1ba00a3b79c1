import { victronBmsSnapshot } from '../testing';
import fc from 'fast-check';
import { map, Subject, VirtualTimeScheduler, VirtualAction } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { CanFrame } from '@tsbms/hal';
import type { VictronBmsSnapshot } from '../victron/snapshot';
import type { ScheduleAnomaly } from '../frame-schedule';
import { SMA_ACCEPTED_RANGES } from './accepted-ranges';
import { SmaFrameId } from './frame-ids';
import { decodeSmaFrame } from './messages';
import { smaFrames, smaFrameSchedule, type SmaBatteryIdentity } from './schedule';

const identity: SmaBatteryIdentity = {
  manufacturerName: 'tsBMS',
  firmwareMajor: 0,
  firmwareMinor: 1,
  seriesCellCount: 12,
  cellLowVoltageV: 3.6,
};

// A 12S pack (48 V class, what a Sunny Island takes), charging allowed, nothing wrong.
const snapshot = victronBmsSnapshot({
  lowestCellVoltageV: null,
  highestCellVoltageV: null,
  lowestTemperatureC: null,
  highestTemperatureC: null,
  lowestCellId: null,
  highestCellId: null,
  lowestTemperatureId: null,
  highestTemperatureId: null,
  energyChargedKWh: null,
  energyDischargedKWh: null,
});

const SMA_IDS: readonly number[] = Object.values(SmaFrameId);
const hexId = (frame: CanFrame) => frame.id.toString(16);
const decoded = (frames: CanFrame[], id: number) => {
  const frame = frames.find((f) => f.id === id);
  if (frame === undefined) throw new Error(`no 0x${id.toString(16)} sent`);
  return decodeSmaFrame(frame);
};

/** Runs the schedule in virtual time, feeding `feeds` at their times. */
function run(feeds: Array<[number, VictronBmsSnapshot]>, durationMs: number): Array<[number, CanFrame]> {
  const scheduler = new VirtualTimeScheduler(VirtualAction, durationMs);
  const snapshots = new Subject<VictronBmsSnapshot>();
  const sent: Array<[number, CanFrame]> = [];
  const subscription = smaFrameSchedule(snapshots, identity, { scheduler }).subscribe((frame) =>
    sent.push([scheduler.now(), frame]),
  );
  for (const [atMs, s] of feeds) scheduler.schedule(() => snapshots.next(s), atMs);
  scheduler.flush();
  subscription.unsubscribe();
  return sent;
}

describe('smaFrameSchedule (S-9)', () => {
  it('sends nothing before the first snapshot, then the six frames every second, limits first (marbles)', () => {
    const testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    testScheduler.run(({ hot, expectObservable }) => {
      const snapshots$ = hot('700ms a', { a: snapshot });
      const ids$ = smaFrameSchedule(snapshots$, identity, { scheduler: testScheduler }).pipe(map(hexId));
      const burst = '(abcdef)';
      expectObservable(ids$, '^ 2800ms !').toBe(`700ms ${burst} 992ms ${burst} 992ms ${burst}`, {
        a: '351',
        b: '355',
        c: '356',
        d: '35a',
        e: '35e',
        f: '35f',
      });
    });
  });

  it('sends no id more often than every 200 ms, nor less often than every second, however often snapshots come', () => {
    const feeds: Array<[number, VictronBmsSnapshot]> = Array.from({ length: 200 }, (_, i) => [
      i * 50,
      { ...snapshot, stateOfChargePercent: i % 100 },
    ]);
    const sent = run(feeds, 10_000);
    for (const id of SMA_IDS) {
      const times = sent.filter(([, f]) => f.id === id).map(([t]) => t);
      expect([hexId({ id, data: new Uint8Array() }), times.length]).toEqual([
        hexId({ id, data: new Uint8Array() }),
        11,
      ]);
      for (let i = 1; i < times.length; i++) {
        expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(200);
        expect(times[i] - times[i - 1]).toBeLessThanOrEqual(1000);
      }
    }
  });

  it('reflects an over-voltage fault at the next second: 0x35A alarm, CCL 0, CVL held at the pack voltage (S-5, S-10, S-11)', () => {
    const faulted: VictronBmsSnapshot = {
      ...snapshot,
      chargeVoltageLimitV: 48.0,
      chargeCurrentLimitA: 0,
      dischargeCurrentLimitA: 0,
      batteryVoltageV: 49.63,
      alarms: { levels: { highVoltage: 'alarm', lowVoltage: 'ok' }, systemOnline: false },
    };
    const sent = run(
      [
        [0, snapshot],
        [1500, faulted],
      ],
      2000,
    );
    const at = (ms: number) => sent.filter(([t]) => t === ms).map(([, f]) => f);
    expect(decoded(at(1000), 0x35a)).toMatchObject({ items: { highVoltage: { alarm: 'ok' } } });
    expect(decoded(at(2000), 0x35a)).toMatchObject({
      items: { highVoltage: { alarm: 'active', warning: 'active' }, lowVoltage: { alarm: 'ok' } },
    });
    expect(decoded(at(2000), 0x351)).toEqual({
      kind: 'chargeLimits',
      chargeVoltageLimitV: 49.7,
      chargeCurrentLimitA: 0,
      dischargeCurrentLimitA: 0,
      dischargeVoltageLimitV: 43.2,
    });
  });
});

describe('smaFrames', () => {
  it('clamps limits into the ranges the Sunny Island accepts and reports each clamp (S-3)', () => {
    const anomalies: ScheduleAnomaly[] = [];
    const frames = smaFrames(
      { ...snapshot, chargeVoltageLimitV: 70, chargeCurrentLimitA: 5000 },
      { ...identity, seriesCellCount: 14 },
      (a) => anomalies.push(a),
    );
    expect(decoded(frames, 0x351)).toEqual({
      kind: 'chargeLimits',
      chargeVoltageLimitV: 63,
      chargeCurrentLimitA: 1200,
      dischargeCurrentLimitA: 100,
      dischargeVoltageLimitV: 48,
    });
    expect(anomalies.map((a) => [a.canId, a.message.split(' ')[0]])).toEqual([
      [0x351, 'chargeVoltageLimitV'],
      [0x351, 'chargeCurrentLimitA'],
      [0x351, 'dischargeVoltageLimitV'],
    ]);
  });

  it('sends the identity: name, BMS version 0.1 as 1, online capacity, unknowns invalid (S-6, S-7)', () => {
    const frames = smaFrames(snapshot, identity);
    expect(decoded(frames, 0x35e)).toEqual({ kind: 'manufacturer', name: 'tsBMS' });
    expect(decoded(frames, 0x35f)).toEqual({
      kind: 'batteryInfo',
      batteryType: null,
      bmsVersion: 1,
      capacityAh: 257,
      manufacturerId: null,
    });
    expect(decoded(frames, 0x355)).toEqual({
      kind: 'stateOfCharge',
      stateOfChargePercent: 80,
      stateOfHealthPercent: 100,
      stateOfChargeHighResPercent: 80.26,
    });
  });

  it('property: for any snapshot numbers, only the six ids, 8 bytes, 0x351 always sent inside the accepted ranges', () => {
    const number = fc.oneof(fc.double(), fc.double({ min: -2000, max: 2000, noNaN: true }));
    const { chargeVoltageLimitV, chargeCurrentLimitA, dischargeCurrentLimitA, dischargeVoltageLimitV } =
      SMA_ACCEPTED_RANGES;
    fc.assert(
      fc.property(number, number, number, number, number, (cvl, ccl, dcl, packV, soc) => {
        const frames = smaFrames(
          {
            ...snapshot,
            chargeVoltageLimitV: cvl,
            chargeCurrentLimitA: ccl,
            dischargeCurrentLimitA: dcl,
            batteryVoltageV: packV,
            stateOfChargePercent: soc,
          },
          identity,
        );
        for (const f of frames) {
          expect(SMA_IDS).toContain(f.id);
          expect(f.data.length).toBe(8);
        }
        const limits = decodeSmaFrame(frames[0]);
        if (limits.kind !== 'chargeLimits') throw new Error('first frame must be 0x351');
        const inside = (value: number | null, range: { min: number; max: number }) =>
          expect([value, value !== null && value >= range.min && value <= range.max]).toEqual([value, true]);
        inside(limits.chargeVoltageLimitV, chargeVoltageLimitV);
        inside(limits.chargeCurrentLimitA, chargeCurrentLimitA);
        inside(limits.dischargeCurrentLimitA, dischargeCurrentLimitA);
        inside(limits.dischargeVoltageLimitV, dischargeVoltageLimitV);
      }),
    );
  });
});
