import { concat, distinctUntilChanged, map, NEVER, of, take, timer } from 'rxjs';
import * as fc from 'fast-check';
import {
  chargeLimits,
  chargeLimitsMachine,
  type ChargeLimits,
  type LimitsMachineState,
} from './charge-limits';
import { buildControlConfig, type ControlConfigInput } from './config';
import type { ContactorStateName } from './contactors';
import { createControl } from './control';
import type { ControlInputs } from './inputs';
import { healthyInputs, NO_FAULTS } from './inputs.fixture';
import { marble, testScheduler } from './marbles.fixture';
import { invariant } from './property.fixture';
import { initialVoltageLimit, publishedVoltageLimitV, stepVoltageLimit } from './voltage-limit';

function config(overrides: Partial<ControlConfigInput> = {}) {
  return buildControlConfig({ moduleCount: 2, ...overrides });
}

/** Scans every `periodMs` from 0 to `untilMs`; `at` overrides inputs per scan time. */
function scans(untilMs: number, at: (tMs: number) => Partial<ControlInputs> = () => ({}), periodMs = 5000) {
  return concat(
    timer(0, periodMs).pipe(
      take(untilMs / periodMs + 1),
      map((i) => healthyInputs({ scanAtMs: i * periodMs, ...at(i * periodMs) })),
    ),
    NEVER,
  );
}

const closed$ = of({ state: 'CLOSED' as ContactorStateName });
const summary = (l: ChargeLimits) => `${l.cvlV}/${l.cclA}/${l.dclA}`;

