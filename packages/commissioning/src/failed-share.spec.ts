import { FAILED_SHARE_LABELS, failedShareLevel } from './index';

describe('failedShareLevel', () => {
  it('is null when nothing was asked, 0 when nothing failed and 4 when everything did', () => {
    expect(failedShareLevel(0, 0)).toBeNull();
    expect(failedShareLevel(0, 240)).toBe(0);
    expect(failedShareLevel(240, 240)).toBe(4);
  });

  it('puts each threshold in the level above it, as the legend says (< 25 %, < 50 %, < 100 %)', () => {
    expect([1, 24, 25, 49, 50, 99].map((failed) => failedShareLevel(failed, 100))).toEqual([
      1, 1, 2, 2, 3, 3,
    ]);
    expect(FAILED_SHARE_LABELS).toEqual(['none', '< 25 %', '< 50 %', '< 100 %', 'all']);
  });
});
