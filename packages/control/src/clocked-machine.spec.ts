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

interface WatchdogState {
  readonly log: string;
  readonly lastEventMs: number | null;
}

/** Logs events; times out `timeoutMs` after the last one. The timeout is the machine's setting, not the state's. */
function watchdogMachine(timeoutMs: number): ClockedMachine<string, WatchdogState> {
  return {
    initial: () => ({ log: `new${timeoutMs}`, lastEventMs: null }),
    step: (state, event, nowMs) =>
      event === undefined
        ? { log: `${state.log}T`, lastEventMs: null }
        : { log: `${state.log}${event}`, lastEventMs: nowMs },
    wakeAtMs: (state) => (state.lastEventMs === null ? null : state.lastEventMs + timeoutMs),
  };
}

describe('runClockedMachine with replacement machines', () => {
  it('keeps the state and re-schedules the wake from the new machine, emitting nothing itself', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const events$ = cold<string>('a 29ms b');
      // The timeout shortens from 20 ms to 8 ms at 5 ms: the pending wake moves from 20 to 8.
      const machines$ = cold('5ms m', { m: watchdogMachine(8) });
      expectObservable(runClockedMachine(events$, watchdogMachine(20), scheduler, machines$)).toBe(
        marble([0, '0'], [0, '1'], [8, '2'], [30, '3'], [38, '4']),
        {
          0: { log: 'new20', lastEventMs: null },
          1: { log: 'new20a', lastEventMs: 0 },
          2: { log: 'new20aT', lastEventMs: null },
          3: { log: 'new20aTb', lastEventMs: 30 },
          4: { log: 'new20aTbT', lastEventMs: null },
        },
      );
    });
  });

  it('takes at once a wake the new machine finds already due', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      // At 15 ms a 10 ms timeout has expired since the event at 0: the new machine wakes at 15.
      const machines$ = cold('15ms m', { m: watchdogMachine(10) });
      expectObservable(runClockedMachine(cold<string>('a'), watchdogMachine(20), scheduler, machines$)).toBe(
        marble([0, '0'], [0, '1'], [15, '2']),
        {
          0: { log: 'new20', lastEventMs: null },
          1: { log: 'new20a', lastEventMs: 0 },
          2: { log: 'new20aT', lastEventMs: null },
        },
      );
    });
  });

  it('errors with the machines, and unsubscribes them on teardown', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const events$ = cold<string>('a');
      const failing$ = cold<ClockedMachine<string, WatchdogState>>('10ms #');
      expectObservable(runClockedMachine(events$, watchdogMachine(20), scheduler, failing$)).toBe(
        '(ab) 6ms #',
        {
          a: { log: 'new20', lastEventMs: null },
          b: { log: 'new20a', lastEventMs: 0 },
        },
      );
      const machines$ = cold<ClockedMachine<string, WatchdogState>>('-');
      expectObservable(runClockedMachine(events$, watchdogMachine(20), scheduler, machines$), '^ 9ms !');
      expectSubscriptions(machines$.subscriptions).toBe('^ 9ms !');
    });
  });
});
