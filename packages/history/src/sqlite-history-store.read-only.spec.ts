import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ManualClock, silentLogger, type Logger } from '@tsbms/hal';
import { RecordingLogger } from '@tsbms/hal/testing';
import { SqliteHistoryStore } from './sqlite-history-store';

/* `readOnly: true`: a support bundle reads the events beside the daemon that writes them. */

let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'tsbms-history-ro-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const T0 = Date.UTC(2026, 11, 5);

const openStore = (file: string, clock: ManualClock, readOnly: boolean, logger: Logger = silentLogger) =>
  SqliteHistoryStore.open({ file, clock, logger, maxBytes: 64 * 1024 * 1024, readOnly });

describe('SqliteHistoryStore, opened read-only', () => {
  it('reads the events a writer flushed while the writer keeps the file open, and writes nothing', async () => {
    const file = path.join(dir, 'history.sqlite');
    const clock = new ManualClock(T0);
    const writer = openStore(file, clock, false);
    writer.addEvent({ atMs: T0 - 2000, kind: 'raise', detail: { kind: 'cellOverVoltage' } });
    writer.addEvent({ atMs: T0 - 1000, kind: 'contactors', detail: { state: 'OPEN' } });
    writer.flush();
    const onDisk = () =>
      [file, `${file}-wal`].map((f) => (existsSync(f) ? readFileSync(f) : Buffer.alloc(0)));
    const before = onDisk();
    const logger = new RecordingLogger();
    const reader = openStore(file, clock, true, logger);
    expect(reader.events(0, T0).map((event) => event.kind)).toEqual(['raise', 'contactors']);
    // Nothing it is handed is ever written, and no flush timer runs.
    reader.addEvent({ atMs: T0, kind: 'clear', detail: {} });
    await clock.advanceByMs(60_000);
    reader.flush();
    reader.close();
    onDisk().forEach((bytes, i) => expect(bytes.equals(before[i])).toBe(true));
    // Not even tried: a write on the read-only connection would have failed with a warning.
    expect(logger.lines).toEqual([]);
    expect(writer.events(0, T0 + 1).map((event) => event.kind)).toEqual(['raise', 'contactors']);
    writer.close();
  });

  it('refuses a file that is not there, and creates none', () => {
    const file = path.join(dir, 'absent.sqlite');
    expect(() => openStore(file, new ManualClock(T0), true)).toThrow();
    expect(existsSync(file)).toBe(false);
  });
});
