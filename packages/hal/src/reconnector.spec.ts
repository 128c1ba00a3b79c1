import { ManualClock } from './manual-clock';
import { Reconnector } from './reconnector';
import { RecordingLogger } from './testing';

function reconnectorFor(options: {
  policy?: { initialDelayMs: number; maxDelayMs: number };
  opens?: boolean;
}) {
  const clock = new ManualClock();
  const logger = new RecordingLogger();
  const reopenedAtMs: number[] = [];
  const reconnector: Reconnector = new Reconnector({
    policy: options.policy,
    clock,
    logger,
    name: '/dev/ttyUSB0',
    logFields: { event: 'serial', path: '/dev/ttyUSB0' },
    reopen: async () => {
      reopenedAtMs.push(clock.now());
      if (options.opens) {
        reconnector.succeeded();
        return;
      }
      // As the adapters do: a failed open counts, then waits again.
      reconnector.attemptFailed();
      reconnector.schedule();
      throw new Error('still gone');
    },
  });
  return { clock, logger, reopenedAtMs, reconnector };
}

describe('Reconnector', () => {
  const policy = { initialDelayMs: 100, maxDelayMs: 300 };

  it('retries with the doubling wait up to the ceiling and logs each attempt with the device fields', async () => {
    const { clock, logger, reopenedAtMs, reconnector } = reconnectorFor({ policy });
    reconnector.schedule();
    await clock.advanceByMs(1000);
    expect(reopenedAtMs).toEqual([100, 300, 600, 900]);
    expect(logger.lines.slice(0, 4)).toEqual([
      {
        level: 'info',
        fields: { event: 'serial', path: '/dev/ttyUSB0', reconnectAttempt: 1, delayMs: 100 },
        message: '/dev/ttyUSB0 reconnect attempt 1 in 100 ms',
      },
      {
        level: 'info',
        fields: { event: 'serial', path: '/dev/ttyUSB0', reconnectAttempt: 1 },
        message: '/dev/ttyUSB0 reconnect attempt 1 now',
      },
      {
        level: 'info',
        fields: { event: 'serial', path: '/dev/ttyUSB0', reconnectAttempt: 2, delayMs: 200 },
        message: '/dev/ttyUSB0 reconnect attempt 2 in 200 ms',
      },
      {
        level: 'info',
        fields: { event: 'serial', path: '/dev/ttyUSB0', reconnectAttempt: 2 },
        message: '/dev/ttyUSB0 reconnect attempt 2 now',
      },
    ]);
    reconnector.cancel();
  });

  it('keeps one pending attempt however often it is asked', async () => {
    const { clock, reopenedAtMs, reconnector } = reconnectorFor({ policy, opens: true });
    reconnector.schedule();
    reconnector.schedule();
    await clock.advanceByMs(1000);
    expect(reopenedAtMs).toEqual([100]);
  });

  it('starts from the initial wait again after a success', async () => {
    const { clock, reopenedAtMs, reconnector } = reconnectorFor({ policy, opens: true });
    reconnector.attemptFailed();
    reconnector.attemptFailed();
    reconnector.schedule();
    await clock.advanceByMs(300);
    reconnector.schedule();
    await clock.advanceByMs(100);
    expect(reopenedAtMs).toEqual([300, 400]);
  });

  it('does nothing after cancel() or without a policy', async () => {
    const cancelled = reconnectorFor({ policy });
    cancelled.reconnector.schedule();
    cancelled.reconnector.cancel();
    const unset = reconnectorFor({});
    unset.reconnector.schedule();
    await cancelled.clock.advanceByMs(1000);
    await unset.clock.advanceByMs(1000);
    expect([...cancelled.reopenedAtMs, ...unset.reopenedAtMs]).toEqual([]);
    expect(unset.logger.lines).toEqual([]);
  });
});
