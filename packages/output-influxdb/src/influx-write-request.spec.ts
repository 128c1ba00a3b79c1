import { ManualClock } from '@tsbms/hal';
import {
  influxErrorMessage,
  influxWriteUrl,
  InfluxWriteError,
  postLines,
  type InfluxWriteTarget,
} from './influx-write-request';
import { networkFailure, ScriptedFetch, type ScriptedAnswer } from './testing';

const TARGET: InfluxWriteTarget = {
  url: 'http://influxdb.local:8086',
  org: 'home',
  bucket: 'battery',
  token: 's3cret',
};
const T0 = Date.UTC(2026, 11, 5, 12, 0, 0);

/** One POST answered with `answer`: its error (null when written) and the request made. */
async function post(answer: ScriptedAnswer, target = TARGET) {
  const clock = new ManualClock(T0);
  const fetch = new ScriptedFetch(clock).answerNext(answer);
  const error = await postLines({
    target,
    body: 'm f=1 1\nm f=2 2',
    fetch: fetch.fetch,
    clock,
    timeoutMs: 5000,
  }).then(
    () => null,
    (e: unknown) => e as InfluxWriteError,
  );
  return { error, request: fetch.requests[0], clock };
}

describe('influxWriteUrl', () => {
  it('is /api/v2/write under the base URL with org, bucket and precision=ms', () => {
    expect(influxWriteUrl(TARGET)).toBe(
      'http://influxdb.local:8086/api/v2/write?org=home&bucket=battery&precision=ms',
    );
  });

  it('keeps a path prefix, drops trailing slashes, and encodes org and bucket', () => {
    expect(
      influxWriteUrl({ ...TARGET, url: 'https://example.org/influx//', org: 'my org', bucket: 'db/rp&x' }),
    ).toBe('https://example.org/influx/api/v2/write?org=my+org&bucket=db%2Frp%26x&precision=ms');
  });
});

describe('postLines', () => {
  it('POSTs the lines as text with the Token header; a 204 is written', async () => {
    const { error, request } = await post({ status: 204 });
    expect(error).toBeNull();
    expect(request).toMatchObject({
      method: 'POST',
      url: influxWriteUrl(TARGET),
      body: 'm f=1 1\nm f=2 2',
      headers: { authorization: 'Token s3cret', 'content-type': 'text/plain; charset=utf-8' },
    });
  });

  it('sends no Authorization header without a token (InfluxDB 1.8 without authentication)', async () => {
    const { request } = await post({ status: 204 }, { ...TARGET, token: null });
    expect(request.headers).not.toHaveProperty('authorization');
  });

  it('takes any 2xx as written (a proxy may answer 200)', async () => {
    expect((await post({ status: 200, body: 'ok' })).error).toBeNull();
  });

  it('a 400 is not retried and quotes InfluxDB’s message', async () => {
    const { error } = await post({
      status: 400,
      body: JSON.stringify({ code: 'invalid', message: "unable to parse 'm f=': missing field value" }),
      headers: { 'content-type': 'application/json' },
    });
    expect(error).toBeInstanceOf(InfluxWriteError);
    expect(error).toMatchObject({
      code: 'REJECTED',
      retryable: false,
      status: 400,
      message: "HTTP 400: unable to parse 'm f=': missing field value",
    });
  });

  it('a 401 (a wrong token) is not retried', async () => {
    const { error } = await post({
      status: 401,
      body: '{"code":"unauthorized","message":"unauthorized access"}',
    });
    expect(error).toMatchObject({ retryable: false, status: 401, message: 'HTTP 401: unauthorized access' });
  });

  it('a 5xx is retried; a proxy’s HTML answer is quoted on one line', async () => {
    const { error } = await post({ status: 502, body: '<html>\n<body>Bad   Gateway</body>\n</html>' });
    expect(error).toMatchObject({
      code: 'REJECTED',
      retryable: true,
      status: 502,
      retryAfterMs: null,
      message: 'HTTP 502: <html> <body>Bad Gateway</body> </html>',
    });
  });

  it('a 429 is retried after what Retry-After asks', async () => {
    const { error } = await post({ status: 429, headers: { 'retry-after': '30' } });
    expect(error).toMatchObject({ retryable: true, status: 429, retryAfterMs: 30_000 });
  });

  it('a redirect is not followed (it would turn the POST into a GET) and not retried', async () => {
    const { error } = await post({ status: 301, headers: { location: 'https://elsewhere/' } });
    expect(error).toMatchObject({
      retryable: false,
      message: 'HTTP 301: a redirect, not followed: configure the URL it points to',
    });
  });

  it('a network failure is retried, named by its code', async () => {
    const { error } = await post({ fail: networkFailure('ECONNREFUSED') });
    expect(error).toMatchObject({
      code: 'UNREACHABLE',
      retryable: true,
      status: null,
      message: 'unreachable (ECONNREFUSED)',
    });
  });

  it('no answer within the timeout, on the injected clock: aborted and retried', async () => {
    const clock = new ManualClock(T0);
    const fetch = new ScriptedFetch(clock).answerNext('hang');
    let outcome: unknown = 'pending';
    void postLines({ target: TARGET, body: 'm f=1 1', fetch: fetch.fetch, clock, timeoutMs: 5000 }).then(
      () => (outcome = null),
      (e: unknown) => (outcome = e),
    );
    await clock.advanceByMs(4999);
    expect(outcome).toBe('pending');
    await clock.advanceByMs(1);
    expect(outcome).toMatchObject({ code: 'TIMEOUT', retryable: true, message: 'no answer within 5000 ms' });
    expect(fetch.inFlight).toBe(0);
  });

  it('leaves no timer behind once answered', async () => {
    const { clock } = await post({ status: 204 });
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('influxErrorMessage', () => {
  it('InfluxDB’s JSON message, else the text; on one line, shortened, the token blanked', () => {
    expect(influxErrorMessage('{"code":"not found","message":"bucket \\"x\\" not found"}', null)).toBe(
      'bucket "x" not found',
    );
    expect(influxErrorMessage('{"error":"x"}', null)).toBe('{"error":"x"}');
    expect(influxErrorMessage('token s3cret is wrong', 's3cret')).toBe('token *** is wrong');
    expect(influxErrorMessage('x'.repeat(400), null)).toBe(`${'x'.repeat(300)}…`);
    expect(influxErrorMessage('', null)).toBe('');
  });
});
