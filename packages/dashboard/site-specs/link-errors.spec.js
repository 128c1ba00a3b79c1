import { formatClockTime } from '../site/format.js';
import {
  addressLabel,
  cellText,
  cellTitle,
  columnText,
  failureKindsText,
  heatMapSummary,
  spanText,
} from '../site/link-errors.js';

const MINUTE_MS = 60_000;
const T0_MS = 1_699_999_980_000;

const cell = (counts) => {
  const c = {
    framesOk: 0,
    crcErrors: 0,
    badFrames: 0,
    echoMismatches: 0,
    timeouts: 0,
    noSuchModule: 0,
    retries: 0,
    ...counts,
  };
  const failures = c.crcErrors + c.badFrames + c.echoMismatches + c.timeouts + c.noSuchModule;
  return { ...c, transactions: c.framesOk + failures, failures, level: failures === 0 ? 0 : 1 };
};

/** Three minutes; M2 failed in the first and (more) in the last, M1 and M3 never, M3 not asked at first. */
const REPORT = {
  windowS: 60,
  windowStartsMs: [T0_MS, T0_MS + MINUTE_MS, T0_MS + 2 * MINUTE_MS],
  levels: ['none', '< 25 %', '< 50 %', '< 100 %', 'all'],
  modules: [
    {
      address: 1,
      windows: [cell({ framesOk: 10 }), cell({ framesOk: 10 }), cell({ framesOk: 10 })],
      total: cell({ framesOk: 30 }),
    },
    {
      address: 2,
      windows: [
        cell({ framesOk: 9, crcErrors: 1 }),
        cell({ framesOk: 10 }),
        cell({ framesOk: 7, crcErrors: 2, timeouts: 1, retries: 3 }),
      ],
      total: cell({ framesOk: 26, crcErrors: 3, timeouts: 1, retries: 3 }),
    },
    {
      address: 3,
      windows: [null, cell({ framesOk: 10 }), cell({ framesOk: 10 })],
      total: cell({ framesOk: 20 }),
    },
  ],
};

describe('the heat map in words', () => {
  it('names modules as the module table does, and the loop’s own addresses by what they are', () => {
    expect([1, 62, 0, 63].map(addressLabel)).toEqual(['M1', 'M62', 'unaddressed', 'broadcast']);
  });

  it('says how many failed, their share, and the failures by kind (CRC apart from timeouts), retries last', () => {
    const failing = REPORT.modules[1].total;
    expect(failureKindsText(failing)).toBe('3 CRC errors, 1 timeout, 3 retries');
    expect(cellText(failing)).toBe('4 of 30 failed (13.3 %): 3 CRC errors, 1 timeout, 3 retries');
    expect(cellText(REPORT.modules[0].total)).toBe('0 of 30 failed');
  });

  it('gives each cell its time span as its title, and "not asked" for an empty one', () => {
    const span = `${formatClockTime(T0_MS)}–${formatClockTime(T0_MS + MINUTE_MS)}`;
    expect(cellTitle(REPORT.modules[1].windows[0], T0_MS, 60)).toBe(
      `${span}: 1 of 10 failed (10.0 %): 1 CRC error`,
    );
    expect(cellTitle(null, T0_MS, 60)).toBe(`${span}: not asked`);
  });

  it('says what the columns span', () => {
    expect(spanText(REPORT)).toBe('last 3 min');
    expect(columnText(REPORT)).toBe('one column per minute');
    expect(columnText({ ...REPORT, windowS: 10 })).toBe('one column per 10 s');
  });

  it('sums the map up as its text alternative: the failing modules with their worst window, then the clean ones', () => {
    expect(heatMapSummary(REPORT)).toBe(
      `In the last 3 min: M2: 4 of 30 failed (13.3 %): 3 CRC errors, 1 timeout, 3 retries, most at ${formatClockTime(T0_MS + 2 * MINUTE_MS)}. M1, M3: no failures.`,
    );
    expect(heatMapSummary({ ...REPORT, modules: [] })).toBe('Nothing was asked in the last 3 min.');
  });
});
