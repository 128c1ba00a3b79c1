import { randomBytes } from 'node:crypto';
import { apiRequests } from './testing/api-requests';
import { AUTH_CONFIG, BEARER_TOKEN, GOOD_BASIC, startTestHttp, type TestHttp } from './testing/http-harness';

let server: TestHttp;
afterEach(async () => server?.close());

const { get } = apiRequests(() => server.url);

/** Bytes that are not text: a download must arrive exactly as made. */
const BUNDLE = Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xff, 0x00]), randomBytes(64 * 1024)]);
const FILE_NAME = 'tsbms-support-2026-12-06T061500Z.tar.gz';

describe('GET /api/support-bundle', () => {
  it("answers the application's support bundle as a gzip download, made when asked for", async () => {
    let made = 0;
    server = await startTestHttp({
      supportBundle: () => {
        made++;
        return { fileName: FILE_NAME, body: BUNDLE };
      },
    });
    const response = await get('/api/support-bundle');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename=${FILE_NAME}`);
    expect(response.headers.get('content-type')).toBe('application/gzip');
    expect(response.headers.get('content-length')).toBe(String(BUNDLE.length));
    expect(Buffer.from(await response.arrayBuffer()).equals(BUNDLE)).toBe(true);
    expect(made).toBe(1);
    await get('/api/support-bundle');
    // Made again for each request: it holds the state of that moment.
    expect(made).toBe(2);
  });

  it('answers 404 NOT_AVAILABLE when the application makes none', async () => {
    server = await startTestHttp();
    const response = await get('/api/support-bundle');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: { code: 'NOT_AVAILABLE', message: 'this controller makes no support bundle' },
    });
  });

  it('answers 500 SUPPORT_BUNDLE_FAILED with the reason when the application refuses to make it, and logs it', async () => {
    server = await startTestHttp({
      supportBundle: () => {
        throw new Error('config.json holds the value of mqtt.password: the support bundle was not written');
      },
    });
    const response = await get('/api/support-bundle');
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({
      error: {
        code: 'SUPPORT_BUNDLE_FAILED',
        message:
          'the support bundle was not made: config.json holds the value of mqtt.password: the support bundle was not written',
      },
    });
    expect(server.context.logger.lines.at(-1)).toMatchObject({
      level: 'error',
      message: expect.stringContaining(
        'support bundle not made: config.json holds the value of mqtt.password',
      ),
    });
  });

  it.each([
    ['no credentials', {}, false],
    ['good Basic credentials', { authorization: GOOD_BASIC }, true],
    ['a good bearer token', { authorization: `Bearer ${BEARER_TOKEN}` }, true],
    ['a wrong bearer token', { authorization: 'Bearer wrong-token-123' }, false],
    ['a malformed Authorization header', { authorization: 'Digest x' }, false],
  ])(
    'is protected as GET /api/backup is: with credentials configured, %s get what the backup gets',
    async (_, headers, good) => {
      server = await startTestHttp({
        http: { auth: AUTH_CONFIG },
        backup: () => ({ fileName: 'tsbms-backup.json', text: '{}\n' }),
        supportBundle: () => ({ fileName: FILE_NAME, body: BUNDLE }),
      });
      const backup = await get('/api/backup', headers);
      const bundle = await get('/api/support-bundle', headers);
      expect(bundle.status).toBe(backup.status);
      expect(bundle.headers.get('www-authenticate')).toBe(backup.headers.get('www-authenticate'));
      if (good) expect(bundle.status).toBe(200);
    },
  );
});
