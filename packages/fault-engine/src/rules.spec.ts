import { buildBatteryModelConfig, initialPackModel, updatePackModel } from '@tsbms/battery-model';
import { locationKey } from './fault-engine';
import { stateLostFault } from './state-lost';
import { cell, Harness, temperature } from './testing/harness';
import type { ModuleHardwareFlag } from '@tsbms/pack-reading';
import type { FaultLocation, PersistedFaults } from './types';

/** B-10: every kind raises after its delay, not for a shorter excursion, clears after hysteresis and delay, latches as specified. */
describe('fault kinds (B-10 scenarios, 0.5 s scans)', () => {
  describe('cellOverVoltage', () => {
    it('info at once, warning after 2 s, not for a shorter excursion', () => {
      const h = new Harness();
      h.run(2000, cell(4.13));
      expect(h.levels('cellOverVoltage')).toEqual(['info']);
      expect(h.active('cellOverVoltage', 'info')?.location).toEqual({ moduleAddress: 1, cellIndex: 0 });
      h.run(500, cell(4.13));
      expect(h.levels('cellOverVoltage')).toEqual(['warning', 'info']);
      const short = new Harness();
      short.run(1500, cell(4.13));
      short.run(20_000, cell(3.9));
      expect(short.events('raise').map((e) => e.level)).toEqual(['info']);
    });

    it('clears only below the hysteresis, after the clear delay; nested levels clear together', () => {
      const h = new Harness();
      h.run(3000, cell(4.13));
      h.run(30_000, cell(4.11)); // below warning 4.125 but not below 4.105
      expect(h.levels('cellOverVoltage')).toEqual(['warning', 'info']);
      h.run(10_000, cell(4.0));
      expect(h.levels('cellOverVoltage')).toEqual(['warning', 'info']); // info's 5 s held by warning
      h.run(500, cell(4.0));
      expect(h.levels('cellOverVoltage')).toEqual([]);
      expect(h.events('clear').map((e) => e.level)).toEqual(['warning', 'info']);
    });

    it('fault after 10 s, latched: needs the clear condition and an acknowledge', () => {
      const h = new Harness();
      h.run(10_000, cell(4.16));
      expect(h.levels('cellOverVoltage')).not.toContain('fault');
      h.run(500, cell(4.16));
      expect(h.active('cellOverVoltage', 'fault')).toMatchObject({
        latched: true,
        value: 4.16,
        clearable: false,
      });
      expect(h.engine.acknowledge({ source: 'cli', kind: 'cellOverVoltage' }).accepted).toEqual([]);
      h.run(600_000, cell(3.9));
      expect(h.levels('cellOverVoltage')).toEqual(['fault', 'warning', 'info']);
      expect(h.active('cellOverVoltage', 'fault')?.clearable).toBe(true);
      expect(h.engine.acknowledge({ source: 'http', kind: 'cellOverVoltage' }).accepted).toHaveLength(1);
      h.run(500, cell(3.9));
      expect(h.levels('cellOverVoltage')).toEqual([]);
    });
  });

  describe('cellUnderVoltage', () => {
    it('fault after 5 s, self-clearing after 60 s above the hysteresis', () => {
      const h = new Harness();
      h.run(5000, cell(3.54));
      expect(h.levels('cellUnderVoltage')).toEqual(['warning', 'info']);
      h.run(500, cell(3.54));
      expect(h.active('cellUnderVoltage', 'fault')?.latched).toBe(false);
      h.run(59_500, cell(3.65));
      expect(h.levels('cellUnderVoltage')).toContain('fault');
      h.run(1000, cell(3.65));
      expect(h.levels('cellUnderVoltage')).toEqual([]);
    });

    it('a deep discharge below 3.0 V latches and is persisted', () => {
      const h = new Harness();
      h.run(6000, cell(2.9));
      expect(h.active('cellUnderVoltage', 'fault')?.latched).toBe(true);
      h.run(120_000, cell(3.7));
      expect(h.levels('cellUnderVoltage')).toEqual(['fault', 'warning', 'info']); // nested under the latched fault (B-3)
      const persisted = h.engine.persistedState();
      expect(persisted.faults).toEqual([
        {
          kind: 'cellUnderVoltage',
          level: 'fault',
          location: { moduleAddress: 1, cellIndex: 0 },
          value: 2.9, // what raised it, not the 3.7 V of the latest scan
          threshold: expect.closeTo(3.55, 9),
          sinceMs: 5500,
        },
      ]);
      const restarted = new Harness({}, 2, JSON.parse(JSON.stringify(persisted)));
      expect(restarted.active('cellUnderVoltage', 'fault')).toMatchObject({
        latched: true,
        sinceMs: 5500,
        value: 2.9,
        now: null, // not yet evaluated since the restart
      });
      expect(restarted.engine.acknowledge({ source: 'mqtt' }).rejected).toHaveLength(1); // condition not yet seen
      restarted.run(60_500, cell(3.7));
      expect(restarted.engine.acknowledge({ source: 'mqtt' }).accepted).toHaveLength(1);
      expect(restarted.levels('cellUnderVoltage')).toEqual([]);
    });
  });

  describe.each([['overTemperature', 61, 66, 25, 59] as const, ['underTemperature', 14, 9, 25, 16] as const])(
    '%s',
    (kind, warn, fault, normal, insideHysteresis) => {
      it('raises after 10 s, not for 9 s; clears after the hysteresis and 30 s / 60 s', () => {
        const h = new Harness();
        h.run(9000, temperature(warn));
        h.run(20_000, temperature(normal));
        expect(h.events('raise')).toEqual([]);
        h.run(10_500, temperature(warn));
        expect(h.levels(kind)).toEqual(['warning', 'info']);
        expect(h.active(kind, 'warning')?.location).toEqual({ moduleAddress: 1, sensorIndex: 0 });
        h.run(60_000, temperature(insideHysteresis));
        expect(h.levels(kind)).toContain('warning');
        h.run(30_500, temperature(normal));
        expect(h.levels(kind)).toEqual([]);
        h.run(10_500, temperature(fault));
        expect(h.levels(kind)).toEqual(['fault', 'warning', 'info']);
        h.run(59_500, temperature(normal));
        expect(h.levels(kind)).toContain('fault');
        h.run(1000, temperature(normal));
        expect(h.levels(kind)).toEqual([]);
      });
    },
  );

  describe('cellImbalance', () => {
    it('raises after 30 s of spread, clears 30 s / 60 s after it falls below the hysteresis', () => {
      const h = new Harness();
      h.run(30_000, cell(3.69));
      expect(h.levels('cellImbalance')).toEqual([]);
      h.run(500, cell(3.69));
      expect(h.levels('cellImbalance')).toEqual(['fault', 'warning', 'info']);
      expect(h.active('cellImbalance', 'fault')?.value).toBeCloseTo(0.21, 9);
      h.run(59_500, cell(3.85));
      expect(h.levels('cellImbalance')).toEqual(['fault', 'warning', 'info']);
      h.run(1000, cell(3.85));
      expect(h.levels('cellImbalance')).toEqual([]);
    });
  });

  describe('moduleCommsLoss', () => {
    const silent = (a: number) => (a === 2 ? { commsOk: false } : {});
    it('B-40/B-41: no event for one missed scan, warning at 2, cleared by 3 good scans', () => {
      const h = new Harness();
      h.run(500);
      h.run(500, silent);
      h.run(500);
      expect(h.events()).toEqual([]);
      h.run(1000, silent);
      expect(h.active('moduleCommsLoss', 'warning')?.location).toEqual({ moduleAddress: 2 });
      h.run(1000);
      expect(h.levels('moduleCommsLoss')).toEqual(['warning']);
      h.run(500);
      expect(h.levels('moduleCommsLoss')).toEqual([]);
    });

    it('B-42: fault after commsTimeoutS without a valid read, cleared by 60 s of good scans', () => {
      const h = new Harness();
      h.run(500);
      h.run(9500, silent);
      expect(h.levels('moduleCommsLoss')).toEqual(['warning']);
      h.run(500, silent);
      expect(h.levels('moduleCommsLoss')).toEqual(['fault', 'warning']);
      h.run(30_000);
      h.run(500, silent);
      h.run(60_000);
      expect(h.levels('moduleCommsLoss')).toContain('fault');
      h.run(500);
      expect(h.levels('moduleCommsLoss')).toEqual([]);
    });

    it('ages a module that never answered from the first evaluation', () => {
      const h = new Harness();
      h.run(10_000, silent);
      expect(h.levels('moduleCommsLoss')).toEqual(['warning']);
      h.run(500, silent);
      expect(h.levels('moduleCommsLoss')).toEqual(['fault', 'warning']);
    });
  });

  describe('moduleCountMismatch', () => {
    it('latches on a count that differs; acknowledged once a discovery matches, saying what raised it', () => {
      const h = new Harness();
      h.run(500, undefined, { discoveredModuleCount: 1 });
      const raisedWith = {
        value: 1,
        threshold: 2,
        detail:
          "discovered 1, configured 2: check the modules and the loop's connectors, then acknowledge once a discovery finds 2",
      };
      expect(h.active('moduleCountMismatch', 'fault')).toMatchObject({ ...raisedWith, latched: true });
      expect(h.engine.acknowledge({ source: 'http' }).accepted).toEqual([]); // still missing
      h.run(600_000, undefined, { discoveredModuleCount: 2 });
      expect(h.active('moduleCountMismatch', 'fault')).toMatchObject({
        ...raisedWith,
        latched: true,
        clearable: true,
        now: { value: 2, threshold: 2, detail: 'discovered 2, configured 2' },
      });
      expect(h.engine.acknowledge({ source: 'http' }).accepted).toHaveLength(1);
      expect(h.levels('moduleCountMismatch')).toEqual([]);
      expect(h.events('raise')).toHaveLength(1);
    });
  });

  describe('moduleHardwareFault', () => {
    const flags =
      (...f: ModuleHardwareFlag[]) =>
      (a: number) =>
        a === 1 ? { hardwareFlags: f, overVoltageCells: f.includes('COV') ? [2] : [] } : {};
    it('warning bits → W, fault bits → F, each clearing 60 s after the bits clear', () => {
      const h = new Harness();
      h.run(500, flags('CRC'));
      expect(h.levels('moduleHardwareFault')).toEqual(['warning']);
      h.run(500, flags('OT1'));
      expect(h.levels('moduleHardwareFault')).toEqual(['fault', 'warning']);
      expect(h.active('moduleHardwareFault', 'fault')?.detail).toBe('OT1');
      h.run(60_000);
      expect(h.levels('moduleHardwareFault')).toEqual(['fault', 'warning']);
      h.run(500);
      expect(h.levels('moduleHardwareFault')).toEqual([]);
    });

    it('a chip COV latches', () => {
      const h = new Harness();
      h.run(500, flags('COV'));
      expect(h.active('moduleHardwareFault', 'fault')).toMatchObject({
        latched: true,
        detail: 'COV COV cells 2',
      });
      h.run(120_000);
      expect(h.levels('moduleHardwareFault')).toEqual(['fault', 'warning']);
      expect(h.engine.acknowledge({ source: 'cli', location: { moduleAddress: 1 } }).accepted).toHaveLength(
        1,
      );
      expect(h.levels('moduleHardwareFault')).toEqual([]);
    });

    it('carries its chip flags as data: the active fault, the raise event and the persisted latch', () => {
      const h = new Harness();
      h.run(500, flags('COV', 'CRC'));
      expect(h.active('moduleHardwareFault', 'fault')?.chipFlags).toEqual(['COV', 'CRC']);
      expect(h.events('raise').find((e) => e.level === 'fault')?.chipFlags).toEqual(['COV', 'CRC']);
      const persisted = h.engine.persistedState();
      expect(persisted.faults).toMatchObject([{ kind: 'moduleHardwareFault', chipFlags: ['COV', 'CRC'] }]);
      const restarted = new Harness({}, 2, persisted);
      expect(restarted.active('moduleHardwareFault', 'fault')?.chipFlags).toEqual(['COV', 'CRC']);
    });

    it('a CRC warning clears 60 s after the flag clears; a flag that stays set holds it', () => {
      const h = new Harness();
      h.run(5000, flags('CRC'));
      expect(h.active('moduleHardwareFault', 'warning')).toMatchObject({
        location: { moduleAddress: 1 },
        detail: 'CRC',
      });
      h.run(300_000, flags('CRC')); // the chip's FAULT_STATUS[CRC] is latched until written (T-25)
      expect(h.levels('moduleHardwareFault')).toEqual(['warning']);
      h.run(60_000);
      expect(h.levels('moduleHardwareFault')).toEqual(['warning']);
      h.run(500);
      expect(h.levels('moduleHardwareFault')).toEqual([]);
      expect(h.events('clear')).toMatchObject([{ kind: 'moduleHardwareFault', level: 'warning' }]);
    });
  });

  describe.each([['chargeOverCurrent', 1] as const, ['dischargeOverCurrent', -1] as const])(
    '%s',
    (kind, sign) => {
      const limits = { chargeCurrentLimitA: 50, dischargeCurrentLimitA: 50 };
      it('info when the inverter ignores the limit for 10 s, W above the maximum for 5 s, F above 1.5 × for 1 s', () => {
        const h = new Harness();
        h.run(10_000, undefined, { currentA: sign * 60, limits });
        expect(h.levels(kind)).toEqual([]);
        h.run(500, undefined, { currentA: sign * 60, limits });
        expect(h.levels(kind)).toEqual(['info']);
        h.run(5000, undefined, { currentA: sign * 105, limits });
        expect(h.levels(kind)).toEqual(['info']);
        h.run(500, undefined, { currentA: sign * 105, limits });
        expect(h.levels(kind)).toEqual(['warning', 'info']);
        h.run(1000, undefined, { currentA: sign * 160, limits });
        expect(h.levels(kind)).toEqual(['warning', 'info']);
        h.run(500, undefined, { currentA: sign * 160, limits });
        expect(h.levels(kind)).toEqual(['fault', 'warning', 'info']);
        h.run(60_000, undefined, { currentA: sign * 20, limits });
        expect(h.levels(kind)).toContain('fault');
        h.run(500, undefined, { currentA: sign * 20, limits });
        expect(h.levels(kind)).toEqual([]);
      });

      it('without limits only W and F exist; without a current nothing is evaluated', () => {
        const h = new Harness();
        h.run(20_000, undefined, { currentA: sign * 60 });
        h.run(20_000, undefined, { currentA: null, limits });
        expect(h.events().filter((e) => e.kind === kind)).toEqual([]);
      });
    },
  );

  describe('prechargeFailure', () => {
    it('raises latched at the retry limit; an acknowledge re-arms it', () => {
      const h = new Harness();
      h.run(500, undefined, { prechargeFailedAttempts: 1 });
      h.run(500, undefined, { prechargeFailedAttempts: 2 });
      expect(h.levels('prechargeFailure')).toEqual([]);
      h.run(500, undefined, { prechargeFailedAttempts: 3 });
      expect(h.active('prechargeFailure', 'fault')).toMatchObject({ latched: true, value: 3 });
      h.run(60_000, undefined, { prechargeFailedAttempts: 3 });
      expect(h.levels('prechargeFailure')).toEqual(['fault']);
      expect(h.engine.acknowledge({ source: 'http', kind: 'prechargeFailure' }).accepted).toHaveLength(1);
      h.run(5000, undefined, { prechargeFailedAttempts: 3 });
      expect(h.levels('prechargeFailure')).toEqual([]);
      h.run(500, undefined, { prechargeFailedAttempts: 0 });
      h.run(500, undefined, { prechargeFailedAttempts: 3 });
      expect(h.levels('prechargeFailure')).toEqual(['fault']);
    });
  });

  describe('contactorMismatch and contactorWelded', () => {
    const positive = (commandedClosed: boolean, feedbackClosed: boolean | null) => ({
      contactors: [{ name: 'positive', commandedClosed, feedbackClosed }],
    });
    it('mismatch after 0.5 s, not for 0.25 s; latched', () => {
      const h = new Harness();
      h.run(250, undefined, positive(true, false), 250);
      h.run(250, undefined, positive(true, true), 250);
      h.run(5000, undefined, positive(true, true), 250);
      expect(h.events()).toEqual([]);
      h.run(750, undefined, positive(true, false), 250);
      expect(h.active('contactorMismatch', 'fault')).toMatchObject({
        latched: true,
        location: { contactor: 'positive' },
      });
      h.run(600_000, undefined, positive(true, true), 250);
      expect(h.levels('contactorMismatch')).toEqual(['fault']);
      expect(h.levels('contactorWelded')).toEqual([]);
    });

    it('welded: commanded open, feedback closed for 0.5 s; persisted', () => {
      const h = new Harness();
      h.run(500, undefined, positive(false, true));
      expect(h.levels('contactorWelded')).toEqual([]);
      h.run(500, undefined, positive(false, true));
      expect(h.levels('contactorWelded')).toEqual(['fault']);
      expect(
        h.engine
          .persistedState()
          .faults.map((f) => f.kind)
          .sort(),
      ).toEqual(['contactorMismatch', 'contactorWelded']);
      h.run(500, undefined, positive(false, false));
      h.engine.acknowledge({ source: 'cli' });
      expect(h.levels('contactorWelded')).toEqual([]);
    });

    it('welded without feedback: |I| > 2 A for 2 s with every contactor commanded open', () => {
      const h = new Harness();
      h.run(1500, undefined, { ...positive(false, null), currentA: -10 });
      h.run(5000, undefined, { ...positive(true, null), currentA: -10 });
      expect(h.events()).toEqual([]);
      h.run(2000, undefined, { ...positive(false, null), currentA: -10 });
      expect(h.active('contactorWelded', 'fault')).toMatchObject({
        location: { contactor: 'pack' },
        value: -10,
      });
    });
  });

  describe('sensorImplausible', () => {
    const nanCell = (a: number) => (a === 1 ? { cellVoltagesV: [Number.NaN, 3.9, 3.9, 3.9, 3.9, 3.9] } : {});
    it('W at once, F after 3 consecutive scans, cleared by 60 s of plausible readings', () => {
      const h = new Harness();
      h.run(1000, nanCell);
      expect(h.levels('sensorImplausible')).toEqual(['warning']);
      expect(h.active('sensorImplausible', 'warning')?.location).toEqual({
        moduleAddress: 1,
        quantity: 'cellVoltage',
        cellIndex: 0,
      });
      h.run(500, nanCell);
      expect(h.levels('sensorImplausible')).toEqual(['fault', 'warning']);
      h.run(60_000);
      expect(h.levels('sensorImplausible')).toEqual(['fault', 'warning']);
      h.run(500);
      expect(h.levels('sensorImplausible')).toEqual([]);
    });

    const openThermistors = (a: number) =>
      a === 2
        ? {
            temperaturesC: [null, null],
            implausible: [0, 1].map((index) => ({
              quantity: 'temperature' as const,
              index,
              raw: 0xffff,
              reason: 'open thermistor',
            })),
          }
        : {};
    it('F when both thermistors of a module are rejected', () => {
      const h = new Harness();
      h.run(500, openThermistors);
      expect(h.active('sensorImplausible', 'fault')?.location).toEqual({
        moduleAddress: 2,
        quantity: 'temperature',
      });
      expect(h.active('sensorImplausible', 'warning')?.detail).toBe('open thermistor');
    });

    it('both thermistors opened and restored: every level clears 60 s after plausible readings', () => {
      const h = new Harness();
      h.run(5000, openThermistors);
      const pair: FaultLocation = { moduleAddress: 2, quantity: 'temperature' };
      const atPair = () =>
        h.engine.faults.faults.filter(
          (f) => f.kind === 'sensorImplausible' && locationKey(f.location) === locationKey(pair),
        );
      // the rule defines only a fault there; the warning is held by nesting (B-3)
      expect(atPair().map((f) => f.level)).toEqual(['fault', 'warning']);
      h.run(60_000);
      expect(atPair().map((f) => f.level)).toEqual(['fault', 'warning']);
      h.run(500);
      expect(h.levels('sensorImplausible')).toEqual([]);
      expect(
        h
          .events('clear')
          .filter((e) => locationKey(e.location) === locationKey(pair))
          .map((e) => e.level),
      ).toEqual(['fault', 'warning']);
    });

    it('an empty pack is a fault at once', () => {
      const h = new Harness({}, 2);
      h.clock.nowMs = 500;
      const model = initialPackModel(buildBatteryModelConfig({ moduleCount: 2, parallelStringCount: 1 }));
      const pack = updatePackModel(model, { timestampMs: 500, modules: [] }).pack;
      if (pack === null) throw new Error('no pack state');
      h.engine.evaluate({ pack });
      expect(h.active('sensorImplausible', 'fault')?.detail).toBe('the reading holds no module');
    });
  });

  describe('stateLost', () => {
    const lost = stateLostFault('/var/lib/tsbms/state.json: Unexpected end of JSON input', 1000);
    it('injected through persisted: latched, never cleared by itself, acknowledged as soon as evaluated', () => {
      const h = new Harness({}, 2, { version: 1, faults: [lost] });
      expect(lost).toEqual({
        kind: 'stateLost',
        level: 'fault',
        location: {},
        value: null,
        detail: '/var/lib/tsbms/state.json: Unexpected end of JSON input',
        sinceMs: 1000,
      });
      expect(h.active('stateLost', 'fault')).toMatchObject({
        latched: true,
        clearable: false,
        sinceMs: 1000,
      });
      expect(h.engine.faults.highestLevel).toBe('fault');
      h.run(600_000);
      expect(h.active('stateLost', 'fault')).toMatchObject({
        latched: true,
        clearable: true,
        detail: lost.detail,
      });
      expect(h.engine.persistedState().faults).toEqual([lost]);
      const persisted: PersistedFaults[] = [];
      h.engine.latched$.subscribe((p) => persisted.push(p));
      expect(h.engine.acknowledge({ source: 'http', kind: 'stateLost' }).accepted).toHaveLength(1);
      expect(h.levels('stateLost')).toEqual([]);
      expect(persisted).toEqual([{ version: 1, faults: [] }]);
      h.run(60_000);
      expect(h.events('raise')).toEqual([]); // no measurement raises it
    });

    it('an acknowledge before the first evaluation is rejected: nothing has been looked at yet', () => {
      const h = new Harness({}, 2, { version: 1, faults: [lost] });
      expect(h.engine.acknowledge({ source: 'cli' }).rejected).toHaveLength(1);
      h.run(500);
      expect(h.engine.acknowledge({ source: 'cli' }).accepted).toHaveLength(1);
    });
  });

  describe('currentSensorLost', () => {
    it('W after 2 s without a valid current once a sensor was seen, cleared by 10 s of valid readings', () => {
      const h = new Harness();
      h.run(500, undefined, { currentA: 3 });
      h.run(1500, undefined, { currentA: null });
      expect(h.levels('currentSensorLost')).toEqual([]);
      h.run(1000, undefined, { currentA: Number.NaN });
      expect(h.levels('currentSensorLost')).toEqual(['warning']);
      h.run(10_000, undefined, { currentA: 3 });
      expect(h.levels('currentSensorLost')).toEqual(['warning']);
      h.run(500, undefined, { currentA: 3 });
      expect(h.levels('currentSensorLost')).toEqual([]);
    });

    it('F when the sensor is required, even if never seen; nothing when none is fitted', () => {
      const required = new Harness({ currentSensorRequired: true });
      required.run(2500);
      expect(required.levels('currentSensorLost')).toEqual(['fault', 'warning']);
      const none = new Harness();
      none.run(60_000);
      expect(none.events()).toEqual([]);
    });

    it('W after 2 s when a fitted sensor never gave a current, F only when required', () => {
      const fitted = new Harness({ currentSensorFitted: true });
      fitted.run(1500);
      expect(fitted.levels('currentSensorLost')).toEqual([]);
      fitted.run(1000);
      expect(fitted.levels('currentSensorLost')).toEqual(['warning']);
    });
  });

  describe('currentSensorDisagreement', () => {
    it('W after 10 s of two sensors differing by more than 2 A and 5 %, cleared by 30 s of agreement', () => {
      const h = new Harness();
      // 100 A against 94 A: 6 A apart, above both 2 A and 5 % of 100 A
      h.run(9500, undefined, { currentA: 100, checkCurrentA: 94 });
      expect(h.levels('currentSensorDisagreement')).toEqual([]);
      h.run(1000, undefined, { currentA: 100, checkCurrentA: 94 });
      expect(h.levels('currentSensorDisagreement')).toEqual(['warning']);
      expect(h.engine.faults.faults.find((f) => f.kind === 'currentSensorDisagreement')).toMatchObject({
        value: 6,
        detail: '100 A and 94 A',
      });
      h.run(29_500, undefined, { currentA: 100, checkCurrentA: 96 });
      expect(h.levels('currentSensorDisagreement')).toEqual(['warning']);
      h.run(1000, undefined, { currentA: 100, checkCurrentA: 96 });
      expect(h.levels('currentSensorDisagreement')).toEqual([]);
    });

    it('allows 2 A at low current and 5 % at high current; says nothing while either has no value', () => {
      const h = new Harness();
      h.run(20_000, undefined, { currentA: 0.5, checkCurrentA: -1.4 }); // 1.9 A apart
      h.run(20_000, undefined, { currentA: -300, checkCurrentA: -286 }); // 4.7 %
      h.run(20_000, undefined, { currentA: 40, checkCurrentA: null });
      h.run(20_000, undefined, { currentA: null, checkCurrentA: 40 });
      expect(h.events().filter((e) => e.kind === 'currentSensorDisagreement')).toEqual([]);
    });
  });
});
