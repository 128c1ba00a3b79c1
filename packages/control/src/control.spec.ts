import { concat, defer, distinctUntilChanged, map, NEVER, take, timer } from 'rxjs';
import { buildControlConfig } from './config';
import { createControl } from './control';
import { moduleAt, packInputs } from './inputs.fixture';
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
});
