import { InterruptibleSleep } from './clock';
import { ManualClock } from './manual-clock';

describe('InterruptibleSleep', () => {
  it('resolves after its delay on the clock', async () => {
    const clock = new ManualClock();
    const sleep = new InterruptibleSleep(clock);
    let woke = false;
    void sleep.sleep(1000).then(() => (woke = true));
    await clock.advanceByMs(999);
    expect(woke).toBe(false);
    await clock.advanceByMs(1);
    expect(woke).toBe(true);
  });

  it('interrupt() ends the current wait at once, and every later wait resolves without waiting', async () => {
    const clock = new ManualClock();
    const sleep = new InterruptibleSleep(clock);
    let woke = false;
    void sleep.sleep(3_600_000).then(() => (woke = true));
    await clock.advanceByMs(10);
    sleep.interrupt();
    await clock.flush();
    expect(woke).toBe(true);
    expect(clock.pendingTimers).toBe(0);
    let later = false;
    void sleep.sleep(3_600_000).then(() => (later = true));
    await clock.flush();
    expect(later).toBe(true);
  });
});
