import { systemClock } from '@tsbms/hal';
import { SqliteHistoryStore } from '../sqlite-history-store';
import { historyRow } from './history-rows';

/*
 * The child of the kill -9 test: writes a 10 s row every millisecond-ish, flushing every 50 ms,
 * and after every flush prints how many rows are on disk by then. The parent kills it with
 * SIGKILL in the middle of this and checks what the file kept.
 */
const [file] = process.argv.slice(2);
const logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const store = SqliteHistoryStore.open({
  file,
  clock: systemClock,
  logger,
  maxBytes: 64 * 1024 * 1024,
  flushIntervalS: 0.05,
});
let written = 0;
let next = Date.now() - (Date.now() % 10_000) - 3_600_000;
const flushed = () => {
  store.flush();
  process.stdout.write(`flushed ${written}\n`);
};
setInterval(() => {
  for (let i = 0; i < 20; i++) {
    store.addRow(historyRow('10s', next));
    next += 10_000;
    written += 1;
  }
}, 1);
setInterval(flushed, 50);
