import { runContractCases } from '@tsbms/hal/testing';
import { notificationChannelContractCases, type DeliveredNotification } from './channel-contract';
import { RecordingChannel } from './recording-channel';

/**
 * The contract has teeth: a channel that breaks it fails the cases it breaks. Here a
 * RecordingChannel that ignores the peer: it reports every send delivered.
 */
async function casesFailedBy(
  readBack: (sent: RecordingChannel['sent']) => DeliveredNotification[],
): Promise<string[]> {
  const results = await runContractCases(notificationChannelContractCases, async () => {
    const channel = new RecordingChannel();
    return {
      channel,
      peerWill: async () => undefined,
      delivered: async () => readBack(channel.sent),
      teardown: async () => undefined,
    };
  });
  return results.filter(({ ok }) => !ok).map(({ name }) => name);
}

describe('notificationChannelContractCases', () => {
  it('fail a channel that reports every send delivered, whatever the peer answered', async () => {
    expect(await casesFailedBy((sent) => sent)).toEqual([
      'a client error rejects REJECTED, not retryable, with the status',
      'a server error rejects REJECTED, retryable, with the status',
      'an unreachable peer rejects UNREACHABLE, retryable',
      'after a refusal the next send is delivered once the peer accepts again',
    ]);
  });

  it('fail a channel whose text arrives garbled (UTF-8 read as Latin-1)', async () => {
    const garbled = (sent: RecordingChannel['sent']) =>
      sent.map(({ title, message }) => ({ title: Buffer.from(title, 'utf8').toString('latin1'), message }));
    expect(await casesFailedBy(garbled)).toContain(
      'a notification arrives with its title and message, UTF-8 text ("°C", "–", line breaks) unchanged',
    );
  });
});
