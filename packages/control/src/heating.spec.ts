import { concat, map, NEVER, take, timer } from 'rxjs';
import * as fc from 'fast-check';
import { buildControlConfig } from './config';
import {
  controlHeating,
  heatingMachine,
  type HeatingInputs,
  type HeatingMachineState,
  type HeatingStatus,
} from './heating';
import type { FaultSummary } from './inputs';
import { healthyInputs, moduleAt, NO_FAULTS, packInputs } from './inputs.fixture';
import { marble, testScheduler } from './marbles.fixture';
import { invariant } from './property.fixture';

const config = buildControlConfig({ moduleCount: 2 });

/** A 2-module pack whose sensors all read `lowC` except one reading `highC`. */
function temperatures(
  atMs: number,
  lowC: number,
  highC = lowC,
  faults: Partial<FaultSummary> = {},
): HeatingInputs {
  const cells = [3.9, 3.9, 3.9, 3.9, 3.9, 3.9];
  return packInputs(
    [
      [
        moduleAt(1, cells, { temperaturesC: [lowC, lowC] }),
        moduleAt(2, cells, { temperaturesC: [lowC, highC] }),
      ],
    ],
    {
      scanAtMs: atMs,
      faults: { ...NO_FAULTS, ...faults },
    },
  );
}

function run(scans: readonly HeatingInputs[]): HeatingStatus[] {
  const machine = heatingMachine(config);
  let state: HeatingMachineState = machine.initial(0);
  return scans.map((inputs) => (state = machine.step(state, inputs, inputs.scanAtMs)).status);
}

