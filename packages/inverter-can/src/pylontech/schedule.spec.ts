import { victronBmsSnapshot } from '../testing';
import fc from 'fast-check';
import { map, Subject, VirtualTimeScheduler, VirtualAction } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { CanFrame } from '@tsbms/hal';
import type { VictronBmsSnapshot } from '../victron/snapshot';
import { PylontechFrameId } from './frame-ids';
import { decodePylontechFrame } from './messages';
import { pylontechFrames, pylontechFrameSchedule, type PylontechBatteryIdentity } from './schedule';

const identity: PylontechBatteryIdentity = {
  manufacturerName: 'PYLON',
  seriesCellCount: 12,
  cellLowVoltageV: 3.6,
};

// A 12S pack of 4 modules (2 strings), charging allowed, nothing wrong.
const snapshot = victronBmsSnapshot({
  dischargeCurrentLimitA: 120,
  stateOfChargePercent: 79.6,
  alarms: { levels: { highVoltage: 'ok', lowVoltage: 'ok', bmsInternal: 'ok' }, systemOnline: true },
  lowestCellId: null,
  highestCellId: null,
  lowestTemperatureId: null,
  highestTemperatureId: null,
  energyChargedKWh: null,
  energyDischargedKWh: null,
  onlineCapacityAh: 464,
  installedCapacityAh: 464,
});

const overVoltage: VictronBmsSnapshot = {
  ...snapshot,
  chargeCurrentLimitA: 0,
  alarms: { levels: { ...snapshot.alarms.levels, highVoltage: 'alarm' }, systemOnline: false },
};

const PYLONTECH_IDS: readonly number[] = Object.values(PylontechFrameId).filter(
  (id) => id !== PylontechFrameId.INVERTER_REPLY,
);
const hexId = (frame: CanFrame) => frame.id.toString(16);
const decoded = (frames: CanFrame[], id: number) => {
  const frame = frames.find((f) => f.id === id);
  if (frame === undefined) throw new Error(`no 0x${id.toString(16)} sent`);
  return decodePylontechFrame(frame);
};

describe('pylontechFrameSchedule (P-8)', () => {
  it('sends nothing before the first snapshot, then the six frames every second, 0x359 first (marbles)', () => {
    const testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    testScheduler.run(({ hot, expectObservable }) => {
      const snapshots$ = hot('1500ms a', { a: snapshot });
      const ids$ = pylontechFrameSchedule(snapshots$, identity, { scheduler: testScheduler }).pipe(
        map(hexId),
      );
      const burst = '(abcdef)';
      expectObservable(ids$, '^ 3600ms !').toBe(`1500ms ${burst} 992ms ${burst} 992ms ${burst}`, {
        a: '359',
        b: '351',
        c: '355',
        d: '356',
        e: '35c',
        f: '35e',
      });
    });
  });

  it('reflects an over-voltage alarm at the next second: protection and alarm bits, CCL 0, charge disabled (P-5, P-7)', () => {
    const scheduler = new VirtualTimeScheduler(VirtualAction, 3000);
    const snapshots = new Subject<VictronBmsSnapshot>();
    const sent: Array<[number, CanFrame]> = [];
    const subscription = pylontechFrameSchedule(snapshots, identity, { scheduler }).subscribe((frame) =>
      sent.push([scheduler.now(), frame]),
    );
    scheduler.schedule(() => snapshots.next(snapshot), 0);
    scheduler.schedule(() => snapshots.next(overVoltage), 1500);
    scheduler.flush();
    subscription.unsubscribe();
    const at = (ms: number) => sent.filter(([t]) => t === ms).map(([, f]) => f);

    expect(decoded(at(1000), 0x359)).toMatchObject({
      protection: { overVoltage: false },
      alarms: { highVoltage: false },
      moduleCount: 4,
    });
    expect(decoded(at(1000), 0x35c)).toMatchObject({
      requests: { chargeEnable: true, dischargeEnable: true },
    });

    expect(decoded(at(2000), 0x359)).toMatchObject({
      protection: { overVoltage: true, systemError: false },
      alarms: { highVoltage: true },
    });
    expect(decoded(at(2000), 0x351)).toMatchObject({ chargeCurrentLimitA: 0, chargeVoltageLimitV: 49.2 });
    expect(decoded(at(2000), 0x35c)).toEqual({
      kind: 'requestFlags',
      requests: {
        chargeEnable: false,
        dischargeEnable: true,
        forceChargeI: false,
        forceChargeII: false,
        fullCharge: false,
      },
    });
    expect(at(3000)).toHaveLength(6);
  });
});

