import { scryptSync } from 'node:crypto';
import fc from 'fast-check';
import { hashSecret, parseSecretHash, SecretHashError, verifySecret } from './secret-hash';

// Cheap parameters keep the property runs fast; the format and the code path are the same.
const FAST = { n: 16, r: 1, p: 1 };
const SALT = Buffer.from('saltsaltsalt').toString('base64');
const KEY = Buffer.alloc(32, 7).toString('base64');

describe('scrypt secret hashes', () => {
  it('prints scrypt$N$r$p$salt$hash with the default cost', async () => {
    const hash = hashSecret('correct horse');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/]+={0,2}\$[A-Za-z0-9+/]+={0,2}$/);
    expect(await verifySecret(parseSecretHash(hash), 'correct horse')).toBe(true);
  });

  it('salts every hash: the same password gives different strings', () => {
    expect(hashSecret('pw', FAST)).not.toBe(hashSecret('pw', FAST));
  });

  it('accepts exactly the hashed secret (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), async (secret, other) => {
        const stored = parseSecretHash(hashSecret(secret, FAST));
        expect(await verifySecret(stored, secret)).toBe(true);
        expect(await verifySecret(stored, other)).toBe(secret.normalize('NFC') === other.normalize('NFC'));
      }),
      { numRuns: 50 },
    );
  });

  it.each([
    ['plain text', 'hunter2'],
    ['another scheme', 'bcrypt$10$8$1$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA=='],
    ['N not a power of two', 'scrypt$1000$8$1$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA=='],
    ['N too large (minutes per check)', 'scrypt$4194304$8$1$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA=='],
    ['p zero', 'scrypt$16$8$0$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA=='],
    ['short hash', 'scrypt$16$8$1$c2FsdHNhbHQ=$aGFzaA=='],
    ['N = 2^32 (a power of two to bitwise operators)', `scrypt$${2 ** 32}$8$1$${SALT}$${KEY}`],
    ['N in hexadecimal', `scrypt$0x400$8$1$${SALT}$${KEY}`],
    ['r with a sign', `scrypt$1024$+8$1$${SALT}$${KEY}`],
    ['a salt that is not base64', `scrypt$1024$8$1$salt-salt-salt$${KEY}`],
    ['a hash longer than 64 bytes', `scrypt$1024$8$1$${SALT}$${Buffer.alloc(65, 1).toString('base64')}`],
  ])('refuses %s', (_name, stored) => {
    expect(() => parseSecretHash(stored)).toThrow(SecretHashError);
  });

  it('refuses to hash an empty password', () => {
    expect(() => hashSecret('')).toThrow(SecretHashError);
  });

  it.each([
    ['a trailing NUL', 'pw\0'],
    ['a line break inside', 'pass\nword'],
    ['a C1 control (U+0085)', 'pw\u0085'],
  ])('refuses to hash a secret with %s', (_name, secret) => {
    expect(() => hashSecret(secret, FAST)).toThrow(
      expect.objectContaining({
        code: 'BAD_SECRET_HASH',
        message: expect.stringMatching(/control character/),
      }),
    );
  });

  it('does not take "pw\\0" for "pw", as scrypt alone does (its HMAC pads keys with zeros)', async () => {
    const stored = parseSecretHash(hashSecret('pw', FAST));
    const rawScrypt = (secret: string) =>
      scryptSync(secret, stored.salt, stored.key.length, { N: stored.n, r: stored.r, p: stored.p });
    expect(rawScrypt('pw\0')).toEqual(rawScrypt('pw'));
    expect(await verifySecret(stored, 'pw')).toBe(true);
    expect(await verifySecret(stored, 'pw\0')).toBe(false);
    expect(await verifySecret(stored, 'pw\0\0\0')).toBe(false);
  });
});
