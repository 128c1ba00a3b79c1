import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { buildBatteryModelConfig } from './config';
import { makePackReading } from './testing';
import { toPackState } from './to-pack-state';

describe('toPackState', () => {
  const config = buildBatteryModelConfig({ moduleCount: 2, parallelStringCount: 1 });

  it('emits one snapshot per reading with ages from the reading time (marbles)', () => {
    new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ cold, expectObservable }) => {
      const readings$ = cold('a 499ms b 499ms c', {
        a: makePackReading(0, 2),
        b: makePackReading(500, 2, (addr) => (addr === 2 ? { commsOk: false } : {})),
        c: makePackReading(1000, 2, (addr) => (addr === 2 ? { commsOk: false } : {})),
      });
      const out$ = readings$.pipe(
        toPackState(config, { socPercent: 50, sohPercent: 100, timestampMs: 0 }),
        map((p) => `${p.scanCount}:${p.modules[1].ageS}:${p.soc.startedFrom}`),
      );
      expectObservable(out$).toBe('a 499ms b 499ms c', {
        a: '1:0:persisted',
        b: '2:0.5:persisted',
        c: '3:1:persisted',
      });
    });
  });
});
