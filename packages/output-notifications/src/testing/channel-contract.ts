import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import {
  defineContractCases,
  describeContract,
  type ContractCase,
  type MakeContractEnds,
} from '@tsbms/hal/testing';
import { NotificationSendError, type NotificationChannel } from '../notification';
import { notificationFixture } from './notification-fixture';

/**
 * How the peer (the ntfy or Gotify server, the webhook's receiver, the mail server) answers every
 * send from now on: it takes the message; refuses it for good (a client error: HTTP 4xx such as a
 * wrong token or topic, SMTP 5xx); refuses it for now (a server error: HTTP 5xx, SMTP 4xx); or
 * does not answer at all (its port closed; it need not come back).
 */
export type PeerBehaviour = 'accept' | 'client-error' | 'server-error' | 'unreachable';

/** A notification as the peer read it back: what a phone or a mail client shows. */
export interface DeliveredNotification {
  readonly title: string;
  readonly message: string;
}

/** A channel connected to its peer, and the test's hold on that peer. */
export interface NotificationChannelEnds {
  readonly channel: NotificationChannel;
  peerWill(behaviour: PeerBehaviour): Promise<void>;
  /** What the peer took (not what it refused), oldest first. */
  delivered(): Promise<readonly DeliveredNotification[]>;
}

type Case = ContractCase<NotificationChannelEnds>;

/** Title and message alone, whatever else the object holds. */
const shown = ({ title, message }: DeliveredNotification): DeliveredNotification => ({ title, message });

/** What the peer took, title and message alone. */
async function deliveredTo(ends: NotificationChannelEnds): Promise<DeliveredNotification[]> {
  return (await ends.delivered()).map(shown);
}

/** The NotificationSendError `sending` rejects with; fails when it resolves or rejects otherwise. */
async function sendErrorOf(
  sending: Promise<void>,
  channel: NotificationChannel,
): Promise<NotificationSendError> {
  const error: unknown = await sending.then(
    () => assert.fail('send() resolved; expected it to reject'),
    (rejection: unknown) => rejection,
  );
  assert.ok(
    error instanceof NotificationSendError,
    `expected a NotificationSendError, got ${inspect(error, { depth: 1 })}`,
  );
  assert.equal(error.channel, channel.name, 'the error names the channel');
  return error;
}

async function checkRefused(
  ends: NotificationChannelEnds,
  behaviour: PeerBehaviour,
  expected: Pick<NotificationSendError, 'code' | 'retryable'>,
): Promise<NotificationSendError> {
  await ends.peerWill(behaviour);
  const error = await sendErrorOf(ends.channel.send(notificationFixture()), ends.channel);
  assert.deepEqual({ code: error.code, retryable: error.retryable }, expected, error.message);
  assert.deepEqual(await deliveredTo(ends), [], 'the peer took nothing');
  return error;
}

const cases: Case[] = [
  {
    name: 'a notification arrives with its title and message, UTF-8 text ("°C", "–", line breaks) unchanged',
    async run(ends) {
      await ends.peerWill('accept');
      const notification = notificationFixture();
      await ends.channel.send(notification);
      assert.deepEqual(await deliveredTo(ends), [shown(notification)]);
    },
  },
  {
    name: 'a client error rejects REJECTED, not retryable, with the status',
    async run(ends) {
      const error = await checkRefused(ends, 'client-error', { code: 'REJECTED', retryable: false });
      assert.equal(typeof error.status, 'number', 'the peer’s status');
    },
  },
  {
    name: 'a server error rejects REJECTED, retryable, with the status',
    async run(ends) {
      const error = await checkRefused(ends, 'server-error', { code: 'REJECTED', retryable: true });
      assert.equal(typeof error.status, 'number', 'the peer’s status');
    },
  },
  {
    name: 'an unreachable peer rejects UNREACHABLE, retryable',
    async run(ends) {
      await checkRefused(ends, 'unreachable', { code: 'UNREACHABLE', retryable: true });
    },
  },
  {
    name: 'after a refusal the next send is delivered once the peer accepts again',
    async run(ends) {
      await checkRefused(ends, 'server-error', { code: 'REJECTED', retryable: true });
      await ends.peerWill('accept');
      const notification = notificationFixture({ event: 'reminder' });
      await ends.channel.send(notification);
      assert.deepEqual(await deliveredTo(ends), [shown(notification)]);
    },
  },
  {
    name: 'concurrent sends all arrive',
    async run(ends) {
      await ends.peerWill('accept');
      const notifications = [1, 2, 3, 4, 5].map((module) =>
        notificationFixture({
          key: `cellOverVoltage@M${module}C1`,
          title: `over-voltage (M${module}C1) raised`,
        }),
      );
      await Promise.all(notifications.map((notification) => ends.channel.send(notification)));
      const byTitle = (a: DeliveredNotification, b: DeliveredNotification) => a.title.localeCompare(b.title);
      assert.deepEqual((await deliveredTo(ends)).sort(byTitle), notifications.map(shown).sort(byTitle));
    },
  },
];

/** What every NotificationChannel does, each case on fresh ends. */
export const notificationChannelContractCases: readonly Case[] = defineContractCases(cases);

/**
 * Defines a Jest `describe` that runs {@link notificationChannelContractCases} on the ends `setup`
 * makes (fresh per case, torn down after it). Call it at the top level of a spec file.
 */
export function notificationChannelContract(
  name: string,
  setup: MakeContractEnds<NotificationChannelEnds>,
): void {
  describeContract(`NotificationChannel contract: ${name}`, notificationChannelContractCases, setup);
}
