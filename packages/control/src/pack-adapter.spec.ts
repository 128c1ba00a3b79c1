import {
  buildBatteryModelConfig,
  initialPackModel,
  toPackState,
  updatePackModel,
  type PackState,
} from '@tsbms/battery-model';
import { makePackReading } from '@tsbms/battery-model/testing';
import { concat, distinctUntilChanged, map, NEVER, take, timer } from 'rxjs';
import { buildControlConfig } from './config';
import { createControl } from './control';
import { marble, testScheduler } from './marbles.fixture';
import type { ActiveFault, FaultSet } from '@tsbms/fault-engine';
import { RELAYS_BY_STATE, type ContactorSequenceStatus } from './contactors';
import { contactorFaultInput, fromPackAndFaults, summariseFaults } from './pack-adapter';

function pack(): PackState {
  const config = buildBatteryModelConfig({
    moduleCount: 4,
    parallelStringCount: 2,
  });
  const reading = makePackReading(
    1000,
    4,
    (address) =>
      address === 2
        ? {
            cellVoltagesV: [3.9, 4.05, 3.9, 3.9, 3.9, null],
            temperaturesC: [12, 30],
            hardwareFlags: ['COV'],
          }
        : address === 3
          ? { balanceTimerRunning: true, hardwareFlags: ['PARITY'] }
          : {},
    { busVoltageV: 47.1, currentA: -2.5 },
  );
  return updatePackModel(initialPackModel(config), reading).pack as PackState;
}

function fault(overrides: Partial<ActiveFault>): ActiveFault {
  return {
    kind: 'cellOverVoltage',
    level: 'info',
    location: {},
    value: null,
    now: null,
    sinceMs: 0,
    latched: false,
    clearable: false,
    ...overrides,
  };
}

const faultSet = (faults: ActiveFault[]): FaultSet => ({
  timestampMs: 1000,
  faults,
  highestLevel: null,
});

describe('fromPackAndFaults', () => {
  it('maps a battery-model snapshot onto the control inputs', () => {
    const inputs = fromPackAndFaults(pack(), faultSet([]), {
      discoveryMatched: true,
      shutdownRequested: false,
    });
    expect(inputs).toMatchObject({
      scanAtMs: 1000,
      discoveryMatched: true,
      highestCellV: 4.05,
      lowestCellV: 3.9,
      highestTemperatureC: 30,
      lowestTemperatureC: 12,
      busVoltageV: 47.1,
      currentA: -2.5,
      shutdownRequested: false,
      faults: {
        faultActive: false,
        overTemperatureWarning: false,
        temperatureImplausible: false,
      },
    });
    expect(inputs.strings.map((s) => s.modules.map((m) => m.address))).toEqual([
      [1, 2],
      [3, 4],
    ]);
    const module2 = inputs.strings[0].modules[1];
    expect(module2.cellVoltagesV.slice(0, 5)).toEqual([3.9, 4.05, 3.9, 3.9, 3.9]);
    // A missing value is unknown, never 0.
    expect(module2.cellVoltagesV[5]).toBeNaN();
    expect(module2).toMatchObject({
      temperaturesC: [12, 30],
      stale: false,
      chipFault: true,
    });
    // PARITY is a warning-level bit, not a chip fault.
    expect(inputs.strings[1].modules[0]).toMatchObject({
      chipFault: false,
      balanceTimerRunning: true,
    });
  });
});

describe('summariseFaults', () => {
  it('counts fault-level entries, over-temperature warnings and implausible temperatures', () => {
    expect(summariseFaults(faultSet([fault({ level: 'warning' })]))).toEqual({
      faultActive: false,
      overTemperatureWarning: false,
      temperatureImplausible: false,
    });
    expect(
      summariseFaults(
        faultSet([
          fault({ kind: 'moduleCommsLoss', level: 'fault', latched: true }),
          fault({ kind: 'overTemperature', level: 'warning' }),
          fault({
            kind: 'sensorImplausible',
            level: 'warning',
            location: { quantity: 'temperature' },
          }),
        ]),
      ),
    ).toEqual({
      faultActive: true,
      overTemperatureWarning: true,
      temperatureImplausible: true,
    });
    expect(
      summariseFaults(
        faultSet([
          fault({ kind: 'overTemperature', level: 'info' }),
          fault({
            kind: 'sensorImplausible',
            level: 'fault',
            location: { quantity: 'cellVoltage' },
          }),
        ]),
      ),
    ).toEqual({
      faultActive: true,
      overTemperatureWarning: false,
      temperatureImplausible: false,
    });
  });
});

describe('contactorFaultInput', () => {
  it('reports each relay command, its feedback and the failed precharge attempts', () => {
    const status: ContactorSequenceStatus = {
      state: 'PRECHARGE',
      sinceMs: 0,
      relays: RELAYS_BY_STATE.PRECHARGE,
      openReason: 'startup',
      failedAttempts: 2,
      prechargeFailed: false,
      prechargeVerified: null,
      testMode: false,
      lastOpenedAtMs: null,
    };
    expect(contactorFaultInput(status, { negative: true })).toEqual({
      contactors: [
        { name: 'negative', commandedClosed: true, feedbackClosed: true },
        { name: 'precharge', commandedClosed: true, feedbackClosed: null },
        { name: 'positive', commandedClosed: false, feedbackClosed: null },
      ],
      prechargeFailedAttempts: 2,
    });
  });
});

describe('control fed by battery-model (integration)', () => {
  it('closes the contactors and balances from real pack snapshots', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const modelConfig = buildBatteryModelConfig({
        moduleCount: 2,
        parallelStringCount: 1,
      });
      const readings$ = timer(0, 500).pipe(
        take(40),
        map((i) =>
          makePackReading(i * 500, 2, (address) =>
            address === 1
              ? { cellVoltagesV: [3.95, 4.0, 3.95, 3.95, 3.95, 3.95] }
              : { cellVoltagesV: [3.95, 3.95, 3.95, 3.95, 3.95, 3.95] },
          ),
        ),
      );
      const inputs$ = concat(
        readings$.pipe(
          toPackState(modelConfig),
          map((pack) =>
            fromPackAndFaults(pack, faultSet([]), {
              discoveryMatched: true,
              shutdownRequested: false,
            }),
          ),
        ),
        NEVER,
      );
      const control = createControl(inputs$, {
        config: buildControlConfig({ moduleCount: 2 }),
        clock: scheduler,
      });
      expectObservable(control.contactors$.pipe(map((s) => s.state))).toBe(
        marble([0, 'o'], [0, 'n'], [1000, 'p'], [6000, 'v'], [7000, 'c'], [29500, 'o']),
        { o: 'OPEN', n: 'NEGATIVE', p: 'PRECHARGE', v: 'OVERLAP', c: 'CLOSED' },
      );
      expectObservable(
        control.balancing$.pipe(
          map((b) => b.strings[0].modules[0].mask),
          distinctUntilChanged(),
        ),
      ).toBe(marble([0, 'a'], [2000, 'b'], [12000, 'a'], [14000, 'b']), {
        a: 0,
        b: 0b10,
      });
    });
  });
});
