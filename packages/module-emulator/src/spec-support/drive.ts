import type { ManualClock } from '@tsbms/hal';

/**
 * Awaits `promise` while moving virtual time forward in `stepMs` steps, as a real clock would
 * while the host waits. Fails if it has not settled within `limitMs`.
 */
export async function drive<T>(
  clock: ManualClock,
  promise: Promise<T>,
  stepMs = 1,
  limitMs = 600_000,
): Promise<T> {
  let settled = false;
  const watched = promise.finally(() => {
    settled = true;
  });
  watched.catch(() => undefined);
  for (let waited = 0; !settled; waited += stepMs) {
    if (waited > limitMs) throw new Error(`not settled within ${limitMs} ms of virtual time`);
    await clock.advanceByMs(stepMs);
  }
  return watched;
}
