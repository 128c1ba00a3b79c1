import fc from 'fast-check';
import { reconnectDelayMs } from './reconnect-backoff';

describe('reconnectDelayMs', () => {
  it('doubles from the initial delay and stops at the cap', () => {
    const bounds = { initialDelayS: 1, maxDelayS: 60 };
    expect([1, 2, 3, 4, 5, 6, 7, 8, 1000].map((n) => reconnectDelayMs(n, bounds))).toEqual([
      1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000,
    ]);
  });

  it('property: never below the initial delay, never above the cap, never decreasing', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 100, noNaN: true }),
        fc.double({ min: 1, max: 1000, noNaN: true }),
        fc.integer({ min: 1, max: 5000 }),
        (initialDelayS, factor, failures) => {
          const bounds = { initialDelayS, maxDelayS: initialDelayS * factor };
          const delay = reconnectDelayMs(failures, bounds);
          expect(delay).toBeGreaterThanOrEqual(initialDelayS * 1000 - 1e-6);
          expect(delay).toBeLessThanOrEqual(bounds.maxDelayS * 1000 + 1e-6);
          expect(reconnectDelayMs(failures + 1, bounds)).toBeGreaterThanOrEqual(delay);
        },
      ),
    );
  });
});
