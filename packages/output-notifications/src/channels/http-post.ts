import { NotificationSendError } from '../notification';
import { errorField, networkErrorText, replyStart } from '@tsbms/hal';
import { replyExcerpt } from './peer-reply';

/*
 * The one HTTP request the ntfy, Gotify and webhook channels make: a POST, bounded in time, whose
 * failure becomes a NotificationSendError that says whether another attempt may succeed.
 */

/** What every HTTP channel takes besides its own settings. */
export interface HttpChannelOptions {
  /** The HTTP client: the global fetch unless a test passes its own. */
  readonly fetch?: typeof globalThis.fetch;
  /** The most one send may take, the server's answer included; 10 s when absent. */
  readonly timeoutMs?: number;
}

export const DEFAULT_HTTP_TIMEOUT_MS = 10_000;

/** One POST of a channel. */
export interface PeerPost {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** The credentials the request carries: never part of an error message. */
  readonly secrets: readonly string[];
}

/** Sends one channel's POSTs: resolves on a 2xx answer, else rejects with a NotificationSendError. */
export type HttpPoster = (post: PeerPost) => Promise<void>;

export function httpPoster(channel: string, options: HttpChannelOptions): HttpPoster {
  const fetchFn = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
  return async ({ url, headers, body, secrets }) => {
    let response: Response;
    try {
      response = await fetchFn(url, {
        method: 'POST',
        headers,
        body,
        // Also bounds reading the answer. A redirect is not followed: fetch would turn the POST
        // into a GET (301/302/303) and report success for a message nobody published.
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'manual',
      });
    } catch (error) {
      throw unreachable(channel, error, timeoutMs);
    }
    if (response.ok) {
      // Read or cancelled, the connection goes back to the pool now rather than at a later GC.
      await response.body?.cancel();
      return;
    }
    throw await rejected(channel, response, secrets);
  };
}

/** `path` under a server's base URL, whether or not the configured base ends in a slash. */
export function endpointUnder(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/${path}`;
}

/** An `Authorization: Bearer` header for `token`, or none for null; the token as the secret. */
export function bearerAuthorization(token: string | null): {
  readonly headers: Readonly<Record<string, string>>;
  readonly secrets: readonly string[];
} {
  return token === null
    ? { headers: {}, secrets: [] }
    : { headers: { Authorization: `Bearer ${token}` }, secrets: [token] };
}

function unreachable(channel: string, error: unknown, timeoutMs: number): NotificationSendError {
  const reason =
    errorField(error, 'name') === 'TimeoutError'
      ? `no answer within ${timeoutMs} ms`
      : `unreachable (${networkErrorText(error)})`;
  return new NotificationSendError('UNREACHABLE', channel, reason, true);
}

/** 429 and 5xx may pass on a later attempt; any other answer (a wrong token, topic or URL) will not. */
async function rejected(
  channel: string,
  response: Response,
  secrets: readonly string[],
): Promise<NotificationSendError> {
  const { status } = response;
  const retryable = status === 429 || status >= 500;
  const statusLine = `HTTP ${status}${response.statusText === '' ? '' : ` ${response.statusText}`}`;
  // Read in every case: that also releases the connection.
  const reply = replyExcerpt(await replyStart(response), secrets);
  const detail =
    status >= 300 && status < 400 ? 'a redirect, not followed: configure the URL it points to' : reply;
  const message = detail === '' ? statusLine : `${statusLine}: ${detail}`;
  return new NotificationSendError('REJECTED', channel, message, retryable, status);
}
