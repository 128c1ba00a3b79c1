import { interval, map, of, Subject } from 'rxjs';
import { ManualClock } from '@tsbms/hal';
import { countLiveSubscriptions, type LiveSubscriptions } from './live-subscriptions';

describe('countLiveSubscriptions', () => {
  let live: LiveSubscriptions;
  beforeEach(() => (live = countLiveSubscriptions()));
  afterEach(() => live.stop());

  it('counts a subscription while it is open, operators included', () => {
    const clock = new ManualClock();
    // The subscriber's, and map's own to the interval.
    const subscription = interval(1000, clock)
      .pipe(map((n) => n * 2))
      .subscribe();
    expect(live.count()).toBe(2);
    const subject = new Subject<number>();
    const onSubject = subject.subscribe();
    expect(live.count()).toBe(3);
    subscription.unsubscribe();
    subject.complete();
    expect(live.count()).toBe(0);
    expect(onSubject.closed).toBe(true);
  });

  it('counts one that closes at once in and out, and one left open as a leak', () => {
    of(1, 2).subscribe();
    expect(live.count()).toBe(0);
    const subject = new Subject<number>();
    for (let i = 0; i < 5; i++) subject.subscribe();
    expect(live.count()).toBe(5);
  });

  it('stops counting: later subscriptions are not seen', () => {
    live.stop();
    new Subject<number>().subscribe();
    expect(live.count()).toBe(0);
  });
});
