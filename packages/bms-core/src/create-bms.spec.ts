import { distinctUntilChanged, interval, map, take, timer, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { buildBatteryModelConfig, type PackState } from '@tsbms/battery-model';
import { makePackReading } from '@tsbms/battery-model/testing';
import { buildFaultEngineConfig } from '@tsbms/fault-engine';
import { buildControlConfig } from '@tsbms/control';
import { ManualClock, SimulatedDigitalInput, type Clock, type CurrentSource } from '@tsbms/hal';
import { FakeCurrentSource, RecordingLogger } from '@tsbms/hal/testing';
import type { ModuleReading, PackReading } from '@tsbms/pack-reading';
import { FakePackSource, simulatedRelays } from './testing';
import { createBms, type BmsConfig, type BmsOptions } from './create-bms';
import type { PersistedBmsState } from './persisted-state';
import { DEFAULT_CURRENT_FROZEN_AFTER_MS } from './current-screen';

const MODULES = 2;

/** The core's configuration; `settings` go to every library that takes them (as the settings do). */
function bmsConfig(
  settings: { cellHighVoltageV?: number; maxChargeCurrentA?: number; moduleCount?: number } = {},
): BmsConfig {
  const { moduleCount = MODULES, cellHighVoltageV, maxChargeCurrentA } = settings;
  // A builder takes a key given as undefined for a wrong value: only the given ones go in.
  const cell = cellHighVoltageV === undefined ? {} : { cellHighVoltageV };
  const current = maxChargeCurrentA === undefined ? {} : { maxChargeCurrentA };
  return {
    batteryModel: buildBatteryModelConfig({ moduleCount, parallelStringCount: 1, ...cell }),
    faultEngine: buildFaultEngineConfig({ ...cell, ...current }),
    control: buildControlConfig({ moduleCount, pollIntervalS: 1, ...cell, ...current }),
  };
}

/** A pack read once a second; `module(address)` says what each module reports at that moment. */
function scans(clock: Clock, module: (address: number) => Partial<ModuleReading>): Observable<PackReading> {
  return timer(0, 1000, clock).pipe(map(() => makePackReading(clock.now(), MODULES, module)));
}

const silent = (): Partial<ModuleReading> => ({
  commsOk: false,
  cellVoltagesV: [null, null, null, null, null, null],
  temperaturesC: [null, null],
  moduleVoltageV: null,
});

/** A core in virtual time on a ManualClock; `cells` is what the pack reports, changeable mid-test. */
function harness(
  persisted: PersistedBmsState | null = null,
  current?: CurrentSource,
  extra: Partial<BmsOptions> | ((relays: ReturnType<typeof simulatedRelays>) => Partial<BmsOptions>) = {},
) {
  const clock = new ManualClock();
  const healthy = (): Partial<ModuleReading> => ({});
  const pack = { module: healthy as (address: number) => Partial<ModuleReading> };
  const source = new FakePackSource(
    scans(clock, (address) => pack.module(address)),
    MODULES,
  );
  const relays = simulatedRelays(clock);
  const logger = new RecordingLogger();
  const bms = createBms({
    source,
    clock,
    logger,
    config: bmsConfig(),
    relays,
    persisted,
    ...(current === undefined ? {} : { current }),
    ...(typeof extra === 'function' ? extra(relays) : extra),
  });
  const closed = () => relays.contactorPositive.state && relays.contactorNegative.state;
  /** Advances in 100 ms steps until `predicate` holds; returns the virtual seconds it took. */
  const until = async (predicate: () => boolean, limitS: number): Promise<number> => {
    const startMs = clock.now();
    while (!predicate()) {
      if (clock.now() - startMs > limitS * 1000) throw new Error(`condition not met within ${limitS} s`);
      await clock.advanceByMs(100);
    }
    return (clock.now() - startMs) / 1000;
  };
  return { clock, pack, source, relays, logger, bms, closed, until };
}

describe('createBms with a pack current sensor (virtual time)', () => {
  /** A core with a sensor sampled every 100 ms on its clock; `amperes.now` is what it measures. */
  function withSensor() {
    const sensor = new FakeCurrentSource();
    const amperes = { now: 0, silent: false };
    const h = harness(null, sensor);
    interval(100, h.clock).subscribe(() =>
      amperes.silent ? sensor.drop() : sensor.emit(h.clock.now(), amperes.now),
    );
    let pack: PackState | undefined;
    h.bms.pack$.subscribe((latest) => (pack = latest));
    return { ...h, amperes, pack: () => pack as PackState };
  }

  it('puts the current into the pack and counts coulombs: 100 A for 36 s is 1 Ah', async () => {
    const h = withSensor();
    await h.until(h.closed, 15);
    const countedBefore = h.pack().soc.countedAh;
    h.amperes.now = 100;
    await h.clock.advanceByMs(36_000);
    expect(h.bms.status().currentA).toBe(100);
    expect(h.pack().soc.method).toBe('coulombCounting');
    // Every 100 ms sample counts (the scans are 1 s apart): all but the step's first 0.1 s ramp
    // and the samples after the last scan, so within 0.2 s of 100 A; a trapezoid between the
    // scans' currents would have lost half a second.
    const countedAh = h.pack().soc.countedAh - countedBefore;
    expect(countedAh).toBeLessThanOrEqual(1);
    expect(countedAh).toBeGreaterThanOrEqual(1 - (100 * 0.2) / 3600);
    await h.bms.stop();
  });

  it('keeps lifetime energy counters in the saved state and carries them on after a restart', async () => {
    const h = withSensor();
    await h.until(h.closed, 15);
    h.amperes.now = -100;
    await h.clock.advanceByMs(36_000);
    const saved = JSON.parse(JSON.stringify(h.bms.persistedState())) as PersistedBmsState;
    await h.bms.stop();
    // About 1 Ah out (within the step's ramp and the samples after the last scan); Wh at the pack's voltage.
    const dischargedAh = saved.energy?.dischargedAh as number;
    expect(dischargedAh).toBeLessThanOrEqual(1);
    expect(dischargedAh).toBeGreaterThanOrEqual(1 - (100 * 0.2) / 3600);
    const packV = h.pack().packVoltageV as number;
    expect(saved.energy?.dischargedWh).toBeCloseTo(dischargedAh * packV, 6);
    expect(h.pack().powerW).toBeCloseTo(-100 * packV, 6);
    expect(h.pack().timeToGo.toEmptyS).toBeGreaterThan(0);

    const sensor = new FakeCurrentSource();
    const again = harness(saved, sensor);
    interval(100, again.clock).subscribe(() => sensor.emit(again.clock.now(), 50));
    let pack: PackState | undefined;
    again.bms.pack$.subscribe((latest) => (pack = latest));
    await again.clock.advanceByMs(10_000);
    expect(pack?.energy.dischargedAh).toBe(saved.energy?.dischargedAh);
    expect(pack?.energy.chargedAh).toBeCloseTo((50 * 9) / 3600, 3);
    expect(pack?.timeToGo.toFullS).toBeGreaterThan(0);
    await again.bms.stop();
  });

  it('opens the contactors after the discharge over-current debounce: 1 s above 1.5 × maxDischargeCurrentA', async () => {
    const h = withSensor();
    await h.until(h.closed, 15);
    h.amperes.now = -160; // 1.6 × the default 100 A
    const openedAfterS = await h.until(() => !h.closed(), 5);
    expect(openedAfterS).toBeGreaterThanOrEqual(1);
    expect(openedAfterS).toBeLessThanOrEqual(2.1);
    expect(h.bms.status().faults).toContainEqual(
      expect.objectContaining({ kind: 'dischargeOverCurrent', level: 'fault' }),
    );
    await h.bms.stop();
  });

  it('a sensor that goes silent: currentSensorLost after 2 s stale and 2 s of debounce, SoC by voltage, contactors stay', async () => {
    const h = withSensor();
    await h.until(h.closed, 15);
    h.amperes.silent = true;
    const warnedAfterS = await h.until(
      () => h.bms.status().alerts.some((f) => f.kind === 'currentSensorLost' && f.level === 'warning'),
      10,
    );
    expect(warnedAfterS).toBeGreaterThanOrEqual(4);
    expect(warnedAfterS).toBeLessThanOrEqual(5.1);
    expect(h.bms.status().currentA).toBeNull();
    expect(h.pack().soc.method).toBe('voltageBased');
    expect(h.closed()).toBe(true); // a warning never opens the contactors (B-9)
    await h.bms.stop();
  });

  it('a sensor frozen on one value: not used after currentFrozenAfterMs, currentSensorLost, SoC by voltage, one log line', async () => {
    const h = withSensor();
    await h.until(h.closed, 15);
    h.amperes.now = 42.25; // a hung ADC repeating one reading
    const frozenAfterS = DEFAULT_CURRENT_FROZEN_AFTER_MS / 1000;
    await h.clock.advanceByMs(frozenAfterS * 1000 - 1000);
    expect(h.bms.status().currentA).toBe(42.25);
    expect(h.pack().soc.method).toBe('coulombCounting');
    const lostAfterS = await h.until(
      () => h.bms.status().alerts.some((f) => f.kind === 'currentSensorLost'),
      10,
    );
    // 1 s to freeze, 2 s stale, 2 s debounce
    expect(lostAfterS).toBeGreaterThanOrEqual(4.9);
    expect(lostAfterS).toBeLessThanOrEqual(6.1);
    expect(h.bms.status().currentA).toBeNull();
    expect(h.pack().soc.method).toBe('voltageBased');
    expect(h.logger.lines.filter((line) => /looks frozen/.test(line.message))).toHaveLength(1);
    h.amperes.now = 40;
    await h.clock.advanceByMs(1000);
    expect(h.bms.status().currentA).toBe(40);
    await h.bms.stop();
  });

  it('a fitted sensor that never answers is reported too', async () => {
    const h = withSensor();
    h.amperes.silent = true;
    await h.until(() => h.bms.status().alerts.some((f) => f.kind === 'currentSensorLost'), 10);
    await h.bms.stop();
  });
});

describe('createBms with a second current sensor cross-checking the first (virtual time)', () => {
  it('warns after 10 s of disagreement, never uses the second as the pack current, and clears when they agree', async () => {
    const sensor = new FakeCurrentSource('shunt');
    const check = new FakeCurrentSource('hall sensor');
    const amperes = { shunt: -50, hall: -50 };
    const h = harness(null, sensor, { currentCheck: check });
    interval(100, h.clock).subscribe(() => {
      sensor.emit(h.clock.now(), amperes.shunt);
      check.emit(h.clock.now(), amperes.hall);
    });
    const disagreement = () => h.bms.status().alerts.find((f) => f.kind === 'currentSensorDisagreement');
    await h.clock.advanceByMs(20_000);
    expect(disagreement()).toBeUndefined();
    amperes.hall = -60; // a hall sensor 20 % high
    const warnedAfterS = await h.until(() => disagreement() !== undefined, 15);
    expect(warnedAfterS).toBeGreaterThanOrEqual(10);
    expect(warnedAfterS).toBeLessThanOrEqual(11.1);
    expect(disagreement()).toMatchObject({ level: 'warning', value: 10 });
    expect(h.bms.status().currentA).toBe(-50);
    amperes.hall = -51;
    const clearedAfterS = await h.until(() => disagreement() === undefined, 35);
    expect(clearedAfterS).toBeGreaterThanOrEqual(30);
    await h.bms.stop();
  });
});

describe('createBms with a link voltage from the current sensor: precharge verified (B-12, virtual time)', () => {
  /** `linkFollowsPrecharge`: the link charges to the pack voltage while the precharge relay is on. */
  function withLinkVoltage(linkFollowsPrecharge: boolean) {
    const sensor = new FakeCurrentSource('shunt with VBUS on the link', { busVoltage: true });
    const h = harness(null, sensor);
    let pack: PackState | undefined;
    h.bms.pack$.subscribe((latest) => (pack = latest));
    let linkV = 0;
    interval(100, h.clock).subscribe(() => {
      const packV = pack?.packVoltageV ?? 0;
      const relays = h.relays;
      if (!relays.contactorNegative.state) linkV = 0;
      else if (relays.contactorPositive.state || (linkFollowsPrecharge && relays.contactorPrecharge.state))
        linkV = packV;
      sensor.emit(h.clock.now(), 0);
      sensor.emitBusVoltage(h.clock.now(), linkV);
    });
    return h;
  }

  it('closes once the link has reached the pack voltage, before the timed window would have ended', async () => {
    const h = withLinkVoltage(true);
    await h.until(h.closed, 15);
    const [prechargeOn] = h.relays.contactorPrecharge.transitions.filter((t) => t.on).map((t) => t.atMs);
    const [positiveOn] = h.relays.contactorPositive.transitions.filter((t) => t.on).map((t) => t.atMs);
    // verified at the next scans after the link reads the pack voltage, not after the 5 s window
    expect(positiveOn - prechargeOn).toBeLessThan(5000);
    await h.bms.stop();
  });

  it('a link that never charges: every attempt fails, contactors stay open, prechargeFailure after the third', async () => {
    const h = withLinkVoltage(false);
    await h.until(() => h.bms.status().faults.some((f) => f.kind === 'prechargeFailure'), 60);
    expect(h.relays.contactorPositive.transitions.filter((t) => t.on)).toEqual([]);
    expect(h.relays.contactorPrecharge.transitions.filter((t) => t.on)).toHaveLength(3);
    expect(h.closed()).toBe(false);
    await h.bms.stop();
  });
});

describe('createBms with a fake source (virtual time)', () => {
  it('starts the source, closes the contactors on a healthy pack, and opens them 10 s into an over-voltage', async () => {
    const h = harness();
    expect(h.source.started).toBe(true);
    await h.until(h.closed, 15);
    h.pack.module = (address) => (address === 2 ? { cellVoltagesV: [3.9, 3.9, 4.17, 3.9, 3.9, 3.9] } : {});
    const openedAfterS = await h.until(() => !h.closed(), 15);
    // cellOverVoltage fault: 10 s raise delay at 4.17 V (above the 4.15 V fault level), scans 1 s apart.
    expect(openedAfterS).toBeGreaterThanOrEqual(10);
    expect(openedAfterS).toBeLessThanOrEqual(11);
    expect(h.bms.status().faults).toEqual([
      expect.objectContaining({
        kind: 'cellOverVoltage',
        level: 'fault',
        location: { moduleAddress: 2, cellIndex: 2 },
      }),
    ]);
    expect(h.bms.status().contactors).toMatchObject({ state: 'OPEN', openReason: 'fault' });
    await h.bms.stop();
    expect(h.source.stopped).toBe(true);
  });

  it('opens within the comms timeout when a module falls silent, and closes again once it has answered long enough', async () => {
    const h = harness();
    await h.until(h.closed, 15);
    h.pack.module = (address) => (address === 1 ? silent() : {});
    const openedAfterS = await h.until(() => !h.closed(), 15);
    expect(openedAfterS).toBeGreaterThanOrEqual(9);
    expect(openedAfterS).toBeLessThanOrEqual(10.5);
    expect(h.bms.status().faults).toContainEqual(
      expect.objectContaining({ kind: 'moduleCommsLoss', level: 'fault', location: { moduleAddress: 1 } }),
    );
    h.pack.module = () => ({});
    // The comms fault clears after 60 s of good scans; then the full closing sequence.
    const reclosedAfterS = await h.until(h.closed, 90);
    expect(reclosedAfterS).toBeGreaterThanOrEqual(60);
    expect(h.bms.status().faults).toEqual([]);
    await h.bms.stop();
  });

  it('keeps a latched fault across a restart until an operator acknowledges it (B-6)', async () => {
    const first = harness();
    await first.until(first.closed, 15);
    first.pack.module = (address) =>
      address === 1 ? { cellVoltagesV: [4.17, 3.9, 3.9, 3.9, 3.9, 3.9] } : {};
    await first.until(() => !first.closed(), 15);
    first.pack.module = () => ({});
    await first.clock.advanceByMs(5000);
    expect(first.bms.status().faults).toEqual([
      expect.objectContaining({ kind: 'cellOverVoltage', latched: true }),
    ]);
    const saved = JSON.parse(JSON.stringify(first.bms.persistedState())) as PersistedBmsState;
    await first.bms.stop();

    const second = harness(saved);
    await second.clock.advanceByMs(15_000);
    expect(second.bms.status().faults).toEqual([
      expect.objectContaining({ kind: 'cellOverVoltage', latched: true }),
    ]);
    expect(second.relays.contactorNegative.transitions).toEqual([]);
    const result = second.bms.acknowledgeFaults({ source: 'test' });
    expect(result.accepted).toHaveLength(1);
    await second.until(second.closed, 15);
    await second.bms.stop();
  });

  it('stop(): every relay off in the same tick, then the source stops; nothing closes afterwards', async () => {
    const h = harness();
    await h.until(h.closed, 15);
    const stopped = h.bms.stop();
    expect(Object.values(h.relays).map((r) => r.state)).toEqual([false, false, false, false, false]);
    await stopped;
    expect(h.source.stopped).toBe(true);
    expect(h.bms.status().contactors).toMatchObject({ state: 'OPEN', openReason: 'shutdown' });
    await expect(h.bms.done).resolves.toBeUndefined();
  });

  it('a source that fails for good: every relay off, the failure logged, done rejects', async () => {
    const h = harness();
    await h.until(h.closed, 15);
    h.source.fail(new Error('link gone for good'));
    expect(Object.values(h.relays).map((r) => r.state)).toEqual([false, false, false, false, false]);
    await expect(h.bms.done).rejects.toThrow('link gone for good');
    expect(h.logger.lines.at(-1)?.message).toBe('runtime failed: every output switched off');
  });

  it('logs each decision when it changes, and a fault raise only after the engine has returned', async () => {
    const h = harness();
    await h.until(h.closed, 15);
    h.pack.module = (address) => (address === 2 ? { cellVoltagesV: [3.9, 3.9, 4.17, 3.9, 3.9, 3.9] } : {});
    await h.until(() => !h.closed(), 15);
    const messages = h.logger.lines.map((l) => l.message);
    expect(messages.filter((m) => m.startsWith('contactors '))).toEqual([
      'contactors OPEN (startup)',
      'contactors NEGATIVE',
      'contactors PRECHARGE',
      'contactors OVERLAP after a timed (unverified) precharge',
      'contactors CLOSED',
      'contactors OPEN (fault)',
    ]);
    expect(messages.filter((m) => m.startsWith('scanning '))).toEqual([
      expect.stringMatching(
        /^scanning 2 modules every 1 s: pack 46\.80 V, cells 3\.900–3\.900 V, SoC \d+\.\d %$/,
      ),
    ]);
    expect(messages).toContain('cellOverVoltage fault raise at module 2 cell 3');
    expect(messages.filter((m) => m.startsWith('heater'))).toEqual(['heater off']);
    await h.bms.stop();
  });

  it('inspectOnly: the source is left to the caller and the contactors never close', async () => {
    const clock = new ManualClock();
    const source = new FakePackSource(undefined, MODULES);
    const relays = simulatedRelays(clock);
    const bms = createBms({
      source,
      clock,
      logger: new RecordingLogger(),
      config: bmsConfig(),
      relays,
      inspectOnly: true,
    });
    expect(source.started).toBe(false);
    for (let s = 0; s < 20; s++) {
      source.emit(makePackReading(clock.now(), MODULES));
      await clock.advanceByMs(1000);
    }
    expect(bms.status().modules).toHaveLength(MODULES);
    expect(relays.contactorNegative.transitions).toEqual([]);
    await bms.stop();
  });

  it('reports its notices in every status, and none by default, while the contactors close as usual', async () => {
    const notice = 'hardware protection off: software limits only';
    const h = harness(null, undefined, { notices: [notice] });
    expect(h.bms.status().notices).toEqual([notice]);
    await h.until(h.closed, 30);
    expect(h.bms.status().notices).toEqual([notice]);
    await h.bms.stop();
    const plain = harness();
    expect(plain.bms.status().notices).toEqual([]);
    await plain.bms.stop();
  });
});

describe('createBms with contactor feedback inputs (B-14, virtual time)', () => {
  /** A core whose negative and positive contactors have auxiliary contacts that follow their coils. */
  function withFeedback() {
    const feedback = {
      negative: null as SimulatedDigitalInput | null,
      positive: null as SimulatedDigitalInput | null,
    };
    const h = harness(null, undefined, (relays) => {
      feedback.negative = new SimulatedDigitalInput(
        'contactorNegative',
        () => relays.contactorNegative.state,
      );
      feedback.positive = new SimulatedDigitalInput(
        'contactorPositive',
        () => relays.contactorPositive.state,
      );
      return {
        contactorFeedback: { contactorNegative: feedback.negative, contactorPositive: feedback.positive },
      };
    });
    return {
      ...h,
      negative: feedback.negative as SimulatedDigitalInput,
      positive: feedback.positive as SimulatedDigitalInput,
    };
  }

  it('reads every input once per scan and closes as usual while the contacts follow the commands', async () => {
    const h = withFeedback();
    let scans = 0;
    h.bms.pack$.subscribe(() => scans++);
    await h.until(h.closed, 15);
    const scansBefore = scans;
    const readsBefore = h.positive.reads;
    await h.clock.advanceByMs(5000);
    expect(scans - scansBefore).toBe(5);
    expect(h.positive.reads - readsBefore).toBe(5);
    expect(h.negative.reads).toBe(h.positive.reads);
    expect(h.bms.status().faults).toEqual([]);
    await h.bms.stop();
  });

  it('a contact that stays open while commanded closed: contactorMismatch on it, latched, contactors open', async () => {
    const h = withFeedback();
    await h.until(h.closed, 15);
    h.positive.set(false);
    // 0.5 s of mismatch, seen by two scans 1 s apart.
    const openedAfterS = await h.until(() => !h.closed(), 5);
    expect(openedAfterS).toBeGreaterThanOrEqual(1);
    expect(openedAfterS).toBeLessThanOrEqual(2.1);
    expect(h.bms.status().faults).toEqual([
      expect.objectContaining({
        kind: 'contactorMismatch',
        level: 'fault',
        location: { contactor: 'positive' },
        latched: true,
      }),
    ]);
    expect(h.bms.status().contactors).toMatchObject({ state: 'OPEN', openReason: 'fault' });
    await h.bms.stop();
  });

  it('a contact that stays closed after opening (welded): contactorWelded on it, and nothing closes again', async () => {
    const h = withFeedback();
    await h.until(h.closed, 15);
    h.negative.set(true);
    h.pack.module = (address) => (address === 1 ? { cellVoltagesV: [4.17, 3.9, 3.9, 3.9, 3.9, 3.9] } : {});
    await h.until(() => !h.closed(), 15);
    h.pack.module = () => ({});
    await h.clock.advanceByMs(3000);
    // Commanded open, feedback closed: welded (and, as the feedback disagrees, a mismatch too).
    expect(h.bms.status().faults).toContainEqual(
      expect.objectContaining({
        kind: 'contactorWelded',
        location: { contactor: 'negative' },
        latched: true,
      }),
    );
    expect(h.bms.status().faults).not.toContainEqual(
      expect.objectContaining({ kind: 'contactorWelded', location: { contactor: 'positive' } }),
    );
    await h.bms.stop();
  });

  it('an input that cannot be read: every relay off, the failure logged, done rejects', async () => {
    const h = withFeedback();
    await h.until(h.closed, 15);
    h.positive.read = () => {
      throw new Error('GPIO line 6: EIO');
    };
    await h.clock.advanceByMs(1000);
    expect(Object.values(h.relays).map((r) => r.state)).toEqual([false, false, false, false, false]);
    await expect(h.bms.done).rejects.toThrow('GPIO line 6: EIO');
    expect(h.logger.lines.at(-1)?.message).toBe('runtime failed: every output switched off');
  });
});

describe('createBms reconfigure: live settings (virtual time)', () => {
  it('a lower charge current applies at the next scans while the contactors stay closed', async () => {
    const h = harness();
    await h.until(h.closed, 15);
    // After the close the charge limit ramps up from 0 (B-21).
    await h.until(() => (h.bms.status().limits?.cclA ?? 0) > 20, 120);
    const opened: boolean[] = [];
    h.bms.contactors$.subscribe((status) => opened.push(status.state !== 'CLOSED'));

    h.bms.reconfigure(bmsConfig({ maxChargeCurrentA: 20 }));
    await h.clock.advanceByMs(30_000);
    expect(h.bms.status().limits?.cclA).toBeLessThanOrEqual(20);
    expect(opened).toEqual([false]);
    expect(h.closed()).toBe(true);
    await h.bms.stop();
  });

  it('a lower cell limit protects from the next scan on: the fault raises after its usual delay', async () => {
    const h = harness();
    await h.until(h.closed, 15);
    // The cells sit at 3.9 V: above a 3.85 V limit's fault level.
    h.bms.reconfigure(bmsConfig({ cellHighVoltageV: 3.85 }));
    const openedAfterS = await h.until(() => !h.closed(), 15);
    expect(openedAfterS).toBeGreaterThanOrEqual(10);
    expect(h.bms.status().faults).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'cellOverVoltage', level: 'fault' })]),
    );
    await h.bms.stop();
  });

  it('refuses a change that shapes the pack, naming its setting, and runs on unchanged', async () => {
    const h = harness();
    await h.until(h.closed, 15);
    expect(() => h.bms.reconfigure(bmsConfig({ moduleCount: 3 }))).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG', configPath: 'pack.moduleCount' }),
    );
    await h.clock.advanceByMs(10_000);
    expect(h.closed()).toBe(true);
    expect(h.bms.status().faults).toEqual([]);
    await h.bms.stop();
  });
});

