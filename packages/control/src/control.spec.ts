import { concat, defer, distinctUntilChanged, map, NEVER, take, timer } from 'rxjs';
import { buildControlConfig } from './config';
import { createControl } from './control';
import { healthyInputs, moduleAt, packInputs } from './inputs.fixture';
import { marble, testScheduler } from './marbles.fixture';

describe('createControl', () => {
  it('wires contactors, limits, balancing and heating to one subscription of the inputs', () => {
    const scheduler = testScheduler();
    let subscriptions = 0;
    scheduler.run(({ expectObservable }) => {
      // A cold pack (12 °C) with one high cell, scanned every 500 ms for 60 s.
      const modules = [
        moduleAt(1, [3.95, 4.0, 3.95, 3.95, 3.95, 3.95], {
          temperaturesC: [15, 16],
        }),
        moduleAt(2, [3.95, 3.95, 3.95, 3.95, 3.95, 3.95], {
          temperaturesC: [12, 16],
        }),
      ];
      const inputs$ = defer(() => {
        subscriptions += 1;
        return concat(
          timer(0, 500).pipe(
            take(121),
            map((i) => packInputs([modules], { scanAtMs: i * 500 })),
          ),
          NEVER,
        );
      });
      const control = createControl(inputs$, {
        config: buildControlConfig({ moduleCount: 2 }),
        clock: scheduler,
      });
      expectObservable(control.contactors$.pipe(map((s) => s.state))).toBe(
        marble([0, 'o'], [0, 'n'], [1000, 'p'], [6000, 'v'], [7000, 'c'], [70000, 'o']),
        { o: 'OPEN', n: 'NEGATIVE', p: 'PRECHARGE', v: 'OVERLAP', c: 'CLOSED' },
      );
      // CLOSED at 7 s, hold 30 s, ramp from 37 s; zero again when the scans stop.
      expectObservable(
        control.limits$.pipe(
          map((l) => l.cclA > 0),
          distinctUntilChanged(),
        ),
      ).toBe(marble([0, 'f'], [37500, 't'], [70000, 'f']), {
        f: false,
        t: true,
      });
      // Module 2's 12 °C is below the 15 °C balancing window, module 1 balances cell 2.
      expectObservable(
        control.balancing$.pipe(
          map((b) => b.strings[0].modules.map((m) => m.mask).join()),
          distinctUntilChanged(),
        ),
      ).toBe(
        marble(
          [0, 'a'],
          [2000, 'b'],
          [12000, 'a'],
          [14000, 'b'],
          [24000, 'a'],
          [26000, 'b'],
          [36000, 'a'],
          [38000, 'b'],
          [48000, 'a'],
          [50000, 'b'],
          [60000, 'a'],
        ),
        {
          a: '0,0',
          b: '2,0',
        },
      );
      expectObservable(control.heating$.pipe(map((h) => h.heaterOn))).toBe(
        marble([0, 'f'], [0, 't'], [61000, 'f']),
        {
          f: false,
          t: true,
        },
      );
    });
    expect(subscriptions).toBe(1);
  });

  it('passes new settings to the strategies: CCL falls at the next input, the contactors stay CLOSED', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable, hot }) => {
      const inputs$ = concat(
        timer(0, 500).pipe(
          take(121),
          map((i) => healthyInputs({ scanAtMs: i * 500 })),
        ),
        NEVER,
      );
      // A fast ramp reaches 100 A in one scan after the 30 s hold; 40 A is set at 40.2 s.
      const config = (maxChargeCurrentA: number) =>
        buildControlConfig({ moduleCount: 2, currentRampAps: 1000, maxChargeCurrentA });
      const config$ = hot(marble([40200, 'a']), { a: config(40) });
      const control = createControl(inputs$, { config: config(100), config$, clock: scheduler });
      expectObservable(control.contactors$.pipe(map((s) => s.state))).toBe(
        marble([0, 'o'], [0, 'n'], [1000, 'p'], [6000, 'v'], [7000, 'c'], [70000, 'o']),
        { o: 'OPEN', n: 'NEGATIVE', p: 'PRECHARGE', v: 'OVERLAP', c: 'CLOSED' },
      );
      expectObservable(
        control.limits$.pipe(
          map((l) => l.cclA),
          distinctUntilChanged(),
        ),
      ).toBe(marble([0, 'z'], [37500, 'm'], [40500, 'l'], [70000, 'z']), { z: 0, m: 100, l: 40 });
    });
  });

  it('gives an output subscribed after a change of settings the latest ones', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable, hot }) => {
      // 17 °C: no heat below the default 16 °C, heat below 17.5 °C, set at 1 s.
      const cool = [moduleAt(1, new Array<number>(6).fill(3.9), { temperaturesC: [17, 17] })];
      const inputs$ = concat(
        timer(0, 500).pipe(
          take(9),
          map((i) => packInputs([cool], { scanAtMs: i * 500 })),
        ),
        NEVER,
      );
      const config$ = hot(marble([1000, 'a']), {
        a: buildControlConfig({ moduleCount: 1, heatingOnBelowC: 17.5 }),
      });
      const control = createControl(inputs$, {
        config: buildControlConfig({ moduleCount: 1 }),
        config$,
        clock: scheduler,
      });
      // The contactors hold the shared subscription of config$ before heating$ subscribes; the
      // scans stop at 4 s before they close.
      expectObservable(control.contactors$.pipe(map((s) => s.state))).toBe(
        marble([0, 'o'], [0, 'n'], [1000, 'p'], [5000, 'o']),
        { o: 'OPEN', n: 'NEGATIVE', p: 'PRECHARGE' },
      );
      expectObservable(control.heating$.pipe(map((h) => h.heaterOn)), '3000ms ^').toBe(
        marble([3000, 'f'], [3000, 't'], [5000, 'f']),
        { f: false, t: true },
      );
    });
  });
});
