import { filter, map, scan, type Observable, type SchedulerLike } from 'rxjs';
import { networkErrorText } from '@tsbms/hal';

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

/** A ping that takes longer counts as failed; the next one comes an interval later. */
const PING_TIMEOUT_MS = 10_000;

/**
 * One ping of the heartbeat URL (a POST, which healthchecks.io and Uptime Kuma take like a GET):
 * null when it was taken, else what went wrong. Never the URL: it is a secret.
 */
export async function pingHeartbeat(url: string, fetch: typeof globalThis.fetch): Promise<string | null> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      body: 'tsBMS scans',
      signal: AbortSignal.timeout(PING_TIMEOUT_MS),
    });
    return response.ok ? null : `HTTP ${response.status}`;
  } catch (error) {
    return networkErrorText(error);
  }
}
