import type { NotificationChannel, NotificationPriority } from '../notification';
import { endpointUnder, httpPoster, type HttpChannelOptions } from './http-post';

export interface GotifyChannelOptions extends HttpChannelOptions {
  /** The server's base URL, with or without a trailing slash. */
  readonly url: string;
  /** The token of the Gotify application the messages appear under. */
  readonly token: string;
}

/**
 * Gotify's 0–10, as its Android app shows them: 4–7 a notification with sound, 8–10 with sound
 * and vibration. A raised warning (high) must not look like a cleared one (default): 8, not 7.
 */
const GOTIFY_PRIORITY: Readonly<Record<NotificationPriority, number>> = { default: 5, high: 8, urgent: 10 };

/** Posts to a Gotify server's `/message` as the application the token belongs to. */
export function gotifyChannel(options: GotifyChannelOptions): NotificationChannel {
  const post = httpPoster('gotify', options);
  const url = endpointUnder(options.url, 'message');
  return {
    name: 'gotify',
    send: ({ title, message, priority }) =>
      post({
        url,
        headers: { 'Content-Type': 'application/json', 'X-Gotify-Key': options.token },
        body: JSON.stringify({ title, message, priority: GOTIFY_PRIORITY[priority] }),
        secrets: [options.token],
      }),
  };
}
