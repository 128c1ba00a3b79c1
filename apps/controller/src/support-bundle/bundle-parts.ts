import { errorMessage } from '../config';
import {
  HISTORY_EVENT_WINDOW_MS,
  included,
  notIncluded,
  type BundlePart,
  type EventList,
} from './bundle-input';
import { readRecordingTail, type RecordingTail } from './recording-tail';

/** What a bundle reads of a history: its events in a range (SqliteHistoryStore, HistoryArchive). */
export interface HistoryEventSource {
  events(fromMs: number, toMs: number): readonly unknown[];
}

/** The tail of `recordFile`, or why there is none. */
export function recordingPart(
  recordFile: string | null,
): BundlePart<{ readonly file: string; readonly tail: RecordingTail }> {
  if (recordFile === null) return notIncluded('recordFile is not set, so no readings are recorded');
  try {
    const tail = readRecordingTail(recordFile);
    return tail.lines === 0
      ? notIncluded(`the recording ${recordFile} holds no scans yet`)
      : included({ file: recordFile, tail });
  } catch (error) {
    return notIncluded(`the recording ${recordFile} cannot be read: ${errorMessage(error)}`);
  }
}

/**
 * The history's events of the last HISTORY_EVENT_WINDOW_MS, or why there are none; `source` says
 * which history for people (`the history file /var/lib/tsbms/bms.yaml.history.sqlite`).
 */
export function historyPart(
  history: HistoryEventSource | null,
  source: string,
  nowMs: number,
): BundlePart<EventList> {
  if (history === null) return notIncluded('there is no history file');
  try {
    return included({
      source,
      events: history.events(nowMs - HISTORY_EVENT_WINDOW_MS, nowMs + 60_000),
    });
  } catch (error) {
    return notIncluded(`${source} cannot be read: ${errorMessage(error)}`);
  }
}

/** A value the daemon may not have yet (status() throws while no core has started). */
export function livePart<T>(read: () => T | null, absent: string): BundlePart<T> {
  try {
    const value = read();
    return value === null ? notIncluded(absent) : included(value);
  } catch (error) {
    return notIncluded(errorMessage(error));
  }
}
