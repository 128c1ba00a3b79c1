import { z } from 'zod';
import { httpConfigSchema } from './http-config';
import { zodIssues } from './request-schemas';
import { AUTH_CONFIG } from './testing/http-harness';

/** A well-formed salt and key, for hashes whose cost parameters are under test. */
const SALT = Buffer.from('saltsaltsalt').toString('base64');
const KEY = Buffer.alloc(32, 7).toString('base64');

/** The section as an application parses it: under `http`, issues as `{ configPath, reason }`. */
const configFileSchema = z.strictObject({ http: httpConfigSchema });

describe('http config section', () => {
  const parseHttp = (http: Record<string, unknown>) => configFileSchema.parse({ http }).http;
  const issuesOf = (http: Record<string, unknown>) => {
    const result = configFileSchema.safeParse({ http });
    if (result.success) throw new Error('accepted');
    return zodIssues(result.error).map((issue) => ({ configPath: issue.path, reason: issue.reason }));
  };

  it('defaults: loopback, writes on, no credentials, no TLS', () => {
    expect(parseHttp({})).toEqual({
      enabled: true,
      host: '127.0.0.1',
      port: 8080,
      writesEnabled: true,
      auth: { username: null, passwordHash: null, bearerTokenHash: null },
      tls: { certFile: null, keyFile: null },
      maxBodyBytes: 65536,
      historyHours: 24,
      historyIntervalS: 30,
    });
  });

  it.each(['0.0.0.0', '192.168.1.20', '::', 'bms.local'])(
    'refuses host %s with writes enabled and no credentials, at http.host',
    (host) => {
      expect(issuesOf({ host })).toEqual([
        {
          configPath: 'http.host',
          reason:
            'a non-loopback host with writesEnabled needs credentials (http.auth) or writesEnabled: false',
        },
      ]);
    },
  );

  it.each([
    ['loopback', { host: '127.0.0.2' }],
    ['IPv6 loopback', { host: '::1' }],
    ['localhost', { host: 'localhost' }],
    ['read-only', { host: '0.0.0.0', writesEnabled: false }],
    ['with credentials', { host: '0.0.0.0', auth: AUTH_CONFIG }],
    ['disabled', { host: '0.0.0.0', enabled: false }],
  ])('accepts a public host when %s', (_name, http) => {
    expect(() => parseHttp(http)).not.toThrow();
  });

  it.each([
    [
      'a clear-text password',
      { auth: { username: 'admin', passwordHash: 'hunter2' } },
      'http.auth.passwordHash',
    ],
    ['a user without a hash', { auth: { username: 'admin' } }, 'http.auth.passwordHash'],
    ['a cert without a key', { tls: { certFile: '/etc/ssl/bms.pem' } }, 'http.tls.keyFile'],
    ['a tiny body limit', { maxBodyBytes: 10 }, 'http.maxBodyBytes'],
    ['an unknown key', { password: 'x' }, 'http.password'],
  ])('refuses %s', (_name, http, configPath) => {
    expect(issuesOf(http).map((issue) => issue.configPath)).toContain(configPath);
  });

  it.each([
    ['N = 2^32', `scrypt$${2 ** 32}$8$1$${SALT}$${KEY}`, /N must be a power of two up to 1048576/],
    ['N = 2^21 (seconds per check)', `scrypt$${2 ** 21}$8$1$${SALT}$${KEY}`, /N must be a power of two/],
    ['N in hexadecimal', `scrypt$0x400$8$1$${SALT}$${KEY}`, /not an scrypt\$N\$r\$p\$salt\$hash string/],
    ['p = 17', `scrypt$1024$8$17$${SALT}$${KEY}`, /r and p must be integers from 1 to 16/],
    ['a 65-byte hash', `scrypt$1024$8$1$${SALT}$${Buffer.alloc(65).toString('base64')}`, /the hash 16 to 64/],
  ])('refuses a stored hash the credential check would refuse: %s', (_name, hash, reason) => {
    for (const auth of [{ username: 'admin', passwordHash: hash }, { bearerTokenHash: hash }]) {
      const [issue] = issuesOf({ auth });
      expect(issue.configPath).toBe(`http.auth.${Object.keys(auth).at(-1)}`);
      expect(issue.reason).toMatch(reason);
    }
  });
});
