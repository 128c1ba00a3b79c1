import fc from 'fast-check';
import { reconnectDelayMs, validateReconnectPolicy } from './reconnect-policy';

const policyArb = fc
  .tuple(fc.integer({ min: 1, max: 60_000 }), fc.integer({ min: 0, max: 600_000 }))
  .map(([initialDelayMs, extraMs]) => ({ initialDelayMs, maxDelayMs: initialDelayMs + extraMs }));

describe('reconnectDelayMs', () => {
  it('doubles from the initial delay and stops at the ceiling', () => {
    const policy = { initialDelayMs: 100, maxDelayMs: 1000 };
    expect([0, 1, 2, 3, 4, 5, 60].map((n) => reconnectDelayMs(policy, n))).toEqual([
      100, 200, 400, 800, 1000, 1000, 1000,
    ]);
  });

  it('stays within [initial, max] and never shrinks as failures accumulate', () => {
    fc.assert(
      fc.property(policyArb, fc.integer({ min: 0, max: 2000 }), (policy, failures) => {
        const delay = reconnectDelayMs(policy, failures);
        const next = reconnectDelayMs(policy, failures + 1);
        expect(delay).toBeGreaterThanOrEqual(policy.initialDelayMs);
        expect(delay).toBeLessThanOrEqual(policy.maxDelayMs);
        expect(next).toBeGreaterThanOrEqual(delay);
        expect(next === policy.maxDelayMs || next === 2 * delay).toBe(true);
      }),
    );
  });
});

describe('validateReconnectPolicy', () => {
  it('accepts a sane policy and freezes it', () => {
    const policy = validateReconnectPolicy({ initialDelayMs: 250, maxDelayMs: 30_000 });
    expect(policy).toEqual({ initialDelayMs: 250, maxDelayMs: 30_000 });
    expect(Object.isFrozen(policy)).toBe(true);
  });

  it.each([
    [{ initialDelayMs: 0, maxDelayMs: 1000 }, /initialDelayMs must be a positive number/],
    [{ initialDelayMs: -5, maxDelayMs: 1000 }, /initialDelayMs must be a positive number/],
    [{ initialDelayMs: Number.NaN, maxDelayMs: 1000 }, /initialDelayMs must be a positive number/],
    [{ initialDelayMs: 500, maxDelayMs: 499 }, /maxDelayMs must be at least initialDelayMs \(500\)/],
    [{ initialDelayMs: 500, maxDelayMs: Infinity }, /maxDelayMs must be at least/],
  ])('rejects %o', (policy, message) => {
    expect(() => validateReconnectPolicy(policy)).toThrow(message);
  });
});
