import * as fc from 'fast-check';
import {
  appendHistoryPoint,
  archivePointsOf,
  HISTORY_RANGES,
  HISTORY_WINDOW_MS,
  MIN_WINDOW_MS,
  shownWindowMs,
  historyPointOf,
  linePath,
  valueRange,
} from '../site/history.js';

const point = (timestampMs, packVoltageV = 350, socPercent = 50) => ({
  timestampMs,
  packVoltageV,
  socPercent,
});
const OPTIONS = { windowMs: 10_000, spacingMs: 1000 };

describe('appendHistoryPoint', () => {
  it('appends a newer point without changing the old array', () => {
    const before = [point(0)];
    const after = appendHistoryPoint(before, point(2000), OPTIONS);
    expect(after).toEqual([point(0), point(2000)]);
    expect(before).toEqual([point(0)]);
  });

  it('ignores a point that is not newer than the last, or has no time', () => {
    const points = [point(0), point(2000)];
    expect(appendHistoryPoint(points, point(2000, 1), OPTIONS)).toBe(points);
    expect(appendHistoryPoint(points, point(1500), OPTIONS)).toBe(points);
    expect(appendHistoryPoint(points, point(null), OPTIONS)).toBe(points);
  });

  it('replaces the newest point while it is closer than the spacing to the one before', () => {
    let points = [point(0), point(2000, 350)];
    points = appendHistoryPoint(points, point(2500, 351), OPTIONS);
    expect(points).toEqual([point(0), point(2000, 350), point(2500, 351)]);
    points = appendHistoryPoint(points, point(2800, 352), OPTIONS);
    expect(points).toEqual([point(0), point(2000, 350), point(2800, 352)]);
  });

  it('drops points older than the window', () => {
    const points = appendHistoryPoint([point(0), point(5000)], point(12_000), OPTIONS);
    expect(points.map((p) => p.timestampMs)).toEqual([5000, 12_000]);
  });

  it('stays ordered, inside the window and bounded by the spacing, whatever the snapshots', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -500, max: 3000 }), { maxLength: 200 }), (steps) => {
        let t = 0;
        let points = [];
        for (const step of steps) {
          t += step;
          points = appendHistoryPoint(points, point(t), OPTIONS);
        }
        const times = points.map((p) => p.timestampMs);
        for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1]);
        // Only the newest may sit closer than the spacing to its neighbour.
        for (let i = 1; i < times.length - 1; i++)
          expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(OPTIONS.spacingMs);
        if (times.length > 0)
          expect(times[times.length - 1] - times[0]).toBeLessThanOrEqual(OPTIONS.windowMs);
        expect(times.length).toBeLessThanOrEqual(OPTIONS.windowMs / OPTIONS.spacingMs + 2);
      }),
    );
  });

  it('defaults to 24 hours', () => {
    expect(HISTORY_WINDOW_MS).toBe(86_400_000);
    const points = appendHistoryPoint([point(0), point(HISTORY_WINDOW_MS / 2)], point(HISTORY_WINDOW_MS + 1));
    expect(points.map((p) => p.timestampMs)).toEqual([HISTORY_WINDOW_MS / 2, HISTORY_WINDOW_MS + 1]);
  });
});

describe('historyPointOf', () => {
  it('takes the time, pack voltage and SoC of a snapshot', () => {
    expect(historyPointOf({ timestampMs: 5, packVoltageV: 360.5, socPercent: 71, modules: [] })).toEqual(
      point(5, 360.5, 71),
    );
  });
});

describe('valueRange', () => {
  it('spans the known values with a margin and ignores unknown ones', () => {
    const range = valueRange([350, null, 370]);
    expect(range.min).toBeLessThan(350);
    expect(range.max).toBeGreaterThan(370);
  });

  it('is never flat and falls back when nothing is known', () => {
    const flat = valueRange([350, 350]);
    expect(flat.max - flat.min).toBeGreaterThan(0);
    expect(valueRange([null], { fallback: { min: 1, max: 2 } })).toEqual({ min: 1, max: 2 });
  });
});

describe('linePath', () => {
  const box = { endMs: 10_000, windowMs: 10_000, width: 100, height: 50, range: { min: 0, max: 100 } };

  it('maps time to x and value to y, y growing downwards', () => {
    expect(linePath([point(0, 0), point(5000, 50), point(10_000, 100)], (p) => p.packVoltageV, box)).toBe(
      'M0 50 L50 25 L100 0',
    );
  });

  it('breaks the line at an unknown value and leaves out points before the window', () => {
    const points = [point(-1000, 10), point(1000, 10), point(2000, null), point(3000, 20), point(4000, 20)];
    expect(linePath(points, (p) => p.packVoltageV, box)).toBe('M10 45 M30 40 L40 40');
  });

  it('is empty without points', () => {
    expect(linePath([], (p) => p.socPercent, box)).toBe('');
  });
});

describe('the history file as chart points', () => {
  it('each row at its bucket start with its mean pack voltage and SoC; an unknown series is a gap', () => {
    expect(
      archivePointsOf([
        {
          startMs: 0,
          series: { packVoltageV: { min: 47, max: 49, mean: 48 }, socPercent: { min: 1, max: 3, mean: 2 } },
        },
        { startMs: 60_000, series: { packVoltageV: null, socPercent: null } },
      ]),
    ).toEqual([
      { timestampMs: 0, packVoltageV: 48, socPercent: 2 },
      { timestampMs: 60_000, packVoltageV: null, socPercent: null },
    ]);
  });

  it('each range reads a tier that gives it at most a few thousand points', () => {
    const bucketMs = { '10s': 10_000, '1min': 60_000, '15min': 900_000 };
    for (const { windowMs, tier } of Object.values(HISTORY_RANGES)) {
      expect(windowMs / bucketMs[tier]).toBeLessThanOrEqual(3000);
      expect(windowMs / bucketMs[tier]).toBeGreaterThanOrEqual(96);
    }
  });
});

describe('shownWindowMs', () => {
  it('the range when the points fill it; their span when they cover less; never under a minute', () => {
    const hour = 3_600_000;
    expect(shownWindowMs([point(0), point(2 * hour)], hour)).toBe(hour);
    expect(shownWindowMs([point(0), point(600_000)], hour)).toBe(600_000);
    expect(shownWindowMs([point(0), point(1000)], hour)).toBe(MIN_WINDOW_MS);
    expect(shownWindowMs([], hour)).toBe(hour);
  });
});
