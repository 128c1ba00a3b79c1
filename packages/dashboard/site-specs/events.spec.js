import { mergeEvents } from '../site/events.js';

const event = (timestampMs, type = 'raise', cellIndex = 0) => ({
  type,
  timestampMs,
  kind: 'cellOverVoltage',
  level: 'fault',
  location: { moduleAddress: 1, cellIndex },
  value: 4.2,
  source: 'engine',
  latched: false,
});

describe('mergeEvents', () => {
  it('keeps one copy of an event that came both from the fetch and the stream', () => {
    const live = [event(2000)];
    const fetched = [event(1000), event(2000)];
    expect(mergeEvents(live, fetched)).toEqual([event(1000), event(2000)]);
  });

  it('keeps distinct events of the same time apart', () => {
    const merged = mergeEvents([event(1000, 'raise', 0)], [event(1000, 'raise', 1), event(1000, 'clear', 0)]);
    expect(merged).toHaveLength(3);
  });

  it('orders by time and keeps only the newest `limit`', () => {
    const merged = mergeEvents([event(5000), event(1000)], [event(3000), event(4000), event(2000)], 3);
    expect(merged.map((e) => e.timestampMs)).toEqual([3000, 4000, 5000]);
  });

  it('does not modify its inputs', () => {
    const log = [event(2000)];
    mergeEvents(log, [event(1000)]);
    expect(log).toEqual([event(2000)]);
  });
});
