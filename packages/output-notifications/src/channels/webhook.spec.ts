import { CaptureHttpServer } from '../spec-support/capture-http-server';
import { httpChannelEnds } from '../spec-support/http-channel-ends';
import { notificationChannelContract } from '../testing/channel-contract';
import { notificationFixture } from '../testing/notification-fixture';
import { webhookChannel, type WebhookPayload } from './webhook';

const TOKEN = 'webhook-bearer-secret';

notificationChannelContract(
  'webhook against a capture server',
  httpChannelEnds(
    (url) => webhookChannel({ url: `${url}/hook`, bearerToken: TOKEN }),
    ({ body }) => {
      const { title, message } = JSON.parse(body) as WebhookPayload;
      return { title, message };
    },
  ),
);

describe('webhookChannel', () => {
  let server: CaptureHttpServer;
  beforeEach(async () => (server = await CaptureHttpServer.start()));
  afterEach(() => server.close());

  it('POSTs the notification as JSON, its time as ISO 8601, to the URL as it is, with the bearer token', async () => {
    const notification = notificationFixture();
    await webhookChannel({ url: `${server.url}/api/webhook/tsbms?x=1`, bearerToken: TOKEN }).send(
      notification,
    );
    const [request] = server.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/api/webhook/tsbms?x=1' });
    expect(request.headers).toMatchObject({
      'content-type': 'application/json',
      authorization: `Bearer ${TOKEN}`,
    });
    expect(JSON.parse(request.body)).toEqual({
      source: 'tsbms',
      key: 'cellOverTemperature@M2C3',
      event: 'raised',
      level: 'fault',
      title: notification.title,
      message: notification.message,
      priority: 'urgent',
      at: '2025-01-02T12:03:10.000Z',
    } satisfies WebhookPayload);
  });

  it('sends a test message with level null and no Authorization without a token', async () => {
    await webhookChannel({ url: server.url, bearerToken: null }).send(
      notificationFixture({ event: 'test', level: null, priority: 'default' }),
    );
    expect(JSON.parse(server.requests[0].body)).toMatchObject({
      event: 'test',
      level: null,
      priority: 'default',
    });
    expect(server.requests[0].headers.authorization).toBeUndefined();
  });

  it('keeps the token out of the error even when the server echoes it', async () => {
    server.answerWith(500, `internal error handling "Bearer ${TOKEN}"`);
    const sending = webhookChannel({ url: server.url, bearerToken: TOKEN }).send(notificationFixture());
    await expect(sending).rejects.toMatchObject({ code: 'REJECTED', status: 500, retryable: true });
    await expect(sending).rejects.toThrow(
      'webhook: HTTP 500 Internal Server Error: internal error handling "Bearer ***"',
    );
  });
});
