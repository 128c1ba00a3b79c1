import fc from 'fast-check';
import type { NextFunction, Request, Response } from 'express';
import { parseAuthorization, requireWriteAccess } from './write-auth';
import { AUTH_CONFIG, GOOD_BASIC } from './testing/http-harness';

/** Just enough of express's req/res for the middleware: what it answers, or that it passed on. */
function fakeExchange(authorization: string | undefined) {
  const answer: { status?: number; body?: unknown } = {};
  const res = {
    setHeader: () => undefined,
    status(code: number) {
      answer.status = code;
      return this;
    },
    json(body: unknown) {
      answer.body = body;
      return this;
    },
  } as unknown as Response;
  const req = {
    get: (name: string) => (name === 'authorization' ? authorization : undefined),
  } as unknown as Request;
  let next: NextFunction = () => undefined;
  const passedOn = new Promise<void>((resolve) => (next = () => resolve()));
  return { req, res, answer, next, passedOn };
}

describe('parseAuthorization', () => {
  it('round-trips any Basic user (no colon) and password', () => {
    fc.assert(
      fc.property(
        fc.string().filter((u) => !u.includes(':')),
        fc.string(),
        (username, password) => {
          const header = `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
          expect(parseAuthorization(header)).toEqual({ scheme: 'basic', username, password });
        },
      ),
    );
  });

  it('reads a bearer token, case-insensitive scheme', () => {
    expect(parseAuthorization('bearer abc.def')).toEqual({ scheme: 'bearer', token: 'abc.def' });
  });

  it('missing → null', () => {
    expect(parseAuthorization(undefined)).toBeNull();
    expect(parseAuthorization('')).toBeNull();
  });
});

describe('requireWriteAccess', () => {
  it('names the setting of a hash scrypt cannot use', () => {
    const auth = { ...AUTH_CONFIG, bearerTokenHash: 'scrypt$1000$8$1$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==' };
    expect(() => requireWriteAccess(auth, true)).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG', configPath: 'http.auth.bearerTokenHash' }),
    );
  });

  it('answers 429 beyond 4 credential checks at once, and lets the 4 through', async () => {
    const guard = requireWriteAccess(AUTH_CONFIG, true);
    const exchanges = Array.from({ length: 5 }, () => fakeExchange(GOOD_BASIC));
    exchanges.forEach(({ req, res, next }) => guard(req, res, next));
    // The fifth was refused at once, while the first four were still hashing.
    expect(exchanges[4].answer.status).toBe(429);
    expect(exchanges[4].answer.body).toEqual({
      error: { code: 'TOO_MANY_ATTEMPTS', message: 'too many credential checks at once: try again' },
    });
    await Promise.all(exchanges.slice(0, 4).map((exchange) => exchange.passedOn));
    expect(exchanges.slice(0, 4).map((exchange) => exchange.answer.status)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    // Slots are freed: a later request is checked again.
    const later = fakeExchange(GOOD_BASIC);
    guard(later.req, later.res, later.next);
    await later.passedOn;
    expect(later.answer.status).toBeUndefined();
  });
});