describe('heating (B-38, B-39)', () => {
  it('switches on below 16 °C and off at 18 °C, holding between', () => {
    const lows = [20, 16, 15.9, 17, 17.9, 18, 17];
    const out = run(lows.map((c, i) => temperatures(i * 500, c)));
    expect(out.map((s) => s.heaterOn)).toEqual([false, false, true, true, true, false, false]);
    expect(out[2]).toMatchObject({
      demand: true,
      blockedBy: null,
      sinceMs: 1000,
    });
  });

  it.each<[string, HeatingInputs, string]>([
    [
      'a stale module',
      {
        ...temperatures(1000, 10),
        strings: [
          {
            modules: [moduleAt(1, [3.9], { temperaturesC: [10, 10], stale: true })],
          },
        ],
      },
      'staleTemperature',
    ],
    ['a rejected reading', temperatures(1000, 10, NaN), 'staleTemperature'],
    [
      'an unknown lowest temperature',
      { ...temperatures(1000, 10), lowestTemperatureC: null },
      'staleTemperature',
    ],
    [
      'an implausible sensor',
      temperatures(1000, 10, 10, { temperatureImplausible: true }),
      'implausibleTemperature',
    ],
    [
      'an over-temperature warning',
      temperatures(1000, 10, 10, { overTemperatureWarning: true }),
      'overTemperatureWarning',
    ],
    ['a sensor at 30 °C', temperatures(1000, 10, 30), 'tooWarm'],
  ])('is forced off by %s', (_name, inputs, reason) => {
    const out = run([temperatures(0, 10), inputs, temperatures(1500, 10)]);
    expect(out[0].heaterOn).toBe(true);
    expect(out[1]).toMatchObject({
      heaterOn: false,
      demand: true,
      blockedBy: reason,
    });
    expect(out[2]).toMatchObject({ heaterOn: true, blockedBy: null });
  });

  it('stays allowed during an under-temperature fault', () => {
    expect(run([temperatures(0, 5, 5, { faultActive: true } as Partial<FaultSummary>)])[0].heaterOn).toBe(
      true,
    );
  });

  it('gives up after 2 h on without a 1 °C rise ("heater ineffective") until the cold spell ends', () => {
    const minutes = (m: number) => m * 60000;
    const out = run([
      temperatures(0, 10),
      temperatures(minutes(60), 10.9),
      temperatures(minutes(119), 10.9),
      temperatures(minutes(120), 10.9),
      temperatures(minutes(180), 14),
      temperatures(minutes(240), 18),
      temperatures(minutes(241), 15),
    ]);
    expect(out.map((s) => s.heaterOn)).toEqual([true, true, true, false, false, false, true]);
    expect(out[3]).toMatchObject({
      ineffective: true,
      blockedBy: 'ineffective',
    });
    expect(out[4]).toMatchObject({ ineffective: true, demand: true });
    expect(out[5]).toMatchObject({ ineffective: false, demand: false });
  });

  it('gives every 1 °C of rise another 2 h', () => {
    const minutes = (m: number) => m * 60000;
    const out = run([
      temperatures(0, 10),
      temperatures(minutes(100), 11),
      temperatures(minutes(200), 11.5),
      temperatures(minutes(220), 11.9),
    ]);
    expect(out.map((s) => s.heaterOn)).toEqual([true, true, true, false]);
    expect(out[3].ineffective).toBe(true);
  });

  it('switches off when the scans stop (marbles)', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const inputs$ = concat(
        timer(0, 500).pipe(
          take(5),
          map((i) => temperatures(i * 500, 12)),
        ),
        NEVER,
      );
      expectObservable(
        controlHeating(inputs$, { config, clock: scheduler }).pipe(map((s) => s.heaterOn)),
      ).toBe(
        // Emissions: initial state, on at the first scan; off one second after the last scan (2 s).
        marble([0, 'f'], [0, 't'], [3000, 'f']),
        { f: false, t: true },
      );
    });
  });

  it('applies a new heatingOnBelowC from the next input (live settings)', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable, hot }) => {
      // 17 °C asks for no heat below 16 °C; below 17.5 °C, set at 1.2 s, it does from the 1.5 s scan.
      const config$ = hot(marble([1200, 'a']), {
        a: buildControlConfig({ moduleCount: 2, heatingOnBelowC: 17.5 }),
      });
      const inputs$ = concat(
        timer(0, 500).pipe(
          take(7),
          map((i) => temperatures(i * 500, 17)),
        ),
        NEVER,
      );
      expectObservable(
        controlHeating(inputs$, { config, config$, clock: scheduler }).pipe(map((s) => s.heaterOn)),
      ).toBe(
        // Off again one second after the last scan (3 s).
        marble([0, 'f'], [1500, 't'], [4000, 'f']),
        { f: false, t: true },
      );
    });
  });

  it('never heats with untrusted or warm sensors or above the off temperature (property)', () => {
    const machine = heatingMachine(config);
    const scanArb = fc.record({
      dtMs: fc.integer({ min: 0, max: 3_600_000 }),
      lowC: fc.double({ min: -20, max: 40, noNaN: true }),
      spreadC: fc.double({ min: 0, max: 20, noNaN: true }),
      nan: fc.integer({ min: 0, max: 10 }).map((n) => n === 0),
      implausible: fc.integer({ min: 0, max: 10 }).map((n) => n === 0),
      overTemperatureWarning: fc.integer({ min: 0, max: 10 }).map((n) => n === 0),
      lagMs: fc.constantFrom(0, 0, 0, 2000),
    });
    fc.assert(
      fc.property(fc.array(scanArb, { minLength: 5, maxLength: 80 }), (scans) => {
        let state = machine.initial(0);
        let nowMs = 0;
        for (const s of scans) {
          nowMs += s.dtMs;
          const highC = s.nan ? NaN : s.lowC + s.spreadC;
          const inputs = temperatures(nowMs - s.lagMs, s.lowC, highC, {
            temperatureImplausible: s.implausible,
            overTemperatureWarning: s.overTemperatureWarning,
          });
          state = machine.step(state, inputs, nowMs);
          if (state.status.heaterOn) {
            invariant(
              !(s.nan || s.implausible || s.overTemperatureWarning || s.lagMs > 0),
              'heating on untrusted sensors',
              s,
            );
            invariant(highC < 30 && s.lowC < 18, 'heating a warm pack', s);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

// The healthy fixture heats nothing: 25 °C everywhere.
it('keeps the heater off for a warm pack', () => {
  expect(run([healthyInputs()])[0]).toMatchObject({
    heaterOn: false,
    demand: false,
    blockedBy: null,
  });
});
