import { existsSync, renameSync } from 'node:fs';
import type BetterSqlite3 from 'better-sqlite3';
import { interval, Subscription } from 'rxjs';
import { errorMessage, type Clock, type Logger } from '@tsbms/hal';
import { DEFAULT_HISTORY_TIERS, SCAN_RING, scanRowOf, type HistoryRow, type HistoryTier } from './downsample';
import type { HistorySample } from './history-sample';

/*
 * The history on disk: a short ring of single scans, downsampled rows and the event log in one
 * SQLite file (better-sqlite3).
 * Writes are buffered and go out as one transaction per flush interval (an SD card wears with
 * every write); WAL mode, so a killed process loses at most the rows not yet flushed. The file is
 * kept under a size bound by deleting the oldest rows, finest tier first. A file that is not a
 * database is set aside and a new one started, with a warning.
 */

/** A fault or state change, kept with the rows. */
export interface HistoryEvent {
  readonly atMs: number;
  /** What happened: `raise`, `clear`, `acknowledge`, `contactors`, … */
  readonly kind: string;
  readonly detail: Readonly<Record<string, unknown>>;
}

export interface SqliteHistoryStoreOptions {
  readonly file: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The file stays under this many bytes (the oldest rows go first, finest tier first). */
  readonly maxBytes: number;
  /** At most one write transaction this often; default 5 s. */
  readonly flushIntervalS?: number;
  readonly tiers?: readonly HistoryTier[];
  /**
   * How long single scans are kept at full resolution (the scan ring, finer than the finest tier:
   * what the last minutes before a fault looked like); default 10 minutes, 0 keeps none.
   */
  readonly scanRingMs?: number;
  /**
   * The tiers whose rows keep per-cell statistics; default the 10 s and 1 min tiers. Per-cell
   * statistics of a 96-cell pack are ~6 KB a row: for ten years of 15 min rows, half a gigabyte.
   */
  readonly cellTiers?: readonly string[];
  /**
   * Opens an existing file to read only (a support bundle made beside the running daemon): the
   * file must exist, and nothing is created, written, trimmed or set aside; no flush timer runs.
   */
  readonly readOnly?: boolean;
}

/**
 * Numbers are stored to 4 decimals: 0.1 mV, 0.1 mA, 0.0001 % — finer than any sensor here (a
 * cell's ADC step is 0.38 mV), and a 24-cell row is then about half the size of full doubles.
 */
function storedNumber(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isInteger(value) ? Math.round(value * 1e4) / 1e4 : value;
}

/** SQLite's result codes for a file that is not, or no longer, a database. */
const UNREADABLE_CODES = new Set(['SQLITE_NOTADB', 'SQLITE_CORRUPT']);

/** Each pass of the size bound deletes this share of the oldest rows of a tier. */
const TRIM_SHARE = 0.05;

type Database = BetterSqlite3.Database;

const SCHEMA = `
  -- A rowid table: rows of a few kilobytes pack badly into a WITHOUT ROWID b-tree (3x the file).
  CREATE TABLE IF NOT EXISTS rows (
    tier TEXT NOT NULL,
    start_ms INTEGER NOT NULL,
    data TEXT NOT NULL,
    UNIQUE (tier, start_ms)
  );
  CREATE TABLE IF NOT EXISTS scans (at_ms INTEGER PRIMARY KEY, data TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS events (at_ms INTEGER NOT NULL, kind TEXT NOT NULL, detail TEXT NOT NULL);
  CREATE INDEX IF NOT EXISTS events_at ON events (at_ms);
`;

/** The default scan ring: ten minutes of single scans. */
export const DEFAULT_SCAN_RING_MS = 600_000;

