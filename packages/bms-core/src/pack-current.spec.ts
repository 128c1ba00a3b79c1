import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { makePackReading } from '@tsbms/battery-model/testing';
import type { CurrentSample, CurrentSource, VoltageSample } from '@tsbms/hal';
import type { SourceReading } from '@tsbms/pack-reading';
import { joinPackCurrent } from './pack-current';

type Helpers = Parameters<Parameters<TestScheduler['run']>[0]>[0];

let testScheduler: TestScheduler;
beforeEach(() => {
  testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
});
/** Virtual time inside `testScheduler.run`: when a sample or a scan happens. */
const now = () => testScheduler.now();

/** A sensor from marbles: each value is the sample's current (its time is when it arrives). */
function sensorOf(
  helpers: Helpers,
  currentMarbles: string,
  values: Record<string, number>,
  busMarbles?: string,
): CurrentSource {
  const { cold } = helpers;
  const current$ = cold(currentMarbles, values).pipe(
    map((currentA): CurrentSample => ({ timeMs: now(), currentA, quality: 'good' })),
  );
  const busVoltage$ =
    busMarbles === undefined
      ? undefined
      : cold(busMarbles, values).pipe(map((voltageV): VoltageSample => ({ timeMs: now(), voltageV })));
  return {
    description: 'marbles',
    current$,
    ...(busVoltage$ === undefined ? {} : { busVoltage$ }),
    counters: () => ({ samples: 0, dropped: 0 }),
    close: async () => undefined,
  };
}

function scansOf(helpers: Helpers, marbles: string) {
  return helpers
    .cold(marbles)
    .pipe(map((): SourceReading => ({ reading: makePackReading(now(), 1), discoveredModules: 1 })));
}

describe('joinPackCurrent (marbles, virtual ms)', () => {
  it('puts the latest sample into each scan, and null once it is older than staleAfterMs', () => {
    testScheduler.run((helpers) => {
      const sensor = sensorOf(helpers, '-a 99ms b 999ms c', { a: 10, b: -20, c: 5 });
      // scans at 50, 150, 1200 and 1500 ms; the sensor's samples at 1, 101 and 1101 ms... then silence
      const scans$ = scansOf(helpers, '50ms s 99ms s 1049ms s 299ms s 1000ms s');
      const currents$ = scans$.pipe(
        joinPackCurrent(sensor, 1000),
        map(({ reading }) => reading.currentA),
      );
      helpers.expectObservable(currents$).toBe('50ms a 99ms b 1049ms c 299ms c 1000ms n', {
        a: 10,
        b: -20,
        c: 5,
        n: null,
      });
    });
  });

  it('never waits for the sensor: scans flow with a null current when it never answers', () => {
    testScheduler.run((helpers) => {
      const sensor = sensorOf(helpers, '-', {});
      const currents$ = scansOf(helpers, 's 999ms s').pipe(
        joinPackCurrent(sensor),
        map(({ reading }) => reading.currentA),
      );
      helpers.expectObservable(currents$).toBe('n 999ms n', { n: null });
    });
  });

  it("takes the bus voltage from the sensor's own input, and keeps what the source measured itself", () => {
    testScheduler.run((helpers) => {
      const sensor = sensorOf(helpers, 'a', { a: 3, v: 52.1 }, 'v');
      const withOwnCurrent$ = helpers.cold('5ms s').pipe(
        map(
          (): SourceReading => ({
            reading: { ...makePackReading(now(), 1), currentA: -7 },
            discoveredModules: 1,
          }),
        ),
      );
      helpers
        .expectObservable(
          withOwnCurrent$.pipe(
            joinPackCurrent(sensor),
            map(({ reading }) => [reading.currentA, reading.busVoltageV]),
          ),
        )
        .toBe('5ms r', { r: [-7, 52.1] });
    });
  });

  it('with an integration gap, carries the integral of every sample, also those between scans', () => {
    testScheduler.run((helpers) => {
      // 3600 A for 100 ms is 0.1 Ah: a pulse between the scans at 0 and 1000 ms, which see 0 A
      const sensor = sensorOf(helpers, 'z 99ms p 99ms p 99ms z 599ms z 99ms z', { z: 0, p: 3600 });
      const integrals$ = scansOf(helpers, 's 999ms s').pipe(
        joinPackCurrent(sensor, 1000, 5),
        map(({ reading }) => [reading.currentA, reading.currentIntegral]),
      );
      helpers.expectObservable(integrals$).toBe('a 999ms b', {
        a: [0, { chargedAh: 0, dischargedAh: 0, gaps: 0 }],
        b: [0, { chargedAh: expect.closeTo(0.2, 12), dischargedAh: 0, gaps: 0 }],
      });
    });
  });
});