describe('chargeLimits (marbles)', () => {
  it('holds 0 for 30 s after start, ramps at 5 A/s, lets CVL rise at 0.01 V/s, and zeroes on the watchdog', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const limits$ = chargeLimits(scans(50000), closed$, {
        config: config(),
        clock: scheduler,
      });
      expectObservable(limits$.pipe(map(summary))).toBe(
        marble([0, 'a'], [35000, 'b'], [40000, 'c'], [45000, 'd'], [50000, 'e'], [60000, 'f']),
        {
          // First CVL = the pack voltage (12 × 3.9 V), held while CCL is 0.
          a: '46.8/0/0',
          b: '46.9/25/25',
          c: '46.9/50/50',
          d: '47/75/75',
          e: '47/100/100',
          // No scan for commsTimeoutS: CCL = DCL = 0 and CVL frozen at the pack voltage (B-18, B-42).
          f: '46.8/0/0',
        },
      );
    });
  });

  it('is 0 until the contactors are CLOSED, then holds and ramps (B-15, B-22)', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable, hot }) => {
      const contactors$ = hot(marble([0, 'o'], [10000, 'c']), {
        o: { state: 'OPEN' as ContactorStateName },
        c: { state: 'CLOSED' as ContactorStateName },
      });
      const limits$ = chargeLimits(scans(70000), contactors$, {
        config: config(),
        clock: scheduler,
      });
      expectObservable(
        limits$.pipe(
          map((l) => l.cclA),
          distinctUntilChanged(),
        ),
      ).toBe(marble([0, 'z'], [45000, 'a'], [50000, 'b'], [55000, 'c'], [60000, 'd'], [80000, 'z']), {
        z: 0,
        a: 25,
        b: 50,
        c: 75,
        d: 100,
      });
    });
  });

  it('zeroes at once on a fault and comes back through hold and ramp', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const at = (t: number) => ({
        faults: { ...NO_FAULTS, faultActive: t === 60000 },
      });
      const limits$ = chargeLimits(scans(120000, at), closed$, {
        config: config(),
        clock: scheduler,
      });
      expectObservable(
        limits$.pipe(
          map((l) => l.dclA),
          distinctUntilChanged(),
        ),
      ).toBe(
        marble(
          [0, 'z'],
          [35000, 'a'],
          [40000, 'b'],
          [45000, 'c'],
          [50000, 'd'],
          [60000, 'z'],
          [100000, 'a'],
          [105000, 'b'],
          [110000, 'c'],
          [115000, 'd'],
          [130000, 'z'],
        ),
        { z: 0, a: 25, b: 50, c: 75, d: 100 },
      );
    });
  });

  it('keeps a zeroed CCL at 0 until the cell has recovered by the hysteresis (B-21, B-24 (1))', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      // No current sensor. Above the warning level at 60 s, back to 4.05 V (not yet 0.1 V below
      // the 4.125 V zero point) at 70 s, to 3.95 V at 80 s: hold 30 s, then 20 s of ramp.
      const highestCellV = (t: number) => (t < 60000 ? 3.9 : t < 70000 ? 4.13 : t < 80000 ? 4.05 : 3.95);
      const limits$ = chargeLimits(
        scans(140000, (t) => ({
          highestCellV: highestCellV(t),
          currentA: null,
        })),
        closed$,
        { config: config(), clock: scheduler },
      );
      expectObservable(
        limits$.pipe(
          map((l) => l.cclA),
          distinctUntilChanged(),
        ),
      ).toBe(
        marble(
          [0, 'z'],
          [35000, 'a'],
          [40000, 'b'],
          [45000, 'c'],
          [50000, 'd'],
          [60000, 'z'],
          [115000, 'a'],
          [120000, 'b'],
          [125000, 'c'],
          [130000, 'd'],
          [150000, 'z'],
        ),
        { z: 0, a: 25, b: 50, c: 75, d: 100 },
      );
      expectObservable(
        limits$.pipe(
          map((l) => l.chargeZeroedBy.join()),
          distinctUntilChanged(),
        ),
      ).toBe(marble([0, 's'], [60000, 'h'], [80000, 'n'], [150000, 'b']), {
        s: '',
        h: 'highestCell',
        n: '',
        b: 'blocked',
      });
    });
  });

  it('applies reductions at once and rises at most 5 A/s (worked example: 4.075 V, 15 °C → 30 A)', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const at = (t: number) =>
        t >= 60000 && t < 70000 ? { highestCellV: 4.075, lowestTemperatureC: 15 } : {};
      const limits$ = chargeLimits(scans(80000, at, 1000), closed$, {
        config: config(),
        clock: scheduler,
      });
      // Back to healthy at 70 s: +5 A per 1 s scan from 30 A; the scans stop at 80 s.
      const ramp = Object.fromEntries(
        Array.from({ length: 11 }, (_, i) => [String.fromCharCode(98 + i), 35 + 5 * i]),
      );
      expectObservable(
        limits$.pipe(
          map((l) => l.cclA),
          distinctUntilChanged(),
        ),
      ).toBe(
        marble(
          [0, 'Z'],
          ...Array.from({ length: 20 }, (_, i) => [31000 + 1000 * i, String.fromCharCode(65 + i)] as const),
          [60000, 'a'],
          ...Array.from({ length: 11 }, (_, i) => [70000 + 1000 * i, String.fromCharCode(98 + i)] as const),
          [90000, 'Z'],
        ),
        {
          Z: 0,
          ...Object.fromEntries(
            Array.from({ length: 20 }, (_, i) => [String.fromCharCode(65 + i), 5 * (i + 1)]),
          ),
          a: 30,
          ...ramp,
        },
      );
    });
  });
});

describe('chargeLimits with live settings (config$)', () => {
  it('lowers CCL to a lowered maxChargeCurrentA at the next input, from the running ramp', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable, hot }) => {
      // 100 A from 50 s; 40 A set at 62 s applies with the scan of 65 s; DCL keeps its 100 A.
      const config$ = hot(marble([62000, 'a']), { a: config({ maxChargeCurrentA: 40 }) });
      const limits$ = chargeLimits(scans(80000), closed$, { config: config(), config$, clock: scheduler });
      expectObservable(
        limits$.pipe(
          map((l) => `${l.cclA}/${l.dclA}`),
          distinctUntilChanged(),
        ),
      ).toBe(
        marble([0, 'a'], [35000, 'b'], [40000, 'c'], [45000, 'd'], [50000, 'e'], [65000, 'f'], [90000, 'a']),
        { a: '0/0', b: '25/25', c: '50/50', d: '75/75', e: '100/100', f: '40/100' },
      );
    });
  });
});

