import type { NotificationChannel, NotificationEvent, NotificationPriority } from '../notification';
import { bearerAuthorization, endpointUnder, httpPoster, type HttpChannelOptions } from './http-post';

export interface NtfyChannelOptions extends HttpChannelOptions {
  /** The server, `https://ntfy.sh` or your own, with or without a trailing slash. */
  readonly url: string;
  readonly topic: string;
  /** An access token (`tk_…`) for a protected topic; null for an open one. */
  readonly token: string | null;
}

/** ntfy's scale: 3 is its default, 4 a long vibration, 5 a pop-over that keeps vibrating. */
const NTFY_PRIORITY: Readonly<Record<NotificationPriority, number>> = { default: 3, high: 4, urgent: 5 };

/** Emoji short codes ntfy shows before the title: what happened, at a glance. */
const NTFY_TAG: Readonly<Record<NotificationEvent, string>> = {
  raised: 'warning',
  cleared: 'white_check_mark',
  reminder: 'bell',
  acknowledged: 'ok_hand',
  test: 'test_tube',
};

/**
 * Publishes to one ntfy topic: the message as the body of a POST to the topic's URL, the rest in
 * headers. The headers are the X- names, read by ntfy before their aliases (Title, Priority,
 * Tags): a proxy such as Cloudflare sets the HTTP `Priority` header of RFC 9218 on its own.
 */
export function ntfyChannel(options: NtfyChannelOptions): NotificationChannel {
  const post = httpPoster('ntfy', options);
  const url = endpointUnder(options.url, encodeURIComponent(options.topic));
  const authorization = bearerAuthorization(options.token);
  return {
    name: 'ntfy',
    send: (notification) =>
      post({
        url,
        headers: {
          'Content-Type': 'text/plain; charset=utf-8',
          'X-Title': titleHeader(notification.title),
          'X-Priority': String(NTFY_PRIORITY[notification.priority]),
          'X-Tags': NTFY_TAG[notification.event],
          ...authorization.headers,
        },
        body: notification.message,
        secrets: authorization.secrets,
      }),
  };
}

/**
 * fetch sends a header value as Latin-1 and refuses characters past U+00FF, so "°C" would arrive
 * garbled and "–" not at all. ntfy's docs (publish, "Message title") answer this with an RFC 2047
 * encoded word, which its server decodes; the alternative, publishing JSON to the server's root
 * URL, is meant for tools that cannot set headers. Plain ASCII goes as it is, readable in logs.
 */
function titleHeader(title: string): string {
  if (/^[\x20-\x7e]*$/.test(title) && !title.includes('=?')) return title;
  return `=?UTF-8?B?${Buffer.from(title, 'utf8').toString('base64')}?=`;
}