describe('createBms balanceNow (virtual time)', () => {
  it('the next scan bleeds a cell below the voltage floor; without it nothing would', async () => {
    const h = harness();
    // Mid-SoC: 3.85 V is below the 3.9 V floor, 0.05 V above the string minimum.
    h.pack.module = (address) => ({
      cellVoltagesV: address === 1 ? [3.8, 3.85, 3.8, 3.8, 3.8, 3.8] : Array(6).fill(3.8),
    });
    expect(h.bms.balanceNow('test')).toEqual({ accepted: false, reason: 'no scan has come yet' });
    const module1Mask = () => h.source.balancing.at(-1)?.get(1) ?? 0;
    await h.until(h.closed, 15);
    await h.clock.advanceByMs(10_000);
    expect(h.source.balancing.map((masks) => masks.get(1) ?? 0)).not.toContain(0b10);

    expect(h.bms.balanceNow('test')).toEqual({ accepted: true });
    await h.clock.advanceByMs(1_000);
    expect(module1Mask()).toBe(0b10);
    expect(h.logger.lines.map((line) => line.message)).toContain(
      'balance now from test: the next scan chooses cells without the 3.9 V floor',
    );
    await h.bms.stop();
  });

  it('is refused under a fault (B-27), with the reason', async () => {
    const h = harness();
    await h.until(h.closed, 15);
    h.pack.module = (address) => (address === 2 ? { cellVoltagesV: [3.9, 3.9, 4.17, 3.9, 3.9, 3.9] } : {});
    await h.until(() => !h.closed(), 15);
    expect(h.bms.balanceNow('test')).toEqual({
      accepted: false,
      reason: 'a fault is active: nothing bleeds (B-27)',
    });
    await h.bms.stop();
  });
});