describe('operator switches (chargeAllowed, dischargeAllowed)', () => {
  const zeroedBy = (l: ChargeLimits) => `${l.chargeZeroedBy.join()}/${l.dischargeZeroedBy.join()}`;

  it('both default to true and then leave the limits as they were', () => {
    const defaults = config();
    expect(defaults).toMatchObject({ chargeAllowed: true, dischargeAllowed: true });
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const limits$ = chargeLimits(scans(50000), closed$, { config: defaults, clock: scheduler });
      expectObservable(limits$.pipe(map((l) => `${summary(l)}/${zeroedBy(l)}`))).toBe(
        marble([0, 'a'], [35000, 'b'], [40000, 'c'], [45000, 'd'], [50000, 'e'], [60000, 'f']),
        {
          a: '46.8/0/0//',
          b: '46.9/25/25//',
          c: '46.9/50/50//',
          d: '47/75/75//',
          e: '47/100/100//',
          f: '46.8/0/0/blocked/blocked',
        },
      );
    });
  });

  it("chargeAllowed false from the start holds CCL at 0 by 'operator'; DCL ramps as usual", () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const limits$ = chargeLimits(scans(50000), closed$, {
        config: config({ chargeAllowed: false }),
        clock: scheduler,
      });
      // CCL held at 0 is "charging blocked" (B-18): CVL stays at the pack voltage, never 0.
      expectObservable(limits$.pipe(map((l) => `${summary(l)}/${zeroedBy(l)}`))).toBe(
        marble([0, 'a'], [35000, 'b'], [40000, 'c'], [45000, 'd'], [50000, 'e'], [60000, 'f']),
        {
          a: '46.8/0/0/startup,operator/',
          b: '46.8/0/25/startup,operator/',
          c: '46.8/0/50/startup,operator/',
          d: '46.8/0/75/startup,operator/',
          e: '46.8/0/100/startup,operator/',
          f: '46.8/0/0/startup,operator,blocked/blocked',
        },
      );
    });
  });

  it("dischargeAllowed false from the start holds DCL at 0 by 'operator'; CCL and CVL as usual", () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const limits$ = chargeLimits(scans(50000), closed$, {
        config: config({ dischargeAllowed: false }),
        clock: scheduler,
      });
      expectObservable(limits$.pipe(map((l) => `${summary(l)}/${zeroedBy(l)}`))).toBe(
        marble([0, 'a'], [35000, 'b'], [40000, 'c'], [45000, 'd'], [50000, 'e'], [60000, 'f']),
        {
          a: '46.8/0/0//startup,operator',
          b: '46.9/25/0//startup,operator',
          c: '46.9/50/0//startup,operator',
          d: '47/75/0//startup,operator',
          e: '47/100/0//startup,operator',
          f: '46.8/0/0/blocked/startup,operator,blocked',
        },
      );
    });
  });

  it('switched off live, zeroes CCL at the next input; switched on again, it holds 30 s and ramps', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable, hot }) => {
      // 100 A from 50 s. Off at 62 s applies with the scan of 65 s; on at 72 s ends the zero with
      // the scan of 75 s, then the 30 s hold (to 105 s) and 5 A/s; DCL keeps its 100 A.
      const config$ = hot(marble([62000, 'f'], [72000, 't']), {
        f: config({ chargeAllowed: false }),
        t: config({ chargeAllowed: true }),
      });
      const limits$ = chargeLimits(scans(150000), closed$, { config: config(), config$, clock: scheduler });
      expectObservable(
        limits$.pipe(
          map((l) => `${l.cclA}/${l.dclA}`),
          distinctUntilChanged(),
        ),
      ).toBe(
        marble(
          [0, 'a'],
          [35000, 'b'],
          [40000, 'c'],
          [45000, 'd'],
          [50000, 'e'],
          [65000, 'o'],
          [110000, 'p'],
          [115000, 'q'],
          [120000, 'r'],
          [125000, 'e'],
          [160000, 'a'],
        ),
        {
          a: '0/0',
          b: '25/25',
          c: '50/50',
          d: '75/75',
          e: '100/100',
          o: '0/100',
          p: '25/100',
          q: '50/100',
          r: '75/100',
        },
      );
      expectObservable(
        limits$.pipe(
          map((l) => l.chargeZeroedBy.join()),
          distinctUntilChanged(),
        ),
      ).toBe(marble([0, 'n'], [65000, 'o'], [75000, 'n'], [160000, 'b']), {
        n: '',
        o: 'operator',
        b: 'blocked',
      });
    });
  });

  it('switched off live, zeroes DCL at the next input; switched on again, it holds 30 s and ramps', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable, hot }) => {
      const config$ = hot(marble([62000, 'f'], [72000, 't']), {
        f: config({ dischargeAllowed: false }),
        t: config({ dischargeAllowed: true }),
      });
      const limits$ = chargeLimits(scans(150000), closed$, { config: config(), config$, clock: scheduler });
      expectObservable(
        limits$.pipe(
          map((l) => `${l.cclA}/${l.dclA}`),
          distinctUntilChanged(),
        ),
      ).toBe(
        marble(
          [0, 'a'],
          [35000, 'b'],
          [40000, 'c'],
          [45000, 'd'],
          [50000, 'e'],
          [65000, 'o'],
          [110000, 'p'],
          [115000, 'q'],
          [120000, 'r'],
          [125000, 'e'],
          [160000, 'a'],
        ),
        {
          a: '0/0',
          b: '25/25',
          c: '50/50',
          d: '75/75',
          e: '100/100',
          o: '100/0',
          p: '100/25',
          q: '100/50',
          r: '100/75',
        },
      );
      expectObservable(
        limits$.pipe(
          map((l) => l.dischargeZeroedBy.join()),
          distinctUntilChanged(),
        ),
      ).toBe(marble([0, 'n'], [65000, 'o'], [75000, 'n'], [160000, 'b']), {
        n: '',
        o: 'operator',
        b: 'blocked',
      });
    });
  });

  it.each([
    ['chargeAllowed', 'cclA', 'dclA'],
    ['dischargeAllowed', 'dclA', 'cclA'],
  ] as const)(
    '%s false live only sets the limit: the contactors stay CLOSED (createControl)',
    (key, switched, other) => {
      const scheduler = testScheduler();
      scheduler.run(({ expectObservable, hot }) => {
        const inputs$ = concat(
          timer(0, 500).pipe(
            take(201),
            map((i) => healthyInputs({ scanAtMs: i * 500 })),
          ),
          NEVER,
        );
        // A fast ramp reaches 100 A in one scan after the 30 s hold. Off at 40.2 s (next scan
        // 40.5 s), on at 50.2 s: zero ends at 50.5 s, hold to 80.5 s, 100 A at the 81 s scan.
        const cfg = (allowed: boolean) =>
          buildControlConfig({ moduleCount: 2, currentRampAps: 1000, [key]: allowed });
        const config$ = hot(marble([40200, 'f'], [50200, 't']), { f: cfg(false), t: cfg(true) });
        const control = createControl(inputs$, { config: cfg(true), config$, clock: scheduler });
        expectObservable(control.contactors$.pipe(map((s) => s.state))).toBe(
          marble([0, 'o'], [0, 'n'], [1000, 'p'], [6000, 'v'], [7000, 'c'], [110000, 'o']),
          { o: 'OPEN', n: 'NEGATIVE', p: 'PRECHARGE', v: 'OVERLAP', c: 'CLOSED' },
        );
        expectObservable(
          control.limits$.pipe(
            map((l) => l[switched]),
            distinctUntilChanged(),
          ),
        ).toBe(marble([0, 'z'], [37500, 'm'], [40500, 'z'], [81000, 'm'], [110000, 'z']), { z: 0, m: 100 });
        expectObservable(
          control.limits$.pipe(
            map((l) => l[other]),
            distinctUntilChanged(),
          ),
        ).toBe(marble([0, 'z'], [37500, 'm'], [110000, 'z']), { z: 0, m: 100 });
      });
    },
  );
});

