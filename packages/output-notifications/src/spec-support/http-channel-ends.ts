import type { MakeContractEnds } from '@tsbms/hal/testing';
import type { NotificationChannel } from '../notification';
import type {
  DeliveredNotification,
  NotificationChannelEnds,
  PeerBehaviour,
} from '../testing/channel-contract';
import { CaptureHttpServer, type CapturedRequest } from './capture-http-server';

/** What the capture server answers for each behaviour but `unreachable` (it closes then). */
const STATUS: Readonly<Record<Exclude<PeerBehaviour, 'unreachable'>, number>> = {
  accept: 200,
  'client-error': 401,
  'server-error': 503,
};

/**
 * Contract ends for an HTTP channel: the channel `channelFor` makes against a fresh capture
 * server, and each accepted request read back the channel's way (`read`).
 */
export function httpChannelEnds(
  channelFor: (serverUrl: string) => NotificationChannel,
  read: (request: CapturedRequest) => DeliveredNotification,
): MakeContractEnds<NotificationChannelEnds> {
  return async () => {
    const server = await CaptureHttpServer.start();
    return {
      channel: channelFor(server.url),
      peerWill: async (behaviour) => {
        if (behaviour === 'unreachable') await server.close();
        else server.answerWith(STATUS[behaviour]);
      },
      delivered: async () => server.requests.filter(({ status }) => status === STATUS.accept).map(read),
      teardown: () => server.close(),
    };
  };
}
