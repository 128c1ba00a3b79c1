import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ConfigChangeError } from '@tsbms/bms-core';
import { errorMessage } from '@tsbms/hal';
import {
  credentialTextProblem,
  parseSecretHash,
  verifySecret,
  type FailedAttemptThrottle,
  type ParsedHash,
} from '@tsbms/credentials';
import { sendError } from './api-errors';
import type { HttpConfig } from './http-config';

type AuthSettings = HttpConfig['auth'];

export const AUTH_REALM = 'tsBMS';
/** scrypt runs on libuv's pool; beyond this many checks at once a request gets 429, not a queue. */
const MAX_CONCURRENT_CHECKS = 4;

/** Equal-time string comparison (through fixed-length digests, so lengths do not leak either). */
function sameText(a: string, b: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(a), digest(b));
}

type Credentials =
  | { readonly scheme: 'basic'; readonly username: string; readonly password: string }
  | { readonly scheme: 'bearer'; readonly token: string };

/** The credentials in an Authorization header; null when missing; a string = why it is malformed. */
export function parseAuthorization(header: string | undefined): Credentials | null | string {
  if (header === undefined || header === '') return null;
  const match = /^(\S+) +(\S+)$/.exec(header.trim());
  if (match === null) return 'malformed Authorization header: expected "Basic <base64>" or "Bearer <token>"';
  const [, scheme, value] = match;
  if (scheme.toLowerCase() === 'bearer') {
    const problem = credentialTextProblem(value);
    return problem === null ? { scheme: 'bearer', token: value } : `malformed bearer token: it ${problem}`;
  }
  if (scheme.toLowerCase() !== 'basic') return `unsupported authorization scheme ${scheme.slice(0, 20)}`;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return 'malformed Basic credentials: not base64';
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return 'malformed Basic credentials: no "user:password"';
  const username = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  // Base64 decoding is lenient (a stray "AA" adds a NUL) and scrypt takes "pw\0" for "pw".
  for (const [name, text] of [
    ['user name', username],
    ['password', password],
  ] as const) {
    const problem = credentialTextProblem(text);
    if (problem !== null) return `malformed Basic credentials: the ${name} ${problem}`;
  }
  return { scheme: 'basic', username, password };
}

/** A configured hash, parsed; one the schema let through but scrypt cannot use names its setting. */
function storedHash(configPath: string, stored: string | null): ParsedHash | null {
  if (stored === null) return null;
  try {
    return parseSecretHash(stored);
  } catch (error) {
    throw new ConfigChangeError('INVALID_CONFIG', [{ configPath, reason: errorMessage(error) }]);
  }
}

/**
 * Guards the writes (config, acknowledge, restart): 403 when writes are switched off, 401 with
 * `WWW-Authenticate` without valid Basic or bearer credentials (also when none are configured,
 * saying so). Hashes are parsed at start, so a bad one stops the HTTP output, not a request.
 * Wrong credentials make the client's address wait (`throttle`): until then it gets 429 with
 * `Retry-After` and no check is run, so guesses cannot go faster than the backoff allows.
 */
export function requireWriteAccess(
  auth: AuthSettings,
  writesEnabled: boolean,
  throttle: FailedAttemptThrottle,
): RequestHandler {
  const passwordHash = storedHash('http.auth.passwordHash', auth.passwordHash);
  const bearerHash = storedHash('http.auth.bearerTokenHash', auth.bearerTokenHash);
  const configured = passwordHash !== null || bearerHash !== null;
  let checksRunning = 0;

  const refuse = (res: Response, message: string) => {
    res.setHeader('WWW-Authenticate', `Basic realm="${AUTH_REALM}", charset="UTF-8"`);
    sendError(res, 401, 'UNAUTHORIZED', message);
  };

  const verify = async (credentials: Credentials): Promise<boolean> => {
    if (credentials.scheme === 'bearer')
      return bearerHash !== null && (await verifySecret(bearerHash, credentials.token));
    if (passwordHash === null || auth.username === null) return false;
    // The password is checked even for a wrong user name, so timing does not reveal user names.
    const passwordOk = await verifySecret(passwordHash, credentials.password);
    return sameText(credentials.username, auth.username) && passwordOk;
  };

  return (req: Request, res: Response, next: NextFunction) => {
    if (!writesEnabled) {
      sendError(res, 403, 'WRITES_DISABLED', 'writes are disabled (http.writesEnabled: false)');
      return;
    }
    if (!configured) {
      refuse(res, 'credentials are not configured: set http.auth (see hash-password) to allow writes');
      return;
    }
    const client = req.socket.remoteAddress ?? '';
    const waitS = Math.ceil(throttle.retryAfterMs(client) / 1000);
    if (waitS > 0) {
      res.setHeader('Retry-After', String(waitS));
      sendError(res, 429, 'TOO_MANY_ATTEMPTS', `too many failed attempts: try again in ${waitS} s`);
      return;
    }
    const credentials = parseAuthorization(req.get('authorization'));
    if (credentials === null) return refuse(res, 'credentials required');
    if (typeof credentials === 'string') return refuse(res, credentials);
    if (checksRunning >= MAX_CONCURRENT_CHECKS) {
      sendError(res, 429, 'TOO_MANY_ATTEMPTS', 'too many credential checks at once: try again');
      return;
    }
    checksRunning += 1;
    verify(credentials)
      .finally(() => (checksRunning -= 1))
      .then(
        (ok) => {
          if (ok) {
            throttle.recordSuccess(client);
            return next();
          }
          throttle.recordFailure(client);
          refuse(res, 'wrong user name, password or token');
        },
        (error: unknown) => next(error),
      );
  };
}
