import { filter, map, scan, type Observable, type SchedulerLike } from 'rxjs';

/*
 * The dead-man switch: one ping per interval while scans complete. Scans are what prove the BMS
 * alive (a process that runs but no longer scans must look dead), so pings follow the status
 * stream and stop with it; the service at the URL raises the alarm when they stop.
 */

interface PingState {
  readonly lastPingMs: number | null;
  readonly ping: boolean;
}

/** The time of a ping: the first completed scan, then the first scan at least `intervalMs` after the last ping. */
export function heartbeatPings<T>(
  scans$: Observable<T>,
  intervalMs: number,
  scheduler: SchedulerLike,
): Observable<number> {
  return scans$.pipe(
    map(() => scheduler.now()),
    scan<number, PingState>(
      ({ lastPingMs }, nowMs) =>
        lastPingMs === null || nowMs - lastPingMs >= intervalMs
          ? { lastPingMs: nowMs, ping: true }
          : { lastPingMs, ping: false },
      { lastPingMs: null, ping: false },
    ),
    filter((state) => state.ping),
    map((state) => state.lastPingMs ?? 0),
  );
}
