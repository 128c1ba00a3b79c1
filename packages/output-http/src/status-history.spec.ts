import fc from 'fast-check';
import { StatusHistory } from './status-history';
import { statusFixture } from './testing/status-fixture';

const at = (timestampMs: number | null, packVoltageV = 48) =>
  statusFixture({ timestampMs, packVoltageV, socPercent: 50 });

describe('StatusHistory', () => {
  it('keeps one point per interval plus the latest snapshot', () => {
    const history = new StatusHistory({ historyHours: 1, historyIntervalS: 30 });
    [0, 10_000, 29_000, 30_000, 45_000].forEach((t, i) => history.record(at(t, 48 + i)));
    expect(history.points().map((p) => [p.timestampMs, p.packVoltageV])).toEqual([
      [0, 48],
      [30_000, 51],
      [45_000, 52],
    ]);
  });

  it('records a snapshot seen twice once', () => {
    const history = new StatusHistory({ historyHours: 1, historyIntervalS: 30 });
    [0, 0, 40_000, 40_000, 50_000, 50_000].forEach((t) => history.record(at(t)));
    expect(history.points().map((p) => p.timestampMs)).toEqual([0, 40_000, 50_000]);
  });

  it('ignores snapshots before the first scan', () => {
    const history = new StatusHistory({ historyHours: 1, historyIntervalS: 30 });
    history.record(at(null));
    expect(history.points()).toEqual([]);
  });

  it('drops points older than historyHours', () => {
    const history = new StatusHistory({ historyHours: 1, historyIntervalS: 600 });
    for (let t = 0; t <= 3 * 3_600_000; t += 600_000) history.record(at(t));
    const points = history.points();
    expect(points[0].timestampMs).toBe(2 * 3_600_000);
    expect(points.at(-1)?.timestampMs).toBe(3 * 3_600_000);
  });

  it('stays bounded, ordered and within the window whatever the scan times (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 120_000 }), { maxLength: 400 }),
        fc.integer({ min: 1, max: 4 }),
        (steps, hours) => {
          const history = new StatusHistory({ historyHours: hours / 60, historyIntervalS: 10 });
          let t = 0;
          for (const step of steps) {
            t += step;
            history.record(at(t));
          }
          const points = history.points();
          expect(points.length).toBeLessThanOrEqual(history.capacity + 1);
          for (let i = 1; i < points.length; i += 1) {
            expect(points[i].timestampMs).toBeGreaterThanOrEqual(points[i - 1].timestampMs);
          }
          if (points.length > 0) {
            expect(points.at(-1)?.timestampMs).toBe(t);
            expect(t - points[0].timestampMs).toBeLessThanOrEqual((hours / 60) * 3_600_000);
          }
        },
      ),
    );
  });

  it('starts over when the clock goes back', () => {
    const history = new StatusHistory({ historyHours: 1, historyIntervalS: 30 });
    history.record(at(100_000));
    history.record(at(200_000));
    history.record(at(50_000));
    expect(history.points().map((p) => p.timestampMs)).toEqual([50_000]);
  });
});
