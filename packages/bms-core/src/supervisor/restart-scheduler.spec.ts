import fc from 'fast-check';
import { ManualClock } from '@tsbms/hal';
import { RestartScheduler } from './restart-scheduler';

const POLICY = { minIntervalS: 60, settleS: 2 };

function setUp() {
  const clock = new ManualClock();
  const began: { atMs: number; reasons: readonly string[] }[] = [];
  const scheduler = new RestartScheduler(clock, POLICY, (reasons) =>
    began.push({ atMs: clock.now(), reasons }),
  );
  return { clock, began, scheduler };
}

describe('RestartScheduler (virtual time)', () => {
  it('30 restart commands in 40 s give one restart; the others join it or are refused with a wait', async () => {
    const { clock, began, scheduler } = setUp();
    const decisions = [];
    for (let i = 0; i < 30; i += 1) {
      decisions.push(scheduler.requestByOperator('restart requested (mqtt)'));
      await clock.advanceByMs(1333);
    }
    await clock.advanceByMs(120_000);
    expect(began).toEqual([{ atMs: 0, reasons: ['restart requested (mqtt)'] }]);
    expect(decisions[0]).toEqual({ accepted: true, inS: 0 });
    const refused = decisions.filter((d) => !d.accepted);
    expect(refused).toHaveLength(29);
    expect(refused[0]).toEqual({
      accepted: false,
      reason: 'the last restart began 1 s ago: at most one restart every 60 s',
      retryAfterS: 59,
    });
  });

  it('never begins a restart before the caller has answered (not in the same tick)', () => {
    const { began, scheduler } = setUp();
    scheduler.requestByOperator('now');
    expect(began).toEqual([]);
  });

  it('a burst of saved changes is applied by one restart after the settle time', async () => {
    const { clock, began, scheduler } = setUp();
    expect(scheduler.requestForChange('configuration changed by http')).toEqual({ accepted: true, inS: 2 });
    await clock.advanceByMs(500);
    expect(scheduler.requestForChange('configuration changed by mqtt')).toEqual({ accepted: true, inS: 1.5 });
    expect(scheduler.requestByOperator('restart requested (http)')).toEqual({ accepted: true, inS: 1.5 });
    await clock.advanceByMs(60_000);
    expect(began).toEqual([
      {
        atMs: 2000,
        reasons: [
          'configuration changed by http',
          'configuration changed by mqtt',
          'restart requested (http)',
        ],
      },
    ]);
  });

  it('a change saved within the interval of the last restart waits for its end, and is never dropped', async () => {
    const { clock, began, scheduler } = setUp();
    scheduler.requestByOperator('first');
    await clock.advanceByMs(10_000);
    expect(scheduler.requestForChange('changed')).toEqual({ accepted: true, inS: 50 });
    await clock.advanceByMs(60_000);
    expect(began.map((b) => b.atMs)).toEqual([0, 60_000]);
  });

  it('cancel() drops a pending restart (the controller stops)', async () => {
    const { clock, began, scheduler } = setUp();
    scheduler.requestForChange('changed');
    scheduler.cancel();
    await clock.advanceByMs(10_000);
    expect(began).toEqual([]);
  });

  it('property: restarts begin at least the interval apart, and every accepted request is served', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ gapMs: fc.integer({ min: 0, max: 90_000 }), change: fc.boolean() }), {
          maxLength: 40,
        }),
        async (requests) => {
          const { clock, began, scheduler } = setUp();
          const accepted: { reason: string; atMs: number }[] = [];
          for (const [i, { gapMs, change }] of requests.entries()) {
            await clock.advanceByMs(gapMs);
            const reason = `r${i}`;
            const decision = change
              ? scheduler.requestForChange(reason)
              : scheduler.requestByOperator(reason);
            if (decision.accepted) accepted.push({ reason, atMs: clock.now() });
            else expect(change).toBe(false);
          }
          await clock.advanceByMs(200_000);
          const gaps = began.slice(1).map((b, i) => b.atMs - began[i].atMs);
          expect(gaps.every((gap) => gap >= POLICY.minIntervalS * 1000)).toBe(true);
          for (const { reason, atMs } of accepted) {
            const served = began.find((b) => b.reasons.includes(reason));
            expect(served?.atMs).toBeGreaterThanOrEqual(atMs);
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
