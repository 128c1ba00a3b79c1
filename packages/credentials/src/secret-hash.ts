import { randomBytes, scrypt, scryptSync, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { credentialTextProblem } from './credential-text';

/**
 * Passwords and bearer tokens are stored as `scrypt$N$r$p$saltB64$hashB64` (node:crypto scrypt),
 * never in clear: a leaked config file or a GET /api/config reveals no usable credential.
 */
export interface ScryptParameters {
  /** CPU/memory cost, a power of two. */
  readonly n: number;
  readonly r: number;
  readonly p: number;
}

/** 2^15 × 8 × 128 B = 32 MiB and some tens of ms per check: slow to brute force, fine per request. */
export const DEFAULT_SCRYPT_PARAMETERS: ScryptParameters = Object.freeze({ n: 32768, r: 8, p: 1 });

const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Bounds on parameters read from a config: a hostile hash must not make a check take minutes. */
const MAX_N = 1 << 20;
const MAX_RP = 16;
/** The stored key's length is scrypt's output length, so it is bounded too. */
const MAX_KEY_BYTES = 64;
const MIN_SALT_BYTES = 8;
const MIN_KEY_BYTES = 16;

export class SecretHashError extends Error {
  readonly code = 'BAD_SECRET_HASH';
  constructor(reason: string) {
    super(reason);
    this.name = 'SecretHashError';
  }
}

export interface ParsedHash extends ScryptParameters {
  readonly salt: Buffer;
  readonly key: Buffer;
}

function scryptOptions({ n, r, p }: ScryptParameters): ScryptOptions {
  return { N: n, r, p, maxmem: 256 * n * r + 1024 * 1024 };
}

/** A new hash of `secret` with a random salt; an empty secret or a control character throws. */
export function hashSecret(secret: string, parameters: ScryptParameters = DEFAULT_SCRYPT_PARAMETERS): string {
  const problem = credentialTextProblem(secret);
  if (problem !== null) throw new SecretHashError(`the secret ${problem}`);
  const salt = randomBytes(SALT_BYTES);
  const key = scryptSync(secret.normalize('NFC'), salt, KEY_BYTES, scryptOptions(parameters));
  const { n, r, p } = parameters;
  return ['scrypt', n, r, p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** Decimal N, r and p, then standard base64 salt and key: what hashSecret prints, nothing looser. */
const STORED_HASH = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

/**
 * Parses and bounds-checks a stored hash; throws SecretHashError. The config schema validates
 * with this too, so a hash the file check accepts is one a credential check can use.
 */
export function parseSecretHash(stored: string): ParsedHash {
  const match = STORED_HASH.exec(stored);
  if (match === null) throw new SecretHashError('not an scrypt$N$r$p$salt$hash string');
  const [n, r, p] = match.slice(1, 4).map(Number);
  const isPowerOfTwo = n > 1 && n <= MAX_N && (n & (n - 1)) === 0;
  if (!isPowerOfTwo) throw new SecretHashError(`N must be a power of two up to ${MAX_N}`);
  for (const value of [r, p]) {
    if (value < 1 || value > MAX_RP) {
      throw new SecretHashError(`r and p must be integers from 1 to ${MAX_RP}`);
    }
  }
  const salt = Buffer.from(match[4], 'base64');
  const key = Buffer.from(match[5], 'base64');
  if (salt.length < MIN_SALT_BYTES || key.length < MIN_KEY_BYTES || key.length > MAX_KEY_BYTES) {
    throw new SecretHashError(
      `the salt must have at least ${MIN_SALT_BYTES} bytes, the hash ${MIN_KEY_BYTES} to ${MAX_KEY_BYTES}`,
    );
  }
  return { n, r, p, salt, key };
}

/**
 * Whether `candidate` matches `stored`. scrypt runs on libuv's pool, so a check never delays a
 * scan; the comparison takes the same time wherever the keys differ. A candidate hashSecret
 * would refuse never matches: scrypt alone takes "pw\0" for "pw" (its HMAC pads keys with zeros).
 */
export function verifySecret(stored: ParsedHash, candidate: string): Promise<boolean> {
  if (credentialTextProblem(candidate) !== null) return Promise.resolve(false);
  return new Promise((resolve, reject) =>
    scrypt(candidate.normalize('NFC'), stored.salt, stored.key.length, scryptOptions(stored), (error, key) =>
      error === null ? resolve(timingSafeEqual(key, stored.key)) : reject(error),
    ),
  );
}
