import { TestScheduler } from 'rxjs/testing';
import { heartbeatPings } from './heartbeat';

const scheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('heartbeatPings', () => {
  it('pings at the first scan and then once per interval while scans complete (marbles)', () => {
    const ts = scheduler();
    ts.run(({ cold, expectObservable }) => {
      // A scan every 10 ms, interval 30 ms.
      const scans = cold('a 9ms b 9ms c 9ms d 9ms e 9ms f 9ms g|');
      expectObservable(heartbeatPings(scans, 30, ts)).toBe('a 29ms d 29ms g|', {
        a: 0,
        d: 30,
        g: 60,
      });
    });
  });

  it('stops pinging when scans stop, and resumes with them', () => {
    const ts = scheduler();
    ts.run(({ cold, expectObservable }) => {
      const scans = cold('a 9ms b 99ms c 9ms d|');
      expectObservable(heartbeatPings(scans, 30, ts)).toBe('a 109ms c 10ms |', { a: 0, c: 110 });
    });
  });
});