describe('charge limits (steps)', () => {
  function run(cfg: ReturnType<typeof config>, steps: readonly [number, ControlInputs, boolean?][]) {
    const machine = chargeLimitsMachine(cfg);
    let state: LimitsMachineState = machine.initial(0);
    const out: ChargeLimits[] = [];
    for (const [atMs, inputs, contactorsClosed = true] of steps) {
      state = machine.step(state, { inputs, contactorsClosed }, atMs);
      out.push(state.limits as ChargeLimits);
    }
    return out;
  }
  const every = (fromMs: number, toMs: number, stepMs: number, make: (t: number) => ControlInputs) =>
    Array.from({ length: Math.floor((toMs - fromMs) / stepMs) + 1 }, (_, i) => {
      const t = fromMs + i * stepMs;
      return [t, make(t)] as [number, ControlInputs];
    });

  it('B-17 worked example: highest cell steady at 4.125 V pulls CVL from 49.2 V to 48.9 V in 60 s', () => {
    const cfg = config();
    let state = initialVoltageLimit;
    const cvl: number[] = [];
    for (let t = 0; t <= 60000; t += 5000) {
      const inputs = {
        highestCellV: 4.125,
        packVoltageV: 49.6,
        chargeBlocked: false,
        fallOnly: false,
      };
      state = stepVoltageLimit(state, inputs, cfg, t);
      cvl.push(publishedVoltageLimitV(state, cfg));
    }
    expect(cvl[0]).toBe(49.2);
    expect(state.reductionV).toBeCloseTo(0.3, 9);
    expect(cvl[1]).toBe(49.1); // 49.175 after the first 5 s, rounded down
    expect(cvl[12]).toBe(48.9);
  });

  it('B-17: filters the highest cell with τ = 20 s over the real elapsed time', () => {
    const cfg = config();
    const blocked = {
      packVoltageV: 49.6,
      chargeBlocked: false,
      fallOnly: false,
    };
    let state = stepVoltageLimit(initialVoltageLimit, { ...blocked, highestCellV: 4.0 }, cfg, 0);
    state = stepVoltageLimit(state, { ...blocked, highestCellV: 4.2 }, cfg, 20000);
    expect(state.filteredCellV).toBeCloseTo(4.0 + 0.2 * (1 - Math.exp(-1)), 9);
    // An unknown reading leaves the filter where it was.
    expect(stepVoltageLimit(state, { ...blocked, highestCellV: null }, cfg, 25000).filteredCellV).toBe(
      state.filteredCellV,
    );
  });

  it('B-17: gives back 0.001 V/s once the cell is 10 mV below the setpoint and 60 s have passed', () => {
    const cfg = config();
    let state = initialVoltageLimit;
    const reductionAt = new Map<number, number>();
    for (let t = 0; t <= 400000; t += 5000) {
      const highestCellV = t <= 60000 ? 4.125 : 4.05;
      state = stepVoltageLimit(
        state,
        {
          highestCellV,
          packVoltageV: 49.6,
          chargeBlocked: false,
          fallOnly: false,
        },
        cfg,
        t,
      );
      reductionAt.set(t, state.reductionV);
    }
    // The filtered cell is still above 4.1 V at 65 s (last positive error); it then stays put
    // until 60 s later, and falls 5 mV per 5 s loop from there.
    const r = (t: number) => reductionAt.get(t) as number;
    expect(r(65000)).toBeGreaterThan(r(60000));
    expect(r(120000)).toBe(r(70000));
    expect(r(125000)).toBeCloseTo(r(120000) - 0.005, 9);
    expect(r(200000)).toBeCloseTo(r(120000) - 0.08, 9);
    expect(r(400000)).toBeCloseTo(r(120000) - 0.28, 9);
    expect(publishedVoltageLimitV(state, cfg)).toBe(49.1);
  });

  it('B-18: freezes CVL at the pack voltage when charging is blocked and never lowers it further', () => {
    const cfg = config();
    const out = run(cfg, [
      [0, healthyInputs({ packVoltageV: 49.6 })],
      ...every(5000, 400000, 5000, (t) => healthyInputs({ scanAtMs: t, packVoltageV: 49.6 })),
      [405000, healthyInputs({ scanAtMs: 405000, packVoltageV: 48.37 })],
      [410000, healthyInputs({ scanAtMs: 410000, packVoltageV: 48.37 }), false],
      [415000, healthyInputs({ scanAtMs: 415000, packVoltageV: 45.0 }), false],
      [420000, healthyInputs({ scanAtMs: 420000, packVoltageV: 30 }), false],
    ]);
    expect(out[80].cvlV).toBe(49.2);
    expect(out[81].cvlV).toBe(49.2);
    expect(out[82].cvlV).toBe(48.3);
    expect(out[83].cvlV).toBe(48.3);
    expect(out[84].cvlV).toBe(48.3);
  });

  it('B-19: starts at the pack voltage, CVLmin when it is unknown or low, and is never 0', () => {
    const cfg = config();
    expect(run(cfg, [[0, healthyInputs({ packVoltageV: 47.77 })]])[0].cvlV).toBe(47.7);
    expect(run(cfg, [[0, healthyInputs({ packVoltageV: null })]])[0].cvlV).toBe(43.2);
    expect(run(cfg, [[0, healthyInputs({ packVoltageV: 0 })]])[0].cvlV).toBe(43.2);
    expect(run(cfg, [[0, healthyInputs({ packVoltageV: 60 })]])[0].cvlV).toBe(49.2);
  });

  it('B-24 (2): CCL never goes negative while discharging with the highest cell above the setpoint', () => {
    const cfg = config({ chargeHysteresisTimeS: 0 });
    for (const currentA of [-80, 0, 50, null]) {
      const out = run(
        cfg,
        every(0, 60000, 1000, (t) => healthyInputs({ scanAtMs: t, highestCellV: 4.11, currentA })),
      );
      // 4.11 V lies 40 % of the way from 4.100 V (0.1) to 4.125 V (0): factor 0.06 → 6 A.
      expect(out[out.length - 1].cclA).toBe(6);
      out.forEach((l) => expect(l.cclA).toBeGreaterThanOrEqual(0));
    }
  });

  it('B-41: while a module is stale the limits may fall but not rise', () => {
    const cfg = config({ chargeHysteresisTimeS: 0 });
    const stale = (t: number, highestCellV: number) => {
      const base = healthyInputs({ scanAtMs: t, highestCellV });
      const [first, ...rest] = base.strings[0].modules;
      return {
        ...base,
        strings: [{ modules: [{ ...first, stale: true }, ...rest] }],
      };
    };
    const out = run(cfg, [
      ...every(0, 30000, 1000, (t) => healthyInputs({ scanAtMs: t })),
      [31000, stale(31000, 4.05)],
      [32000, stale(32000, 3.9)],
      [40000, stale(40000, 3.9)],
      [41000, healthyInputs({ scanAtMs: 41000 })],
    ]);
    expect(out[30].cclA).toBe(100);
    expect(out[31].cclA).toBe(50);
    expect(out[32].cclA).toBe(50);
    expect(out[33].cclA).toBe(50);
    expect(out[34].cclA).toBe(55);
  });

  it('counts an unknown input as 0 and needs a known, recovered value to release', () => {
    const cfg = config({ chargeHysteresisTimeS: 0 });
    const out = run(cfg, [
      ...every(0, 30000, 1000, (t) => healthyInputs({ scanAtMs: t })),
      [31000, healthyInputs({ scanAtMs: 31000, lowestCellV: NaN })],
      [32000, healthyInputs({ scanAtMs: 32000, lowestCellV: 3.62 })],
      [33000, healthyInputs({ scanAtMs: 33000, lowestCellV: 3.7 })],
      [34000, healthyInputs({ scanAtMs: 34000, lowestCellV: 3.7 })],
    ]);
    expect(out[31]).toMatchObject({
      dclA: 0,
      dischargeZeroedBy: ['lowestCell'],
    });
    // 3.62 V is within 0.1 V of the 3.575 V zero point: still latched.
    expect(out[32].dclA).toBe(0);
    expect(out[33].dclA).toBe(0);
    expect(out[34].dclA).toBe(5);
  });

  it('ignores the contactors with contactor control off', () => {
    const out = run(config({ contactorControl: false, chargeHysteresisTimeS: 0 }), [
      [0, healthyInputs()],
      [1000, healthyInputs({ scanAtMs: 1000 }), false],
    ]);
    expect(out[1].cclA).toBe(5);
  });
});

