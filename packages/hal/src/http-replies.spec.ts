import { networkErrorText, retryAfterMs } from './http-replies';

const T0 = Date.UTC(2026, 11, 5, 12, 0, 0);

/** What fetch rejects with when the socket fails: a TypeError with the socket's error as its cause. */
const networkFailure = (code: string) =>
  new TypeError('fetch failed', { cause: Object.assign(new Error(`connect ${code}`), { code }) });

describe('retryAfterMs', () => {
  it('delay-seconds or an HTTP date; null when absent or unreadable; a past date is 0', () => {
    expect(retryAfterMs('120', T0)).toBe(120_000);
    expect(retryAfterMs(' 0 ', T0)).toBe(0);
    expect(retryAfterMs(new Date(T0 + 90_000).toUTCString(), T0)).toBe(90_000);
    expect(retryAfterMs(new Date(T0 - 90_000).toUTCString(), T0)).toBe(0);
    expect(retryAfterMs(null, T0)).toBeNull();
    expect(retryAfterMs('soon', T0)).toBeNull();
  });
});

describe('networkErrorText', () => {
  it('the cause’s code, else its first line, else the error’s name; never the TypeError’s message', () => {
    expect(networkErrorText(networkFailure('ENOTFOUND'))).toBe('ENOTFOUND');
    expect(networkErrorText(new TypeError('fetch failed', { cause: new Error('bad port\nmore') }))).toBe(
      'bad port',
    );
    expect(networkErrorText(new TypeError('invalid header value Token s3cret'))).toBe('TypeError');
    expect(networkErrorText('weird')).toBe('unknown error');
  });
});
