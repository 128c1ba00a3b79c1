import fc from 'fast-check';
import { ManualClock } from '@tsbms/hal';
import { DEFAULT_FAILED_ATTEMPT_THROTTLE, FailedAttemptThrottle } from './failed-attempt-throttle';

const CLIENT = '192.0.2.7';

describe('FailedAttemptThrottle', () => {
  let clock: ManualClock;
  let throttle: FailedAttemptThrottle;
  beforeEach(() => {
    clock = new ManualClock(1_700_000_000_000);
    throttle = new FailedAttemptThrottle(clock);
  });

  it('lets a key with no failures try at once', () => {
    expect(throttle.retryAfterMs(CLIENT)).toBe(0);
  });

  it('makes a key wait 1 s after a failure, counting down with the clock', async () => {
    throttle.recordFailure(CLIENT);
    expect(throttle.retryAfterMs(CLIENT)).toBe(1000);
    await clock.advanceByMs(400);
    expect(throttle.retryAfterMs(CLIENT)).toBe(600);
    await clock.advanceByMs(600);
    expect(throttle.retryAfterMs(CLIENT)).toBe(0);
  });

  it('doubles the wait with every failure, up to 5 minutes', () => {
    const waits = Array.from({ length: 12 }, () => {
      throttle.recordFailure(CLIENT);
      return throttle.retryAfterMs(CLIENT) / 1000;
    });
    expect(waits).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]);
  });

  it('stays at the maximum however many failures (no overflow to NaN or 0)', () => {
    for (let i = 0; i < 5000; i++) throttle.recordFailure(CLIENT);
    expect(throttle.retryAfterMs(CLIENT)).toBe(DEFAULT_FAILED_ATTEMPT_THROTTLE.maxDelayMs);
  });

  it('forgets a key on success: the next failure waits 1 s again', () => {
    for (let i = 0; i < 5; i++) throttle.recordFailure(CLIENT);
    throttle.recordSuccess(CLIENT);
    expect(throttle.retryAfterMs(CLIENT)).toBe(0);
    throttle.recordFailure(CLIENT);
    expect(throttle.retryAfterMs(CLIENT)).toBe(1000);
  });

  it('keeps keys apart', () => {
    throttle.recordFailure(CLIENT);
    throttle.recordFailure(CLIENT);
    expect(throttle.retryAfterMs('198.51.100.1')).toBe(0);
    throttle.recordFailure('198.51.100.1');
    expect(throttle.retryAfterMs('198.51.100.1')).toBe(1000);
    expect(throttle.retryAfterMs(CLIENT)).toBe(2000);
  });

  it('tracks a bounded number of keys, forgetting the one that failed longest ago', () => {
    const small = new FailedAttemptThrottle(clock, { ...DEFAULT_FAILED_ATTEMPT_THROTTLE, maxTrackedKeys: 3 });
    for (const key of ['a', 'b', 'c']) small.recordFailure(key);
    small.recordFailure('a'); // a failed again: now b is the oldest
    small.recordFailure('d');
    expect(small.retryAfterMs('b')).toBe(0);
    expect(small.retryAfterMs('a')).toBe(2000);
    expect(small.retryAfterMs('c')).toBe(1000);
    expect(small.retryAfterMs('d')).toBe(1000);
  });

  it('never lets a key try sooner than the doubling allows, whenever it tries (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 400_000 }), { maxLength: 40 }), async (gapsMs) => {
        const propertyClock = new ManualClock(0);
        const guarded = new FailedAttemptThrottle(propertyClock);
        const failedAt: number[] = [];
        for (const gapMs of gapsMs) {
          await propertyClock.advanceByMs(gapMs);
          if (guarded.retryAfterMs(CLIENT) > 0) continue;
          failedAt.push(propertyClock.now());
          guarded.recordFailure(CLIENT);
        }
        failedAt.slice(1).forEach((atMs, i) => {
          expect(atMs - failedAt[i]).toBeGreaterThanOrEqual(Math.min(300_000, 1000 * 2 ** i));
        });
      }),
    );
  });
});