/** The statements the store runs, prepared once per connection. */
function statementsOf(db: Database) {
  return {
    putRow: db.prepare('INSERT OR REPLACE INTO rows (tier, start_ms, data) VALUES (?, ?, ?)'),
    putScan: db.prepare('INSERT OR REPLACE INTO scans (at_ms, data) VALUES (?, ?)'),
    putEvent: db.prepare('INSERT INTO events (at_ms, kind, detail) VALUES (?, ?, ?)'),
    expireRows: db.prepare('DELETE FROM rows WHERE tier = ? AND start_ms < ?'),
    expireScans: db.prepare('DELETE FROM scans WHERE at_ms < ?'),
    rowsIn: db.prepare(
      'SELECT data FROM rows WHERE tier = ? AND start_ms >= ? AND start_ms < ? ORDER BY start_ms',
    ),
    scansIn: db.prepare('SELECT data FROM scans WHERE at_ms >= ? AND at_ms < ? ORDER BY at_ms'),
    eventsIn: db.prepare(
      'SELECT at_ms, kind, detail FROM events WHERE at_ms >= ? AND at_ms < ? ORDER BY at_ms, rowid',
    ),
    rowCounts: db.prepare('SELECT tier, count(*) AS n FROM rows GROUP BY tier'),
    scanCount: db.prepare('SELECT count(*) AS n FROM scans'),
    tierCount: db.prepare('SELECT count(*) AS n FROM rows WHERE tier = ?'),
    eventCount: db.prepare('SELECT count(*) AS n FROM events'),
    trimScans: db.prepare(
      'DELETE FROM scans WHERE at_ms IN (SELECT at_ms FROM scans ORDER BY at_ms LIMIT ?)',
    ),
    trimRows: db.prepare(
      'DELETE FROM rows WHERE tier = ? AND start_ms IN (SELECT start_ms FROM rows WHERE tier = ? ORDER BY start_ms LIMIT ?)',
    ),
    trimEvents: db.prepare(
      'DELETE FROM events WHERE rowid IN (SELECT rowid FROM events ORDER BY at_ms LIMIT ?)',
    ),
  };
}

/** What the size bound trims, finest first. */
type TrimTarget =
  | { readonly kind: 'scans' }
  | { readonly kind: 'rows'; readonly tier: string }
  | { readonly kind: 'events' };

export class SqliteHistoryStore {
  private readonly db: Database;
  private readonly statements: ReturnType<typeof statementsOf>;
  private readonly tierSpecs: readonly HistoryTier[];
  private readonly scanRingMs: number;
  private readonly cellTiers: ReadonlySet<string>;
  private pendingRows: HistoryRow[] = [];
  private pendingScans: HistorySample[] = [];
  private pendingEvents: HistoryEvent[] = [];
  private readonly flushing: Subscription;
  private closed = false;

  private constructor(
    private readonly options: SqliteHistoryStoreOptions,
    db: Database,
  ) {
    this.db = db;
    this.statements = statementsOf(db);
    this.tierSpecs = options.tiers ?? DEFAULT_HISTORY_TIERS;
    this.scanRingMs = options.scanRingMs ?? DEFAULT_SCAN_RING_MS;
    this.cellTiers = new Set(options.cellTiers ?? this.tierSpecs.slice(0, 2).map((tier) => tier.name));
    this.flushing =
      options.readOnly === true
        ? Subscription.EMPTY
        : interval((options.flushIntervalS ?? 5) * 1000, options.clock).subscribe(() => this.flush());
  }

  /** Opens (or creates) the file; one that is not a database is renamed aside and started anew. */
  static open(options: SqliteHistoryStoreOptions): SqliteHistoryStore {
    return new SqliteHistoryStore(
      options,
      options.readOnly === true
        ? openReadOnly(options.file)
        : openDatabase(options.file, options.clock, options.logger),
    );
  }

  /** A completed row; written at the next flush. */
  addRow(row: HistoryRow): void {
    if (this.closed) return;
    this.pendingRows.push(this.cellTiers.has(row.tier) ? row : { ...row, cellsV: {} });
  }

  /** A single scan for the scan ring; written at the next flush (none when the ring is off). */
  addScan(sample: HistorySample): void {
    if (!this.closed && this.scanRingMs > 0) this.pendingScans.push(sample);
  }

  addEvent(event: HistoryEvent): void {
    if (!this.closed) this.pendingEvents.push(event);
  }

  /** What waits for the next flush. */
  pending(): { readonly rows: number; readonly scans: number; readonly events: number } {
    return {
      rows: this.pendingRows.length,
      scans: this.pendingScans.length,
      events: this.pendingEvents.length,
    };
  }

