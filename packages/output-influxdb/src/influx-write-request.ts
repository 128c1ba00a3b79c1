import { networkErrorText, replyStart, retryAfterMs, type Clock } from '@tsbms/hal';

/*
 * The one HTTP request of this output: a POST of line protocol to InfluxDB's v2 write API,
 *
 *   POST {url}/api/v2/write?org=…&bucket=…&precision=ms
 *   Authorization: Token …            (when there is a token)
 *   Content-Type: text/plain; charset=utf-8
 *
 * answered 204 when written. InfluxDB 1.8 (its 2.x compatibility endpoint), 2.x, Cloud and 3.x all
 * take it. The request is bounded in time on the injected clock; its failure becomes an
 * InfluxWriteError that says whether another attempt may succeed.
 */

/** Where and as whom lines are written. */
export interface InfluxWriteTarget {
  /** The server's base URL, e.g. `http://influxdb.local:8086` (a path prefix is kept). */
  readonly url: string;
  readonly org: string;
  readonly bucket: string;
  /** Sent as `Authorization: Token …`; null = no header. A secret: never in a message. */
  readonly token: string | null;
}

/** The write endpoint for `target`, with org, bucket and precision=ms in the query. */
export function influxWriteUrl(target: InfluxWriteTarget): string {
  const query = new URLSearchParams({ org: target.org, bucket: target.bucket, precision: 'ms' });
  return `${target.url.replace(/\/+$/, '')}/api/v2/write?${query.toString()}`;
}

export type InfluxWriteErrorCode =
  /** Refused, reset, no route, a DNS failure: worth retrying. */
  | 'UNREACHABLE'
  /** No complete answer within the timeout: worth retrying. */
  | 'TIMEOUT'
  /** InfluxDB (or a proxy) answered with an error status. */
  | 'REJECTED';

/** A write that failed. `retryable`: 5xx, 429 and the network yes; any other answer no. */
export class InfluxWriteError extends Error {
  constructor(
    readonly code: InfluxWriteErrorCode,
    message: string,
    readonly retryable: boolean,
    /** The HTTP status, when there was an answer. */
    readonly status: number | null = null,
    /** How long the server asked us to wait (Retry-After), when it did. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = 'InfluxWriteError';
  }
}

export interface InfluxWriteRequest {
  readonly target: InfluxWriteTarget;
  /** Lines of line protocol, joined by `\n`. */
  readonly body: string;
  readonly fetch: typeof globalThis.fetch;
  /** Bounds the whole request, the answer's body included, on this clock. */
  readonly clock: Clock;
  readonly timeoutMs: number;
}

/** The longest excerpt of an error answer in a message. */
const REPLY_CHARS_QUOTED = 300;

/** Posts the lines; resolves once InfluxDB has answered 2xx, else rejects with an InfluxWriteError. */
export async function postLines(request: InfluxWriteRequest): Promise<void> {
  const { target, clock, timeoutMs } = request;
  const abort = new AbortController();
  const timer = clock.schedule(() => abort.abort(), timeoutMs);
  const timedOut = () => new InfluxWriteError('TIMEOUT', `no answer within ${timeoutMs} ms`, true);
  try {
    let response: Response;
    try {
      response = await request.fetch(influxWriteUrl(target), {
        method: 'POST',
        headers: {
          'Content-Type': 'text/plain; charset=utf-8',
          Accept: 'application/json',
          ...(target.token === null ? {} : { Authorization: `Token ${target.token}` }),
        },
        body: request.body,
        signal: abort.signal,
        // A redirect is not followed: fetch would turn the POST into a GET (301/302/303).
        redirect: 'manual',
      });
    } catch (error) {
      if (abort.signal.aborted) throw timedOut();
      throw new InfluxWriteError('UNREACHABLE', `unreachable (${networkErrorText(error)})`, true);
    }
    if (response.ok) {
      // Read or cancelled, the connection goes back to the pool now rather than at a later GC.
      await response.body?.cancel().catch(() => undefined);
      return;
    }
    throw await rejected(response, request, abort.signal);
  } finally {
    timer.unsubscribe();
  }
}

/** 429 and 5xx may pass later (Retry-After honoured); a 3xx or any other 4xx will not. */
async function rejected(
  response: Response,
  request: InfluxWriteRequest,
  signal: AbortSignal,
): Promise<InfluxWriteError> {
  const { status } = response;
  const statusLine = `HTTP ${status}${response.statusText === '' ? '' : ` ${response.statusText}`}`;
  // Read in every case: that also releases the connection.
  const reply = await replyStart(response);
  const detail =
    status >= 300 && status < 400
      ? 'a redirect, not followed: configure the URL it points to'
      : influxErrorMessage(reply, request.target.token);
  const retryable = status === 429 || status >= 500;
  return new InfluxWriteError(
    'REJECTED',
    detail === '' ? statusLine : `${statusLine}: ${detail}`,
    retryable,
    status,
    retryable && !signal.aborted
      ? retryAfterMs(response.headers.get('retry-after'), request.clock.now())
      : null,
  );
}

/**
 * What InfluxDB says went wrong: the `message` of its JSON error body (`{"code":"invalid",
 * "message":"…"}`), else the start of whatever a proxy answered, on one line; the token blanked.
 */
export function influxErrorMessage(body: string, token: string | null): string {
  let message = body;
  try {
    const parsed: unknown = JSON.parse(body);
    const field = typeof parsed === 'object' && parsed !== null ? Reflect.get(parsed, 'message') : undefined;
    if (typeof field === 'string') message = field;
  } catch {
    // not JSON: quote the text
  }
  const oneLine = message.replace(/\s+/g, ' ').trim();
  const safe = token === null ? oneLine : oneLine.split(token).join('***');
  return safe.length > REPLY_CHARS_QUOTED ? `${safe.slice(0, REPLY_CHARS_QUOTED)}…` : safe;
}
