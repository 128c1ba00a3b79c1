import { existsSync } from 'node:fs';
import { SqliteHistoryStore } from '@tsbms/history';
import { silentLogger, type Clock } from '@tsbms/hal';
import { errorMessage } from '../config';
import { RuntimeStateFile } from '../supervisor/runtime-state-file';
import { notIncluded, type BundlePart, type EventList } from './bundle-input';
import { historyPart } from './bundle-parts';

/*
 * What `npm run support-bundle` reads from the files beside the configuration when no daemon is
 * asked, or beside its answers: the state file and the history file's events. Both are only
 * read: the history is opened read-only (a running daemon keeps writing it).
 */

/** The state file's content for status.json's `savedState`, or why there is none. */
export function savedStateOf(stateFile: string, clock: Clock): unknown {
  const load = new RuntimeStateFile(stateFile, silentLogger, clock).load();
  if (load.kind === 'loaded') return { file: stateFile, state: load.state };
  if (load.kind === 'firstStart') return { file: stateFile, notIncluded: 'there is no state file yet' };
  return { file: stateFile, notIncluded: `the state file cannot be used: ${load.reason}` };
}

/** The history file's recent events, read through a read-only SqliteHistoryStore. */
export function historyFileEvents(file: string, clock: Clock): BundlePart<EventList> {
  if (!existsSync(file)) return notIncluded(`there is no history file (${file})`);
  let store: SqliteHistoryStore;
  try {
    store = SqliteHistoryStore.open({ file, clock, logger: silentLogger, maxBytes: 1, readOnly: true });
  } catch (error) {
    return notIncluded(`the history file ${file} cannot be read: ${errorMessage(error)}`);
  }
  try {
    return historyPart(store, `the history file ${file}`, clock.now());
  } finally {
    store.close();
  }
}