  /**
   * Writes what waits in one transaction, deletes rows past their tier's retention, then keeps the
   * file under the size bound. A failed write is logged and the batch dropped: the history never
   * stops the BMS.
   */
  flush(): void {
    if (this.closed || this.options.readOnly === true) return;
    const batch = { rows: this.pendingRows, scans: this.pendingScans, events: this.pendingEvents };
    this.pendingRows = [];
    this.pendingScans = [];
    this.pendingEvents = [];
    const nowMs = this.options.clock.now();
    try {
      this.write(batch, nowMs);
      this.keepUnderBound();
    } catch (error) {
      const { rows, scans, events } = batch;
      this.options.logger.warn(
        {
          event: 'history',
          error: errorMessage(error),
          rows: rows.length,
          scans: scans.length,
          events: events.length,
        },
        `history: ${rows.length} row(s), ${scans.length} scan(s) and ${events.length} event(s) not written: ${errorMessage(error)}`,
      );
    }
  }

  /**
   * The rows of `tier` (or of the scan ring, `scan`) whose bucket starts in [fromMs, toMs), oldest
   * first; those not yet flushed too.
   */
  rows(tier: string, fromMs: number, toMs: number): HistoryRow[] {
    const inRange = (startMs: number) => startMs >= fromMs && startMs < toMs;
    const found =
      tier === SCAN_RING
        ? [
            ...(this.statements.scansIn.all(fromMs, toMs) as { data: string }[]).map((scan) =>
              scanRowOf(JSON.parse(scan.data) as HistorySample),
            ),
            ...this.pendingScans.filter((sample) => inRange(sample.atMs)).map(scanRowOf),
          ]
        : [
            ...(this.statements.rowsIn.all(tier, fromMs, toMs) as { data: string }[]).map(
              (row) => JSON.parse(row.data) as HistoryRow,
            ),
            ...this.pendingRows.filter((row) => row.tier === tier && inRange(row.startMs)),
          ];
    // A row waiting for the flush replaces the one on disk with the same start.
    const byStart = new Map(found.map((row) => [row.startMs, row]));
    return [...byStart.values()].sort((a, b) => a.startMs - b.startMs);
  }

  /** The events in [fromMs, toMs), oldest first; those not yet flushed too. */
  events(fromMs: number, toMs: number): HistoryEvent[] {
    const found = this.statements.eventsIn.all(fromMs, toMs) as {
      at_ms: number;
      kind: string;
      detail: string;
    }[];
    const pending = this.pendingEvents.filter((event) => event.atMs >= fromMs && event.atMs < toMs);
    return [
      ...found.map((event) => ({ atMs: event.at_ms, kind: event.kind, detail: JSON.parse(event.detail) })),
      ...pending,
    ].sort((a, b) => a.atMs - b.atMs);
  }

  /**
   * What it keeps, finest first: the scan ring (`scan`, bucket 0: each scan its own row) when it
   * is on, then the tiers.
   */
  tiers(): readonly HistoryTier[] {
    return this.scanRingMs > 0
      ? [{ name: SCAN_RING, bucketMs: 0, retentionMs: this.scanRingMs }, ...this.tierSpecs]
      : this.tierSpecs;
  }

  /** Row count per tier, and the scan ring's as `scan` (when it holds any). */
  rowCounts(): Readonly<Record<string, number>> {
    const counts = this.statements.rowCounts.all() as { tier: string; n: number }[];
    const scans = (this.statements.scanCount.get() as { n: number }).n;
    return Object.fromEntries([
      ...(scans > 0 ? [[SCAN_RING, scans] as const] : []),
      ...counts.map(({ tier, n }) => [tier, n] as const),
    ]);
  }

  /** The database's pages in use, in bytes (the WAL beside it is bounded by SQLite's checkpoints). */
  sizeBytes(): number {
    const pageSize = this.db.pragma('page_size', { simple: true }) as number;
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    return pageSize * pages;
  }

