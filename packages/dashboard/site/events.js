/*
 * The fault event log shown on the dashboard: GET /api/events merged with the stream's `fault`
 * events. The stream opens before the fetch answers, so one event may arrive both ways.
 */

export const EVENT_LOG_LIMIT = 200;

const eventKey = (e) => JSON.stringify([e.timestampMs, e.type, e.kind, e.level, e.location, e.source]);

/** `log` and `incoming` without duplicates, oldest first, the newest `limit` kept. */
export function mergeEvents(log, incoming, limit = EVENT_LOG_LIMIT) {
  const seen = new Set(log.map(eventKey));
  const merged = log.slice();
  for (const event of incoming) {
    const key = eventKey(event);
    if (seen.has(key)) continue;
    seen.add(key);
    merged.push(event);
  }
  merged.sort((a, b) => a.timestampMs - b.timestampMs);
  return merged.slice(-limit);
}
