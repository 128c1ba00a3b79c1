import { distinctUntilChanged, filter, map, share, Subscription } from 'rxjs';
import type { BmsStatus, OutputContext } from '@tsbms/bms-core';
import { DEFAULT_HISTORY_TIERS, downsampleTo, type HistoryRow, type HistoryTier } from './downsample';
import { historySampleOf, type HistorySample } from './history-sample';
import type { HistoryEvent } from './sqlite-history-store';

/** Where the recorder puts what it makes (SqliteHistoryStore, or a test's list). */
export interface HistoryWriter {
  /** Each scan, for the scan ring. */
  addScan(sample: HistorySample): void;
  addRow(row: HistoryRow): void;
  addEvent(event: HistoryEvent): void;
}

/** What the recorder reads: a core's status snapshots and fault events, as an OutputContext has them. */
export type HistorySources = Pick<OutputContext<unknown>, 'status$' | 'faultEvents$'>;

/**
 * Records the history: every scan as it is (the scan ring) and downsampled into each tier's rows, every fault event, and every
 * change of the contactors' state, into `writer`. Unsubscribing stops it; a bucket still open
 * then is not written (its row would hold part of the bucket).
 */
export function recordHistory(
  sources: HistorySources,
  writer: HistoryWriter,
  tiers: readonly HistoryTier[] = DEFAULT_HISTORY_TIERS,
): Subscription {
  const samples$ = sources.status$.pipe(
    map(historySampleOf),
    filter((sample): sample is HistorySample => sample !== null),
    share(),
  );
  const recording = new Subscription();
  recording.add(samples$.subscribe((sample) => writer.addScan(sample)));
  for (const tier of tiers)
    recording.add(samples$.pipe(downsampleTo(tier)).subscribe((row) => writer.addRow(row)));
  recording.add(
    sources.faultEvents$.subscribe((event) =>
      writer.addEvent({
        atMs: event.timestampMs,
        kind: event.type,
        detail: {
          kind: event.kind,
          level: event.level,
          location: event.location,
          value: event.value,
          latched: event.latched,
          source: event.source,
          ...(event.detail === undefined ? {} : { detail: event.detail }),
          ...(event.reason === undefined ? {} : { reason: event.reason }),
        },
      }),
    ),
  );
  recording.add(
    sources.status$
      .pipe(
        filter((status): status is BmsStatus & { timestampMs: number } => status.timestampMs !== null),
        distinctUntilChanged((a, b) => a.contactors.state === b.contactors.state),
      )
      .subscribe((status) =>
        writer.addEvent({
          atMs: status.timestampMs,
          kind: 'contactors',
          detail: {
            state: status.contactors.state,
            // The sequence keeps the last opening's reason while it closes again: news only when OPEN.
            openReason: status.contactors.state === 'OPEN' ? status.contactors.openReason : null,
          },
        }),
      ),
  );
  return recording;
}
