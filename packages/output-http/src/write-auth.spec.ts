// The module object itself (not a namespace copy), so a spy sees auth's scrypt calls.
import crypto from 'node:crypto';
import fc from 'fast-check';
import type { NextFunction, Request, Response } from 'express';
import { ManualClock } from '@tsbms/hal';
import { FailedAttemptThrottle } from '@tsbms/credentials';
import { parseAuthorization, requireWriteAccess } from './write-auth';
import { AUTH_CONFIG, GOOD_BASIC, PASSWORD, USERNAME, basicAuth } from './testing/http-harness';

const ATTACKER = '203.0.113.9';

/**
 * Just enough of express's req/res for the middleware: what it answers (status, headers, body),
 * or that it passed on; `settled` resolves on either.
 */
function fakeExchange(authorization: string | undefined, remoteAddress = ATTACKER) {
  const answer: { status?: number; body?: unknown; headers: Record<string, string> } = { headers: {} };
  let settle: () => void = () => undefined;
  const settled = new Promise<void>((resolve) => (settle = resolve));
  const res = {
    setHeader: (name: string, value: string) => (answer.headers[name.toLowerCase()] = value),
    status(code: number) {
      answer.status = code;
      return this;
    },
    json(body: unknown) {
      answer.body = body;
      settle();
      return this;
    },
  } as unknown as Response;
  const req = {
    get: (name: string) => (name === 'authorization' ? authorization : undefined),
    socket: { remoteAddress },
  } as unknown as Request;
  let passed = false;
  const next: NextFunction = () => {
    passed = true;
    settle();
  };
  return { req, res, answer, next, settled, passedOn: settled, passed: () => passed };
}

/** A guard with its own throttle on a manual clock. */
function guardedWrites() {
  const clock = new ManualClock(1_700_000_000_000);
  const guard = requireWriteAccess(AUTH_CONFIG, true, new FailedAttemptThrottle(clock));
  const attempt = async (authorization: string, remoteAddress = ATTACKER) => {
    const exchange = fakeExchange(authorization, remoteAddress);
    guard(exchange.req, exchange.res, exchange.next);
    await exchange.settled;
    return exchange;
  };
  return { clock, guard, attempt };
}

const WRONG_BASIC = basicAuth(USERNAME, 'guess');

describe('parseAuthorization', () => {
  it('round-trips any Basic user (no colon) and password', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).filter((u) => !u.includes(':')),
        fc.string({ minLength: 1 }),
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

  it.each([
    [
      'a NUL in the password',
      basicAuth('admin', 'pw\0'),
      'the password contains the control character U+0000 at position 3',
    ],
    [
      'a line break in the user name',
      basicAuth('ad\nmin', 'pw'),
      'the user name contains the control character U+000A at position 3',
    ],
    [
      'DEL in the password',
      basicAuth('admin', 'p\u007fw'),
      'the password contains the control character U+007F at position 2',
    ],
    [
      'a C1 control in the password',
      basicAuth('admin', 'pw\u0085'),
      'the password contains the control character U+0085 at position 3',
    ],
    ['an empty password', basicAuth('admin', ''), 'the password is empty'],
    ['an empty user name', basicAuth('', 'pw'), 'the user name is empty'],
  ])('refuses Basic credentials with %s, saying which', (_name, header, reason) => {
    expect(parseAuthorization(header)).toBe(`malformed Basic credentials: ${reason}`);
  });

  it('refuses a NUL that lenient base64 decoding adds (a stray "AA" after the credentials)', () => {
    const header = `Basic ${Buffer.from('admin:pw').toString('base64').replace(/=+$/, '')}AA`;
    expect(Buffer.from(header.slice(6), 'base64').toString()).toBe('admin:pw\0');
    expect(parseAuthorization(header)).toBe(
      'malformed Basic credentials: the password contains the control character U+0000 at position 3',
    );
  });

  it.each([
    ['DEL', 'tok\u007f'],
    ['a C1 control (a 0x85 header byte, read as latin1)', 'tok\u0085'],
    ['a C0 control', 'tok\u0001'],
  ])('refuses a bearer token with %s', (_name, token) => {
    expect(parseAuthorization(`Bearer ${token}`)).toMatch(
      /^malformed bearer token: it contains the control character U\+00[0-9A-F]{2} at position 4$/,
    );
  });
});

