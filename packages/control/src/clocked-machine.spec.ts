import { Subject } from 'rxjs';
import { runClockedMachine, type ClockedMachine } from './clocked-machine';
import { marble, testScheduler } from './marbles.fixture';

/** Counts events; wakes itself `delayMs` after each event to record a timeout. */
function timeoutMachine(delayMs: number): ClockedMachine<string, { log: string; deadlineMs: number | null }> {
  return {
    initial: () => ({ log: '', deadlineMs: null }),
    step: (state, event, nowMs) =>
      event === undefined
        ? { log: `${state.log}T`, deadlineMs: null }
        : { log: `${state.log}${event}`, deadlineMs: nowMs + delayMs },
    wakeAtMs: (state) => state.deadlineMs,
  };
}

describe('runClockedMachine', () => {
  it('emits the initial state, each event and each wake, re-arming the wake on every event', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const events$ = cold<string>('a 5ms b 20ms c 20ms |');
      expectObservable(runClockedMachine(events$, timeoutMachine(10), scheduler)).toBe(
        marble([0, '0'], [0, '1'], [6, '2'], [16, '3'], [27, '4'], [37, '5'], [48, '|']),
        {
          0: { log: '', deadlineMs: null },
          1: { log: 'a', deadlineMs: 10 },
          2: { log: 'ab', deadlineMs: 16 },
          3: { log: 'abT', deadlineMs: null },
          4: { log: 'abTc', deadlineMs: 37 },
          5: { log: 'abTcT', deadlineMs: null },
        },
      );
    });
  });

  it('ignores a wake at or before now, and emits nothing for an unchanged state', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const stuck: ClockedMachine<string, number> = {
        initial: () => 0,
        step: (state, event) => (event === 'x' ? state + 1 : state),
        wakeAtMs: () => 0,
      };
      expectObservable(runClockedMachine(cold<string>('x 9ms y 9ms x'), stuck, scheduler)).toBe(
        marble([0, 'a'], [0, 'b'], [20, 'c']),
        { a: 0, b: 1, c: 2 },
      );
    });
  });

  it('forwards errors and cancels its wake on unsubscribe', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(runClockedMachine(cold<string>('a 5ms #'), timeoutMachine(10), scheduler)).toBe(
        '(ab) 2ms #',
        {
          a: { log: '', deadlineMs: null },
          b: { log: 'a', deadlineMs: 10 },
        },
      );
    });
    const events$ = new Subject<string>();
    const machine = timeoutMachine(10);
    let steps = 0;
    const counting = {
      ...machine,
      step: (...args: Parameters<typeof machine.step>) => (steps++, machine.step(...args)),
    };
    scheduler.run(() => {
      const subscription = runClockedMachine(events$, counting, scheduler).subscribe();
      events$.next('a');
      subscription.unsubscribe();
    });
    expect(steps).toBe(1);
  });
});
