import { Subject } from 'rxjs';
import { ManualClock } from '@tsbms/hal';
import { deliverTo, retryDelayMs, type DeliveryOutcome, type RetrySettings } from './delivery';
import { NotificationSendError, type Notification, type NotificationChannel } from './notification';

const RETRY: RetrySettings = { initialDelayMs: 5000, maxDelayMs: 600_000, maxAttempts: 4 };

const message = (key: string): Notification => ({
  key,
  event: 'raised',
  level: 'fault',
  title: key,
  message: key,
  priority: 'urgent',
  atMs: 0,
});
const unreachable = () => new NotificationSendError('UNREACHABLE', 'test', 'connect ECONNREFUSED', true);
const rejected = () => new NotificationSendError('REJECTED', 'test', 'HTTP 401 unauthorized', false, 401);

/** A channel that fails as scripted, then delivers; it records when each send was tried. */
function scriptedChannel(clock: ManualClock, failures: Array<() => Error>) {
  const tries: Array<[string, number]> = [];
  const channel: NotificationChannel = {
    name: 'test',
    send: (notification) => {
      tries.push([notification.key, clock.now()]);
      const failure = failures.shift();
      return failure === undefined ? Promise.resolve() : Promise.reject(failure());
    },
  };
  return { channel, tries };
}

function harness(failures: Array<() => Error>) {
  const clock = new ManualClock();
  const { channel, tries } = scriptedChannel(clock, failures);
  const notifications = new Subject<Notification>();
  const outcomes: Array<[DeliveryOutcome['type'], string, number]> = [];
  notifications
    .pipe(deliverTo(channel, RETRY, clock))
    .subscribe((outcome) =>
      outcomes.push([
        outcome.type,
        outcome.notification.key,
        outcome.type === 'retrying' ? outcome.retryInMs : outcome.attempts,
      ]),
    );
  return { clock, notifications, outcomes, tries };
}

describe('deliverTo', () => {
  it('delivers at the first attempt when the channel takes it', async () => {
    const h = harness([]);
    h.notifications.next(message('a'));
    await h.clock.flush();
    expect(h.outcomes).toEqual([['delivered', 'a', 1]]);
  });

  it('retries a retryable failure after 5 s, then 10 s, and reports each', async () => {
    const h = harness([unreachable, unreachable]);
    h.notifications.next(message('a'));
    await h.clock.advanceByMs(60_000);
    expect(h.tries).toEqual([
      ['a', 0],
      ['a', 5000],
      ['a', 15_000],
    ]);
    expect(h.outcomes).toEqual([
      ['retrying', 'a', 5000],
      ['retrying', 'a', 10_000],
      ['delivered', 'a', 3],
    ]);
  });

  it('gives up at once on a rejection that a retry cannot fix (a wrong token)', async () => {
    const h = harness([rejected]);
    h.notifications.next(message('a'));
    await h.clock.advanceByMs(60_000);
    expect(h.tries).toHaveLength(1);
    expect(h.outcomes).toEqual([['givenUp', 'a', 1]]);
  });

  it('gives up after maxAttempts, and goes on with the next message', async () => {
    const h = harness([unreachable, unreachable, unreachable, unreachable]);
    h.notifications.next(message('a'));
    h.notifications.next(message('b'));
    await h.clock.advanceByMs(120_000);
    expect(h.outcomes.map(([type, key]) => `${type} ${key}`)).toEqual([
      'retrying a',
      'retrying a',
      'retrying a',
      'givenUp a',
      'delivered b',
    ]);
    // In order: b waited for a's last attempt (0 + 5 + 10 + 20 s).
    expect(h.tries.at(-1)).toEqual(['b', 35_000]);
  });

  it('doubles the delay up to maxDelay', () => {
    expect([1, 2, 3, 8, 20].map((n) => retryDelayMs(n, RETRY))).toEqual([
      5000, 10_000, 20_000, 600_000, 600_000,
    ]);
  });
});