describe('requireWriteAccess', () => {
  it('names the setting of a hash scrypt cannot use', () => {
    const auth = { ...AUTH_CONFIG, bearerTokenHash: 'scrypt$1000$8$1$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==' };
    expect(() => requireWriteAccess(auth, true, new FailedAttemptThrottle(new ManualClock()))).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG', configPath: 'http.auth.bearerTokenHash' }),
    );
  });

  it('answers 429 beyond 4 credential checks at once, and lets the 4 through', async () => {
    const { guard } = guardedWrites();
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

  it('runs no scrypt check for credentials with a control character', async () => {
    const scrypt = jest.spyOn(crypto, 'scrypt');
    try {
      const { attempt } = guardedWrites();
      const { answer } = await attempt(basicAuth(USERNAME, `${PASSWORD}\0`));
      expect(answer.status).toBe(401);
      expect(scrypt).not.toHaveBeenCalled();
    } finally {
      scrypt.mockRestore();
    }
  });
});

describe('requireWriteAccess: failed attempts back off per client address', () => {
  it('after a wrong password the client waits 1 s: 429 with Retry-After, even with good credentials', async () => {
    const { clock, attempt } = guardedWrites();
    expect((await attempt(WRONG_BASIC)).answer.status).toBe(401);
    const early = await attempt(GOOD_BASIC);
    expect(early.answer.status).toBe(429);
    expect(early.answer.headers['retry-after']).toBe('1');
    expect(early.answer.body).toEqual({
      error: { code: 'TOO_MANY_ATTEMPTS', message: 'too many failed attempts: try again in 1 s' },
    });
    expect(early.passed()).toBe(false);
    await clock.advanceByMs(1000);
    expect((await attempt(GOOD_BASIC)).passed()).toBe(true);
  });

  it('doubles the wait with each failure; a success starts over', async () => {
    const { clock, attempt } = guardedWrites();
    const retryAfter: string[] = [];
    for (let i = 0; i < 4; i++) {
      expect((await attempt(WRONG_BASIC)).answer.status).toBe(401);
      const refused = await attempt(WRONG_BASIC);
      retryAfter.push(refused.answer.headers['retry-after']);
      await clock.advanceByMs(Number(refused.answer.headers['retry-after']) * 1000);
    }
    expect(retryAfter).toEqual(['1', '2', '4', '8']);
    expect((await attempt(`Bearer ${'tok-3f9a1c7e'}`)).passed()).toBe(true);
    await attempt(WRONG_BASIC);
    expect((await attempt(WRONG_BASIC)).answer.headers['retry-after']).toBe('1');
  });

  it('keeps addresses apart: one guessing does not lock out another', async () => {
    const { attempt } = guardedWrites();
    await attempt(WRONG_BASIC);
    expect((await attempt(WRONG_BASIC)).answer.status).toBe(429);
    expect((await attempt(GOOD_BASIC, '192.0.2.50')).passed()).toBe(true);
  });

  it('bounds a guesser to 10 scrypt checks in 10 minutes (a request every second: 600 tries)', async () => {
    const scrypt = jest.spyOn(crypto, 'scrypt');
    try {
      const { clock, attempt } = guardedWrites();
      const statuses = new Map<number, number>();
      for (let elapsedMs = 0; elapsedMs < 10 * 60_000; elapsedMs += 1000) {
        const { answer } = await attempt(WRONG_BASIC);
        statuses.set(answer.status ?? 0, (statuses.get(answer.status ?? 0) ?? 0) + 1);
        await clock.advanceByMs(1000);
      }
      // Checks at 0, 1, 3, 7, 15, 31, 63, 127, 255 and 511 s; the next is due at 811 s.
      expect(scrypt).toHaveBeenCalledTimes(10);
      expect(Object.fromEntries(statuses)).toEqual({ 401: 10, 429: 590 });
    } finally {
      scrypt.mockRestore();
    }
  });
});
