import { CaptureHttpServer } from '../spec-support/capture-http-server';
import { httpChannelEnds } from '../spec-support/http-channel-ends';
import { notificationChannelContract } from '../testing/channel-contract';
import { notificationFixture } from '../testing/notification-fixture';
import { gotifyChannel } from './gotify';

const TOKEN = 'AbCdEf.secret-app-token';

notificationChannelContract(
  'Gotify against a capture server',
  httpChannelEnds(
    (url) => gotifyChannel({ url, token: TOKEN }),
    ({ body }) => {
      const { title, message } = JSON.parse(body) as { title: string; message: string };
      return { title, message };
    },
  ),
);

describe('gotifyChannel', () => {
  let server: CaptureHttpServer;
  beforeEach(async () => (server = await CaptureHttpServer.start()));
  afterEach(() => server.close());

  it('POSTs JSON title, message and priority to /message with the app token in X-Gotify-Key', async () => {
    const notification = notificationFixture();
    await gotifyChannel({ url: server.url, token: TOKEN }).send(notification);
    const [request] = server.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/message' });
    expect(request.headers).toMatchObject({ 'content-type': 'application/json', 'x-gotify-key': TOKEN });
    expect(request.headers.authorization).toBeUndefined();
    expect(JSON.parse(request.body)).toEqual({
      title: notification.title,
      message: notification.message,
      priority: 10,
    });
  });

  it.each([
    ['default', 5],
    ['high', 8],
    ['urgent', 10],
  ] as const)('maps priority %s to Gotify %d', async (priority, expected) => {
    await gotifyChannel({ url: server.url, token: TOKEN }).send(notificationFixture({ priority }));
    expect(JSON.parse(server.requests[0].body)).toMatchObject({ priority: expected });
  });

  it('takes the base URL with or without a trailing slash', async () => {
    await gotifyChannel({ url: `${server.url}/gotify/`, token: TOKEN }).send(notificationFixture());
    expect(server.requests[0].path).toBe('/gotify/message');
  });

  it('keeps the token out of the error even when the server echoes it', async () => {
    server.answerWith(
      401,
      `{"error":"Unauthorized","errorDescription":"you need to provide a valid access token or user credentials to access this api (${TOKEN})"}`,
    );
    const sending = gotifyChannel({ url: server.url, token: TOKEN }).send(notificationFixture());
    await expect(sending).rejects.toMatchObject({ code: 'REJECTED', status: 401, retryable: false });
    await expect(sending).rejects.toThrow(/^gotify: HTTP 401 Unauthorized: .*\(\*\*\*\)/);
    await expect(sending).rejects.not.toThrow(TOKEN);
  });
});
