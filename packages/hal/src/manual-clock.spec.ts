import { interval, take, timeout, Subject, firstValueFrom } from 'rxjs';
import { ManualClock } from './manual-clock';
import { sleepMs } from './clock';

describe('ManualClock', () => {
  it('fires timers in due order only when time is advanced', async () => {
    const clock = new ManualClock(1000);
    const fired: string[] = [];
    clock.schedule(() => fired.push('b@30'), 30);
    clock.schedule(() => fired.push('a@10'), 10);
    clock.schedule(() => fired.push('c@30'), 30);
    expect(fired).toEqual([]);
    await clock.advanceByMs(29);
    expect(fired).toEqual(['a@10']);
    expect(clock.now()).toBe(1029);
    await clock.advanceByMs(1);
    expect(fired).toEqual(['a@10', 'b@30', 'c@30']);
  });

  it('does not fire a cancelled timer', async () => {
    const clock = new ManualClock();
    const fired: number[] = [];
    const sub = clock.schedule(() => fired.push(1), 5);
    sub.unsubscribe();
    await clock.advanceByMs(10);
    expect(fired).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('settles promises between timers so awaits see virtual time', async () => {
    const clock = new ManualClock();
    const seen: number[] = [];
    const run = (async () => {
      await sleepMs(clock, 10);
      seen.push(clock.now());
      await sleepMs(clock, 10);
      seen.push(clock.now());
    })();
    await clock.advanceByMs(25);
    await run;
    expect(seen).toEqual([10, 20]);
  });

  it('advanceSyncTo: fires due timers in order at their due times, synchronously, and never goes back', () => {
    const clock = new ManualClock(1000);
    const seen: string[] = [];
    interval(300, clock)
      .pipe(take(2))
      .subscribe(() => seen.push(`tick@${clock.now()}`));
    clock.schedule(() => seen.push(`once@${clock.now()}`), 450);
    clock.advanceSyncTo(1700);
    expect(seen).toEqual(['tick@1300', 'once@1450', 'tick@1600']);
    expect(clock.now()).toBe(1700);
    clock.advanceSyncTo(1200);
    expect(clock.now()).toBe(1700);
  });

  it('drives RxJS operators: interval re-arms itself', async () => {
    const clock = new ManualClock();
    const ticks: number[] = [];
    interval(100, clock)
      .pipe(take(3))
      .subscribe(() => ticks.push(clock.now()));
    await clock.advanceByMs(1000);
    expect(ticks).toEqual([100, 200, 300]);
  });

  it('drives RxJS timeout', async () => {
    const clock = new ManualClock();
    const never = new Subject<number>();
    const result = firstValueFrom(never.pipe(timeout({ first: 50, scheduler: clock }))).catch(
      (e: Error) => `${e.name}@${clock.now()}`,
    );
    await clock.advanceByMs(49);
    await clock.advanceByMs(1);
    expect(await result).toBe('TimeoutError@50');
  });
});