describe('pylontechFrames', () => {
  it('maps warnings to alarm bits only, items without a bit to system error, offline modules to internal communication fail (P-7)', () => {
    const frames = pylontechFrames(
      {
        ...snapshot,
        modulesOnline: 3,
        modulesOffline: 1,
        alarms: {
          levels: { lowTemperatureCharging: 'warning', bmsInternal: 'alarm', cellImbalance: 'warning' },
          systemOnline: false,
        },
      },
      identity,
    );
    expect(decoded(frames, 0x359)).toEqual({
      kind: 'protectionAlarms',
      protection: {
        overVoltage: false,
        underVoltage: false,
        overTemperature: false,
        underTemperature: false,
        dischargeOverCurrent: false,
        chargeOverCurrent: false,
        systemError: true,
      },
      alarms: {
        highVoltage: false,
        lowVoltage: false,
        highTemperature: false,
        lowTemperature: true,
        dischargeHighCurrent: false,
        chargeHighCurrent: false,
        internalCommunicationFail: true,
      },
      moduleCount: 3,
      productCode: 'PN',
    });
  });

  it('clears an enable flag exactly when its limit is 0 on the wire, a negative limit included (P-3, P-5)', () => {
    const frames = pylontechFrames(
      { ...snapshot, chargeCurrentLimitA: 0.04, dischargeCurrentLimitA: -5 },
      identity,
    );
    expect(decoded(frames, 0x351)).toMatchObject({ chargeCurrentLimitA: 0, dischargeCurrentLimitA: 0 });
    expect(decoded(frames, 0x35c)).toMatchObject({
      requests: { chargeEnable: false, dischargeEnable: false },
    });
  });

  it('property: for any limits and alarms, six 8-byte frames of the profile, CVL > 0, CCL/DCL ≥ 0, flags agree (P-1, P-3, P-5)', () => {
    const number = fc.oneof(fc.double(), fc.double({ min: -500, max: 500, noNaN: true }));
    const level = fc.constantFrom('ok', 'warning', 'alarm', undefined);
    fc.assert(
      fc.property(
        number,
        number,
        number,
        level,
        level,
        fc.nat(300),
        (cvl, ccl, dcl, high, internal, modules) => {
          const frames = pylontechFrames(
            {
              ...snapshot,
              chargeVoltageLimitV: cvl,
              chargeCurrentLimitA: ccl,
              dischargeCurrentLimitA: dcl,
              modulesOnline: modules,
              alarms: {
                levels: { ...(high && { highVoltage: high }), ...(internal && { bmsInternal: internal }) },
                systemOnline: true,
              },
            },
            identity,
          );
          expect(frames.map((f) => f.id)).toEqual([0x359, 0x351, 0x355, 0x356, 0x35c, 0x35e]);
          for (const f of frames) {
            expect(PYLONTECH_IDS).toContain(f.id);
            expect(f.data.length).toBe(8);
          }
          const limits = decoded(frames, 0x351);
          const requests = decoded(frames, 0x35c);
          if (limits.kind !== 'chargeLimits' || requests.kind !== 'requestFlags')
            throw new Error('wrong kinds');
          expect(limits.chargeVoltageLimitV).toBeGreaterThanOrEqual(43.2);
          expect(limits.chargeCurrentLimitA).toBeGreaterThanOrEqual(0);
          expect(limits.dischargeCurrentLimitA).toBeGreaterThanOrEqual(0);
          expect(requests.requests.chargeEnable).toBe(limits.chargeCurrentLimitA > 0);
          expect(requests.requests.dischargeEnable).toBe(limits.dischargeCurrentLimitA > 0);
        },
      ),
    );
  });
});