  /** Writes what waits, then closes the file. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.flushing.unsubscribe();
    this.db.close();
  }

  private write(
    batch: {
      readonly rows: readonly HistoryRow[];
      readonly scans: readonly HistorySample[];
      readonly events: readonly HistoryEvent[];
    },
    nowMs: number,
  ): void {
    const { putRow, putScan, putEvent, expireRows, expireScans } = this.statements;
    this.db.transaction(() => {
      for (const row of batch.rows) putRow.run(row.tier, row.startMs, JSON.stringify(row, storedNumber));
      for (const scan of batch.scans) putScan.run(scan.atMs, JSON.stringify(scan, storedNumber));
      for (const event of batch.events) putEvent.run(event.atMs, event.kind, JSON.stringify(event.detail));
      for (const tier of this.tierSpecs) expireRows.run(tier.name, nowMs - tier.retentionMs);
      expireScans.run(nowMs - this.scanRingMs);
    })();
  }

  /** Deletes the oldest scans, then rows finest tier first, then the oldest events, until the file fits. */
  private keepUnderBound(): void {
    const { maxBytes } = this.options;
    this.db.pragma('incremental_vacuum');
    const targets: TrimTarget[] = [
      { kind: 'scans' },
      ...this.tierSpecs.map((tier) => ({ kind: 'rows' as const, tier: tier.name })),
      { kind: 'events' },
    ];
    for (const target of targets) {
      while (this.sizeBytes() > maxBytes && this.trimOldest(target)) this.db.pragma('incremental_vacuum');
    }
    if (this.sizeBytes() > maxBytes) {
      this.options.logger.warn(
        { event: 'history', maxBytes, sizeBytes: this.sizeBytes() },
        `history: the file is empty of rows and still above its bound of ${maxBytes} bytes`,
      );
    }
  }

  /** Deletes the oldest share of what `target` holds; false when it held nothing. */
  private trimOldest(target: TrimTarget): boolean {
    const { scanCount, tierCount, eventCount, trimScans, trimRows, trimEvents } = this.statements;
    const count = (
      target.kind === 'scans'
        ? scanCount.get()
        : target.kind === 'rows'
          ? tierCount.get(target.tier)
          : eventCount.get()
    ) as { n: number };
    if (count.n === 0) return false;
    const n = Math.max(1, Math.ceil(count.n * TRIM_SHARE));
    if (target.kind === 'scans') trimScans.run(n);
    else if (target.kind === 'rows') trimRows.run(target.tier, target.tier, n);
    else trimEvents.run(n);
    return true;
  }
}

/** Opens an existing `file` read-only, as it is: no schema, no pragma that writes. */
function openReadOnly(file: string): Database {
  const Sqlite = require('better-sqlite3') as typeof BetterSqlite3;
  return new Sqlite(file, { readonly: true, fileMustExist: true });
}

/** Opens `file` with the schema; a file SQLite cannot read is set aside (FILE.unreadable-<time>). */
function openDatabase(file: string, clock: Clock, logger: Logger): Database {
  // Loaded on first use: a controller without a history file never loads the native module.
  const Sqlite = require('better-sqlite3') as typeof BetterSqlite3;
  try {
    return prepared(new Sqlite(file));
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string' || !UNREADABLE_CODES.has(code)) throw error;
    const aside = `${file}.unreadable-${new Date(clock.now()).toISOString().replace(/[:.]/g, '-')}`;
    renameSync(file, aside);
    for (const suffix of ['-wal', '-shm']) {
      if (existsSync(file + suffix)) renameSync(file + suffix, aside + suffix);
    }
    logger.warn(
      { event: 'history', file, aside, code },
      `history: ${file} is not a readable database (${code}): kept as ${aside}, a new history starts`,
    );
    return prepared(new Sqlite(file));
  }
}

function prepared(db: Database): Database {
  try {
    // Before any table: the file can then give deleted pages back (the size bound).
    db.pragma('auto_vacuum = INCREMENTAL');
    db.pragma('journal_mode = WAL');
    // WAL + NORMAL: a committed transaction survives a killed process (only a power cut may lose it).
    db.pragma('synchronous = NORMAL');
    db.exec(SCHEMA);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
