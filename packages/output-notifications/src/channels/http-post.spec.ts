import { CaptureHttpServer } from '../spec-support/capture-http-server';
import { NotificationSendError } from '../notification';
import { bearerAuthorization, endpointUnder, httpPoster, type PeerPost } from './http-post';

const TOKEN = 'secret-token';

describe('httpPoster', () => {
  let server: CaptureHttpServer;
  beforeEach(async () => (server = await CaptureHttpServer.start()));
  afterEach(() => server.close());

  const postTo = (url: string, headers: Record<string, string> = {}): PeerPost => ({
    url,
    headers: { 'Content-Type': 'text/plain', ...headers },
    body: 'body',
    secrets: [TOKEN],
  });

  it.each([
    [200, '{"id":1}'],
    [204, ''],
  ])('resolves on a %d answer, whatever its body', async (status, body) => {
    server.answerWith(status, body);
    await expect(httpPoster('test', {})(postTo(server.url))).resolves.toBeUndefined();
  });

  it('rejects a 429 REJECTED and retryable, with the status', async () => {
    server.answerWith(429);
    await expect(httpPoster('test', {})(postTo(server.url))).rejects.toMatchObject({
      code: 'REJECTED',
      retryable: true,
      status: 429,
      message: 'test: HTTP 429 Too Many Requests',
    });
  });

  it('quotes the start of the answer on one line, cut to 200 characters', async () => {
    server.answerWith(404, `not\n\n  found ${'x'.repeat(5000)}`);
    const error = (await httpPoster(
      'test',
      {},
    )(postTo(server.url)).catch((e: unknown) => e)) as NotificationSendError;
    expect(error).toBeInstanceOf(NotificationSendError);
    expect(error).toMatchObject({ code: 'REJECTED', retryable: false, status: 404 });
    expect(error.message).toBe(`test: HTTP 404 Not Found: not found ${'x'.repeat(190)}…`);
  });

  it('does not follow a redirect: the POST would become a GET', async () => {
    server.answerWith(301, 'moved', { Location: `${server.url}/elsewhere` });
    await expect(httpPoster('test', {})(postTo(server.url))).rejects.toMatchObject({
      code: 'REJECTED',
      retryable: false,
      status: 301,
      message: 'test: HTTP 301 Moved Permanently: a redirect, not followed: configure the URL it points to',
    });
    expect(server.requests.map(({ path }) => path)).toEqual(['/']);
  });

  it('rejects UNREACHABLE, retryable, when the answer does not come within timeoutMs', async () => {
    server.hang();
    await expect(httpPoster('test', { timeoutMs: 100 })(postTo(server.url))).rejects.toMatchObject({
      code: 'UNREACHABLE',
      retryable: true,
      message: 'test: no answer within 100 ms',
    });
  });

  it('rejects UNREACHABLE, retryable, for a closed port, naming the socket error', async () => {
    await server.close();
    await expect(httpPoster('test', {})(postTo(server.url))).rejects.toMatchObject({
      code: 'UNREACHABLE',
      retryable: true,
      message: 'test: unreachable (ECONNREFUSED)',
    });
  });

  it('quotes only the error name when fetch refuses the request: its message may hold a header value', async () => {
    const sending = httpPoster('test', {})(postTo(server.url, { Authorization: `Bearer ${TOKEN}\nX: y` }));
    await expect(sending).rejects.toMatchObject({
      code: 'UNREACHABLE',
      message: 'test: unreachable (TypeError)',
    });
    expect(server.requests).toEqual([]);
  });

  it('quotes what arrived of an answer whose body broke off', async () => {
    const fetch = () => {
      let reads = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (reads++ === 0) controller.enqueue(new TextEncoder().encode('upstream went'));
          else controller.error(new Error('connection reset'));
        },
      });
      // No reason phrase: HTTP/2 has none.
      return Promise.resolve(new Response(body, { status: 502 }));
    };
    await expect(httpPoster('test', { fetch })(postTo('http://bms.invalid/'))).rejects.toMatchObject({
      code: 'REJECTED',
      retryable: true,
      status: 502,
      message: 'test: HTTP 502: upstream went',
    });
  });

  it('uses the fetch it is given', async () => {
    const fetch = jest.fn<Promise<Response>, Parameters<typeof globalThis.fetch>>(() =>
      Promise.reject(
        new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ENOTFOUND' }) }),
      ),
    );
    await expect(httpPoster('test', { fetch })(postTo('http://bms.invalid/'))).rejects.toMatchObject({
      code: 'UNREACHABLE',
      message: 'test: unreachable (ENOTFOUND)',
    });
    expect(fetch).toHaveBeenCalledWith(
      'http://bms.invalid/',
      expect.objectContaining({ method: 'POST', body: 'body' }),
    );
  });
});

describe('endpointUnder', () => {
  it.each(['https://ntfy.example.org', 'https://ntfy.example.org/', 'https://ntfy.example.org//'])(
    'puts the path right under %s',
    (base) => expect(endpointUnder(base, 'alerts')).toBe('https://ntfy.example.org/alerts'),
  );
});

describe('bearerAuthorization', () => {
  it('is no header and no secret without a token', () => {
    expect(bearerAuthorization(null)).toEqual({ headers: {}, secrets: [] });
  });
});
