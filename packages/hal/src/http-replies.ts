/*
 * Reading what an HTTP server or the network said, for the outputs that post over Node's fetch
 * (notifications, InfluxDB): short, on one line, and never the parts that may hold a secret.
 */

/**
 * A field of a thrown value, read without `instanceof Error`: errors made in Node's own realm
 * (fetch's, a socket's) fail that check where the code runs in another one (Jest's vm context).
 */
export function errorField(error: unknown, field: string): unknown {
  return typeof error === 'object' && error !== null ? Reflect.get(error, field) : undefined;
}

/**
 * What went wrong on the network, for a log line: fetch rejects with `TypeError: fetch failed`
 * and the socket's error as its cause (ECONNREFUSED, ENOTFOUND, a certificate's code). The
 * TypeError's own message is never quoted: for an invalid header value it contains the value,
 * which may be a token.
 */
export function networkErrorText(error: unknown): string {
  const cause = errorField(error, 'cause');
  const code = errorField(cause, 'code');
  if (typeof code === 'string') return code;
  const message = errorField(cause, 'message');
  if (typeof message === 'string' && message !== '') return message.split('\n')[0].slice(0, 100);
  const name = errorField(error, 'name');
  return typeof name === 'string' ? name : 'unknown error';
}

/** How much of an answer's body is read for a log line. */
export const REPLY_BYTES_READ = 4096;

/**
 * The first `maxBytes` (or a little more) of the answer's body, as text; whatever arrived when it
 * broke off or timed out. Reading also releases the connection; leaving early cancels the rest.
 */
export async function replyStart(response: Response, maxBytes = REPLY_BYTES_READ): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of response.body ?? []) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= maxBytes) break;
    }
  } catch {
    // The status says enough without the body.
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A Retry-After header in milliseconds: delay-seconds (`120`) or an HTTP date, from `nowMs`;
 * null when absent or unreadable. A date in the past is 0.
 */
export function retryAfterMs(header: string | null, nowMs: number): number | null {
  if (header === null) return null;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const atMs = Date.parse(text);
  return Number.isNaN(atMs) ? null : Math.max(0, atMs - nowMs);
}
