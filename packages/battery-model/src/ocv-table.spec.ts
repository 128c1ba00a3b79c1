import fc from 'fast-check';
import { ConfigError } from './config-error';
import { DEFAULT_OCV_TABLE, ocvSocPercent, validateOcvTable, windowSocPercent } from './ocv-table';

describe('OCV table', () => {
  it('hits every table point exactly', () => {
    for (const p of DEFAULT_OCV_TABLE)
      expect(ocvSocPercent(DEFAULT_OCV_TABLE, p.voltageV)).toBe(p.socPercent);
  });

  it('holds the end values outside the table', () => {
    expect(ocvSocPercent(DEFAULT_OCV_TABLE, 2.5)).toBe(0);
    expect(ocvSocPercent(DEFAULT_OCV_TABLE, 4.3)).toBe(100);
  });

  it('is monotonic and stays between the neighbouring points (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 2.9, max: 4.3, noNaN: true }),
        fc.double({ min: 0, max: 0.2, noNaN: true }),
        (v, dv) => {
          const a = ocvSocPercent(DEFAULT_OCV_TABLE, v);
          const b = ocvSocPercent(DEFAULT_OCV_TABLE, v + dv);
          expect(b).toBeGreaterThanOrEqual(a);
          const upper = DEFAULT_OCV_TABLE.find((p) => p.voltageV >= v);
          const lower = [...DEFAULT_OCV_TABLE].reverse().find((p) => p.voltageV <= v);
          if (upper && lower) {
            expect(a).toBeGreaterThanOrEqual(lower.socPercent);
            expect(a).toBeLessThanOrEqual(upper.socPercent);
          }
        },
      ),
    );
  });

  it('B-30: f(3.60) = 34.4 %, f(4.10) = 89.8 %, 3.90 V → 66.0 % → 57.0 % of the window', () => {
    expect(ocvSocPercent(DEFAULT_OCV_TABLE, 3.6)).toBeCloseTo(34.4, 1);
    expect(ocvSocPercent(DEFAULT_OCV_TABLE, 4.1)).toBeCloseTo(89.8, 1);
    expect(ocvSocPercent(DEFAULT_OCV_TABLE, 3.9)).toBeCloseTo(66.0, 1);
    expect(windowSocPercent(DEFAULT_OCV_TABLE, 3.9, 3.6, 4.1)).toBeCloseTo(57.0, 1);
    expect(windowSocPercent(DEFAULT_OCV_TABLE, 3.5, 3.6, 4.1)).toBe(0);
    expect(windowSocPercent(DEFAULT_OCV_TABLE, 4.15, 3.6, 4.1)).toBe(100);
  });

  it('rejects tables that are not monotonic, too short or out of range, naming the point', () => {
    const reject = (table: { voltageV: number; socPercent: number }[]) =>
      rejectionOf(() => validateOcvTable('ocvTable', table));
    expect(reject([{ voltageV: 3, socPercent: 0 }])).toMatchObject({
      code: 'CONFIG_OCV_NOT_MONOTONIC',
      path: 'ocvTable',
    });
    expect(
      reject([
        { voltageV: 3, socPercent: 0 },
        { voltageV: 3, socPercent: 10 },
      ]),
    ).toMatchObject({
      code: 'CONFIG_OCV_NOT_MONOTONIC',
      path: 'ocvTable[1].voltageV',
    });
    expect(
      reject([
        { voltageV: 3, socPercent: 20 },
        { voltageV: 4, socPercent: 10 },
      ]),
    ).toMatchObject({
      code: 'CONFIG_OCV_NOT_MONOTONIC',
      path: 'ocvTable[1].socPercent',
    });
    expect(
      reject([
        { voltageV: 3, socPercent: 0 },
        { voltageV: 4, socPercent: 110 },
      ]),
    ).toMatchObject({
      code: 'CONFIG_OUT_OF_RANGE',
      path: 'ocvTable[1].socPercent',
    });
    expect(
      reject([
        { voltageV: Number.NaN, socPercent: 0 },
        { voltageV: 4, socPercent: 10 },
      ]),
    ).toMatchObject({
      code: 'CONFIG_NOT_A_NUMBER',
      path: 'ocvTable[0].voltageV',
    });
  });

  // Plain JavaScript callers get no type checks: these crashed inside the loop before.
  it.each([
    ['a number', 5, 'ocvTable', 'needs a list of at least 2 points, got number'],
    ['a plain object', {}, 'ocvTable', 'needs a list of at least 2 points, got object'],
    ['null', null, 'ocvTable', 'needs a list of at least 2 points, got null'],
    ['a list with a null point', [{ voltageV: 3, socPercent: 0 }, null], 'ocvTable[1].voltageV', 'must be'],
  ])('rejects %s as a table with a ConfigError naming the path', (_, table, path, reason) => {
    const error = rejectionOf(() => validateOcvTable('ocvTable', table as never));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ path, message: expect.stringContaining(`${path}: ${reason}`) });
  });
});

function rejectionOf(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('accepted');
}
