import type { FaultLevel } from '@tsbms/fault-engine';
import type { NotificationChannel, NotificationEvent, NotificationPriority } from '../notification';
import { bearerAuthorization, httpPoster, type HttpChannelOptions } from './http-post';

export interface WebhookChannelOptions extends HttpChannelOptions {
  /** The endpoint, used as it is (query string included). */
  readonly url: string;
  /** Sent as `Authorization: Bearer …`; null for none. */
  readonly bearerToken: string | null;
}

/** The JSON body a webhook receives: the notification, its time as ISO 8601 (UTC). */
export interface WebhookPayload {
  readonly source: 'tsbms';
  readonly key: string;
  readonly event: NotificationEvent;
  readonly level: FaultLevel | null;
  readonly title: string;
  readonly message: string;
  readonly priority: NotificationPriority;
  readonly at: string;
}

/** POSTs every notification as a {@link WebhookPayload} (Home Assistant, Node-RED, n8n, …). */
export function webhookChannel(options: WebhookChannelOptions): NotificationChannel {
  const post = httpPoster('webhook', options);
  const authorization = bearerAuthorization(options.bearerToken);
  return {
    name: 'webhook',
    send: ({ key, event, level, title, message, priority, atMs }) => {
      const payload: WebhookPayload = {
        source: 'tsbms',
        key,
        event,
        level,
        title,
        message,
        priority,
        at: new Date(atMs).toISOString(),
      };
      return post({
        url: options.url,
        headers: { 'Content-Type': 'application/json', ...authorization.headers },
        body: JSON.stringify(payload),
        secrets: authorization.secrets,
      });
    },
  };
}