describe('createBms feedback loops (marbles, 1 s scans)', () => {
  const newScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

  it('balancing: each decision goes back to the source in the scan that made it, for the next scan to apply', () => {
    const ts = newScheduler();
    ts.run(({ expectObservable }) => {
      // Cell 4 of module 1 is 60 mV above the rest, all above the 3.9 V balancing voltage.
      const high = (address: number) =>
        address === 1
          ? { cellVoltagesV: [3.95, 3.95, 3.95, 4.01, 3.95, 3.95] }
          : { cellVoltagesV: [3.95, 3.95, 3.95, 3.95, 3.95, 3.95] };
      const source = new FakePackSource(scans(ts, high).pipe(take(16)), MODULES);
      const bms = createBms({
        source,
        clock: ts,
        logger: new RecordingLogger(),
        config: bmsConfig(),
        relays: simulatedRelays(ts),
      });
      // What the source was told after each scan: module 1's mask, as a marble value.
      const masks$ = bms.balancing$.pipe(map(() => source.balancing.at(-1)?.get(1) ?? -1));
      // Measure 2 s (balanceMeasureS), then cell 4 (bit 3) bleeds for 10 s (balanceTimeS), then measure again.
      expectObservable(masks$).toBe(
        '0 999ms 0 999ms 8 999ms 8 999ms 8 999ms 8 999ms 8 999ms 8 999ms 8 999ms 8 999ms 8 999ms 8 999ms 0 999ms 0 999ms 8 999ms 8',
        {
          0: 0,
          8: 0x08,
        },
      );
    });
  });

  it('limits: the limit sent after one scan is the one the next scan is checked against', () => {
    const ts = newScheduler();
    ts.run(({ expectObservable }) => {
      // 10 A of charge while the contactors are still open: the charge limit is 0, so the inverter
      // is not obeying (info level, 10 s) — known only once the first scan's limits are fed back.
      const source = new FakePackSource(
        timer(0, 1000, ts).pipe(
          take(15),
          map(() => makePackReading(ts.now(), MODULES, () => ({}), { currentA: 10 })),
        ),
        MODULES,
      );
      const bms = createBms({
        source,
        clock: ts,
        logger: new RecordingLogger(),
        config: {
          ...bmsConfig(),
          control: buildControlConfig({ moduleCount: MODULES, pollIntervalS: 1, contactorControl: false }),
        },
        relays: simulatedRelays(ts),
      });
      const overCurrent$ = bms.faults$.pipe(
        map((set) => set.faults.find((f) => f.kind === 'chargeOverCurrent')?.level ?? 'none'),
        distinctUntilChanged(),
      );
      // Evaluated against the limit from the scan at 0 s from the scan at 1 s on: raised at 11 s.
      expectObservable(overCurrent$).toBe('n 10999ms i', { n: 'none', i: 'info' });
    });
  });
});
