import { EMPTY_LINK_COUNTERS, type LinkCounters } from '@tsbms/commissioning';
import { linkErrorReport } from './link-error-report';
import type { LinkErrorWindows } from './link-error-windows';

const MINUTE_MS = 60_000;
const T0_MS = 1_699_999_980_000;
const counters = (counts: Partial<LinkCounters>): LinkCounters => ({ ...EMPTY_LINK_COUNTERS, ...counts });

/** Three windows of four; module 9 was only asked in a window that is no longer shown. */
const RING: LinkErrorWindows = {
  options: { windowS: 60, windowCount: 4 },
  baseline: null,
  windows: [
    { startMs: T0_MS, perModule: { 9: counters({ timeouts: 5 }) } },
    {
      startMs: T0_MS + 2 * MINUTE_MS,
      perModule: { 2: counters({ framesOk: 4, crcErrors: 1 }), 1: counters({}) },
    },
    {
      startMs: T0_MS + 4 * MINUTE_MS,
      perModule: { 1: counters({ framesOk: 4 }), 2: counters({ timeouts: 4 }) },
    },
  ],
};

describe('linkErrorReport', () => {
  it('lays the windows on the columns ending with the window of now: a column without a sample, or without a transaction, is null', () => {
    const report = linkErrorReport(RING, T0_MS + 4 * MINUTE_MS + 59_999, null);
    expect(report.windowStartsMs.map((startMs) => (startMs - T0_MS) / MINUTE_MS)).toEqual([1, 2, 3, 4]);
    // By address; module 9's window has fallen out of the columns, so it has no row.
    expect(report.modules.map((row) => row.address)).toEqual([1, 2]);
    const [module1, module2] = report.modules;
    expect(module1.windows.map((cell) => cell?.level ?? null)).toEqual([null, null, null, 0]);
    expect(module2.windows.map((cell) => cell?.level ?? null)).toEqual([null, 1, null, 4]);
    expect(module2.total).toMatchObject({
      framesOk: 4,
      crcErrors: 1,
      timeouts: 4,
      transactions: 9,
      failures: 5,
      level: 3,
    });
  });

  it('shows empty columns ending now when the latest sample is older than the columns', () => {
    const report = linkErrorReport(RING, T0_MS + 60 * MINUTE_MS, null);
    expect(report.windowStartsMs.at(-1)).toBe(T0_MS + 60 * MINUTE_MS);
    expect(report.modules).toEqual([]);
  });

  it('has a row only for the addresses it is given (the pack’s modules)', () => {
    const report = linkErrorReport(RING, T0_MS + 4 * MINUTE_MS, [2, 9]);
    expect(report.modules.map((row) => row.address)).toEqual([2]);
  });
});