describe('charge limits (properties)', () => {
  /** Mostly healthy values, with excursions and unknowns, so that runs reach the ramp too. */
  const mostly = (healthy: fc.Arbitrary<number>, any: fc.Arbitrary<number>) =>
    fc.oneof(
      { weight: 60, arbitrary: healthy },
      { weight: 2, arbitrary: any },
      { weight: 1, arbitrary: fc.constantFrom(null, NaN) },
    );
  const inputsArb = fc.record({
    dtMs: fc.integer({ min: 0, max: 20000 }),
    highestCellV: mostly(
      fc.double({ min: 3.7, max: 4.05, noNaN: true }),
      fc.double({ min: 3.0, max: 4.3, noNaN: true }),
    ),
    lowestCellV: mostly(
      fc.double({ min: 3.7, max: 4.0, noNaN: true }),
      fc.double({ min: 3.0, max: 4.3, noNaN: true }),
    ),
    lowestTemperatureC: mostly(
      fc.double({ min: 20, max: 30, noNaN: true }),
      fc.double({ min: -10, max: 70 }),
    ),
    highestTemperatureC: mostly(
      fc.double({ min: 20, max: 40, noNaN: true }),
      fc.double({ min: -10, max: 70 }),
    ),
    socPercent: mostly(fc.double({ min: 0, max: 90, noNaN: true }), fc.double({ min: 0, max: 100 })),
    packVoltageV: mostly(fc.double({ min: 44, max: 49, noNaN: true }), fc.double({ min: 0, max: 60 })),
    currentA: fc.option(fc.double({ min: -200, max: 200, noNaN: true })),
    faultActive: fc.integer({ min: 0, max: 40 }).map((n) => n === 0),
    contactorsClosed: fc.integer({ min: 0, max: 20 }).map((n) => n !== 0),
    scanLagMs: fc.oneof({ weight: 30, arbitrary: fc.constant(0) }, fc.constantFrom(1500, 11000)),
  });

  it.each([true, false])(
    'CVL is never 0; CCL and DCL are never negative, never above max, in 0.1 A steps, and 0 when open or faulted (contactor control %s)',
    (contactorControl) => {
      const cfg = config({
        contactorControl,
        chargeSocTable: [
          { input: 90, factor: 1 },
          { input: 100, factor: 0 },
        ],
      });
      const machine = chargeLimitsMachine(cfg);
      let positiveSteps = 0;
      fc.assert(
        fc.property(fc.array(inputsArb, { minLength: 20, maxLength: 120 }), (steps) => {
          let state = machine.initial(0);
          let nowMs = 0;
          for (const s of steps) {
            nowMs += s.dtMs;
            const inputs = healthyInputs({
              scanAtMs: nowMs - s.scanLagMs,
              highestCellV: s.highestCellV,
              lowestCellV: s.lowestCellV,
              lowestTemperatureC: s.lowestTemperatureC,
              highestTemperatureC: s.highestTemperatureC,
              socPercent: s.socPercent,
              packVoltageV: s.packVoltageV,
              currentA: s.currentA,
              faults: { ...NO_FAULTS, faultActive: s.faultActive },
            });
            state = machine.step(state, { inputs, contactorsClosed: s.contactorsClosed }, nowMs);
            const l = state.limits as ChargeLimits;
            invariant(l.cvlV >= 43.2 && l.cvlV <= 49.2, 'CVL outside [CVLmin, CVLnom] (so never 0)', l);
            for (const [value, max] of [
              [l.cclA, cfg.maxChargeCurrentA],
              [l.dclA, cfg.maxDischargeCurrentA],
            ]) {
              invariant(value >= 0 && value <= max, 'current limit outside [0, max]', l);
              invariant(Math.abs(value * 10 - Math.round(value * 10)) < 1e-9, 'not in 0.1 A steps', l);
            }
            if (s.faultActive || (contactorControl && !s.contactorsClosed) || s.scanLagMs >= 10000) {
              invariant(l.cclA === 0 && l.dclA === 0, 'current allowed while open, faulted or silent', s, l);
            }
            if (l.cclA > 0) positiveSteps += 1;
          }
        }),
        { numRuns: 200 },
      );
      // The generated runs do reach non-zero limits: the checks above are not vacuous.
      expect(positiveSteps).toBeGreaterThan(1000);
    },
  );
});
