import type { Clock } from '@tsbms/hal';

/*
 * A fetch for tests of code that writes to InfluxDB (or any HTTP endpoint): it records every
 * request and answers from a script — a status with body and headers, a network failure as
 * Node's fetch reports one, or no answer until the request is aborted (a server that hangs).
 */

/** One request as the code under test made it. */
export interface ScriptedRequest {
  readonly url: string;
  readonly method: string;
  /** Names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** The clock's time when it was made; null without a clock. */
  readonly atMs: number | null;
}

export type ScriptedAnswer =
  /** An answer from the server. */
  | { readonly status: number; readonly body?: string; readonly headers?: Readonly<Record<string, string>> }
  /** No answer: fetch rejects with this (see {@link networkFailure}). */
  | { readonly fail: Error }
  /** No answer until the request's signal aborts, then fetch rejects with its reason. */
  | 'hang';

/** What Node's fetch rejects with when the connection fails: `TypeError: fetch failed` with the socket error as cause. */
export function networkFailure(code = 'ECONNREFUSED'): Error {
  const cause = Object.assign(new Error(`connect ${code} 127.0.0.1:8086`), { code });
  return new TypeError('fetch failed', { cause });
}

export class ScriptedFetch {
  readonly requests: ScriptedRequest[] = [];
  /** The most requests that were ever unanswered at once. */
  maxInFlight = 0;
  private inFlightNow = 0;
  private readonly queue: ScriptedAnswer[] = [];
  private fallback: ScriptedAnswer = { status: 204 };

  constructor(private readonly clock?: Clock) {}

  /** Answers for the next requests, in order; after them the standing answer (204 until set). */
  answerNext(...answers: ScriptedAnswer[]): this {
    this.queue.push(...answers);
    return this;
  }

  /** The answer to every request once the scripted ones are used up. */
  answerAlways(answer: ScriptedAnswer): this {
    this.fallback = answer;
    return this;
  }

  /** Requests not yet answered. */
  get inFlight(): number {
    return this.inFlightNow;
  }

  /** The fetch to hand to the code under test. */
  readonly fetch: typeof globalThis.fetch = (input, init) => {
    const request = input instanceof Request ? input : null;
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    // The body is read from `init` only (a Request's body cannot be read synchronously).
    const body = init?.body;
    this.requests.push({
      url,
      method: init?.method ?? request?.method ?? 'GET',
      headers: Object.fromEntries(new Headers(init?.headers ?? request?.headers).entries()),
      body: typeof body === 'string' ? body : body === undefined || body === null ? '' : String(body),
      atMs: this.clock?.now() ?? null,
    });
    const answer = this.queue.shift() ?? this.fallback;
    this.inFlightNow++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlightNow);
    return this.answer(answer, init?.signal ?? null).finally(() => this.inFlightNow--);
  };

  private answer(answer: ScriptedAnswer, signal: AbortSignal | null): Promise<Response> {
    if (answer === 'hang')
      return new Promise<Response>((_resolve, reject) => {
        if (signal === null) return;
        if (signal.aborted) reject(signal.reason as Error);
        signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
      });
    if ('fail' in answer) return Promise.reject(answer.fail);
    const empty = answer.status === 204 || answer.status === 304;
    return Promise.resolve(
      new Response(empty ? null : (answer.body ?? ''), { status: answer.status, headers: answer.headers }),
    );
  }
}
