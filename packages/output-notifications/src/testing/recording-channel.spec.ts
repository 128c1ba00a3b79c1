import { NotificationSendError } from '../notification';
import { notificationChannelContract } from './channel-contract';
import { notificationFixture } from './notification-fixture';
import { RecordingChannel } from './recording-channel';

/** The peers' refusals, as the HTTP channels report them. */
const REFUSAL = {
  'client-error': new NotificationSendError('REJECTED', 'recording', 'HTTP 401 Unauthorized', false, 401),
  'server-error': new NotificationSendError(
    'REJECTED',
    'recording',
    'HTTP 503 Service Unavailable',
    true,
    503,
  ),
};

notificationChannelContract('RecordingChannel', async () => {
  const channel = new RecordingChannel();
  return {
    channel,
    peerWill: async (behaviour) => {
      channel.recover();
      if (behaviour === 'unreachable') channel.down = true;
      else if (behaviour !== 'accept') channel.failNext(Infinity, REFUSAL[behaviour]);
    },
    delivered: async () => channel.sent,
    teardown: () => channel.close(),
  };
});

describe('RecordingChannel', () => {
  const error = new NotificationSendError('REJECTED', 'recording', 'HTTP 503', true, 503);

  it('fails the next N sends with the given error, then delivers; every attempt is kept', async () => {
    const channel = new RecordingChannel();
    channel.failNext(2, error);
    const notification = notificationFixture();
    await expect(channel.send(notification)).rejects.toBe(error);
    await expect(channel.send(notification)).rejects.toBe(error);
    await channel.send(notification);
    expect(channel.sent).toEqual([notification]);
    expect(channel.attempts).toHaveLength(3);
  });

  it('while down, rejects every send UNREACHABLE and retryable, naming itself; recover() ends it', async () => {
    const channel = new RecordingChannel('ntfy');
    channel.down = true;
    await expect(channel.send(notificationFixture())).rejects.toMatchObject({
      code: 'UNREACHABLE',
      channel: 'ntfy',
      retryable: true,
    });
    channel.recover();
    await channel.send(notificationFixture());
    expect(channel.sent).toHaveLength(1);
  });

  it('records close()', async () => {
    const channel = new RecordingChannel();
    await channel.close();
    expect(channel.closed).toBe(true);
  });
});
