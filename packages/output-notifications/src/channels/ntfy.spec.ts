import { CaptureHttpServer } from '../spec-support/capture-http-server';
import { httpChannelEnds } from '../spec-support/http-channel-ends';
import { decodeEncodedWords } from '../spec-support/mime-decoding';
import { notificationChannelContract } from '../testing/channel-contract';
import { notificationFixture } from '../testing/notification-fixture';
import { ntfyChannel } from './ntfy';

const TOKEN = 'tk_secretsecretsecretsecret0000';

// ntfy's server decodes RFC 2047 in its headers; the capture server's reading does the same.
notificationChannelContract(
  'ntfy against a capture server',
  httpChannelEnds(
    (url) => ntfyChannel({ url, topic: 'tsbms-test', token: TOKEN }),
    ({ headers, body }) => ({ title: decodeEncodedWords(String(headers['x-title'])), message: body }),
  ),
);

describe('ntfyChannel', () => {
  let server: CaptureHttpServer;
  beforeEach(async () => (server = await CaptureHttpServer.start()));
  afterEach(() => server.close());

  it('POSTs the message as UTF-8 text to the topic, title, priority and tags in X- headers, the token as a bearer', async () => {
    const notification = notificationFixture({ title: 'tsBMS garage: over-voltage (M2C3) raised' });
    await ntfyChannel({ url: server.url, topic: 'tsbms-test', token: TOKEN }).send(notification);
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/tsbms-test', body: notification.message });
    expect(request.headers).toMatchObject({
      'content-type': 'text/plain; charset=utf-8',
      'x-title': 'tsBMS garage: over-voltage (M2C3) raised',
      'x-priority': '5',
      'x-tags': 'warning',
      authorization: `Bearer ${TOKEN}`,
    });
  });

  it.each([
    ['default', '3'],
    ['high', '4'],
    ['urgent', '5'],
  ] as const)('maps priority %s to ntfy %s', async (priority, expected) => {
    await ntfyChannel({ url: server.url, topic: 't', token: null }).send(notificationFixture({ priority }));
    expect(server.requests[0].headers['x-priority']).toBe(expected);
  });

  it.each([
    ['raised', 'warning'],
    ['cleared', 'white_check_mark'],
    ['reminder', 'bell'],
    ['acknowledged', 'ok_hand'],
    ['test', 'test_tube'],
  ] as const)('tags a %s notification %s', async (event, tag) => {
    await ntfyChannel({ url: server.url, topic: 't', token: null }).send(notificationFixture({ event }));
    expect(server.requests[0].headers['x-tags']).toBe(tag);
  });

  it('sends a title beyond ASCII, or one that looks encoded, as an RFC 2047 base64 word', async () => {
    const channel = ntfyChannel({ url: server.url, topic: 't', token: null });
    await channel.send(notificationFixture({ title: '61.5 °C – hot' }));
    await channel.send(notificationFixture({ title: 'a =?x?= title' }));
    const titles = server.requests.map(({ headers }) => String(headers['x-title']));
    expect(titles).toEqual([
      `=?UTF-8?B?${Buffer.from('61.5 °C – hot').toString('base64')}?=`,
      `=?UTF-8?B?${Buffer.from('a =?x?= title').toString('base64')}?=`,
    ]);
    expect(titles.map(decodeEncodedWords)).toEqual(['61.5 °C – hot', 'a =?x?= title']);
  });

  it('sends no Authorization without a token', async () => {
    await ntfyChannel({ url: server.url, topic: 't', token: null }).send(notificationFixture());
    expect(server.requests[0].headers.authorization).toBeUndefined();
  });

  it('puts the topic under a base URL with a path, with or without its trailing slash', async () => {
    await ntfyChannel({ url: `${server.url}/ntfy/`, topic: 'alerts', token: null }).send(
      notificationFixture(),
    );
    await ntfyChannel({ url: `${server.url}/ntfy`, topic: 'alerts', token: null }).send(
      notificationFixture(),
    );
    expect(server.requests.map(({ path }) => path)).toEqual(['/ntfy/alerts', '/ntfy/alerts']);
  });

  it('keeps the token out of the error even when the server echoes it', async () => {
    server.answerWith(403, `{"error":"forbidden","authorization":"Bearer ${TOKEN}"}`);
    const sending = ntfyChannel({ url: server.url, topic: 't', token: TOKEN }).send(notificationFixture());
    await expect(sending).rejects.toMatchObject({ code: 'REJECTED', status: 403, retryable: false });
    await expect(sending).rejects.toThrow(
      'ntfy: HTTP 403 Forbidden: {"error":"forbidden","authorization":"Bearer ***"}',
    );
  });
});
