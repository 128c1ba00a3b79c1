import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { ManualClock } from '@tsbms/hal';
import { RecordingLogger } from '@tsbms/hal/testing';
import { DEFAULT_HISTORY_TIERS } from './downsample';
import { SqliteHistoryStore } from './sqlite-history-store';
import { historyRow, historySample } from './spec-support/history-rows';

/* The store on real SQLite files in a temporary folder; its own timers in virtual time. */

let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'tsbms-history-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const T0 = Date.UTC(2026, 11, 5);
const MiB = 1024 * 1024;

function open(options: { maxBytes?: number; clock?: ManualClock; scanRingMs?: number } = {}) {
  const clock = options.clock ?? new ManualClock(T0);
  const logger = new RecordingLogger();
  const file = path.join(dir, 'history.sqlite');
  const store = SqliteHistoryStore.open({
    file,
    clock,
    logger,
    maxBytes: options.maxBytes ?? 64 * MiB,
    ...(options.scanRingMs === undefined ? {} : { scanRingMs: options.scanRingMs }),
  });
  return { store, clock, logger, file };
}

/** What another connection finds on disk right now. */
function rowsOnDisk(file: string): number {
  const reader = new Database(file, { readonly: true });
  try {
    return (reader.prepare('SELECT count(*) AS n FROM rows').get() as { n: number }).n;
  } finally {
    reader.close();
  }
}

describe('SqliteHistoryStore', () => {
  it('writes in batches: nothing reaches the file before the flush interval, then all of it in one go', async () => {
    const { store, clock, file } = open();
    for (let i = 0; i < 30; i++) store.addRow(historyRow('10s', T0 + i * 10_000));
    store.addEvent({ atMs: T0, kind: 'raise', detail: { kind: 'cellOverVoltage' } });
    await clock.advanceByMs(4_900);
    expect(rowsOnDisk(file)).toBe(0);
    expect(store.pending()).toEqual({ rows: 30, scans: 0, events: 1 });
    // A query already sees what waits.
    expect(store.rows('10s', T0, T0 + 20_000)).toHaveLength(2);
    expect(store.events(T0, T0 + 1)).toHaveLength(1);
    await clock.advanceByMs(100);
    expect(rowsOnDisk(file)).toBe(30);
    expect(store.pending()).toEqual({ rows: 0, scans: 0, events: 0 });
    expect(store.rows('10s', T0, T0 + 100_000).map((row) => row.startMs - T0)).toEqual(
      Array.from({ length: 10 }, (_, i) => i * 10_000),
    );
    expect(store.events(T0, T0 + 1)).toEqual([
      { atMs: T0, kind: 'raise', detail: { kind: 'cellOverVoltage' } },
    ]);
    store.close();
  });

  it('keeps per-cell statistics in the short tiers only, and each tier for its retention', async () => {
    const clock = new ManualClock(T0 + 2 * 86_400_000);
    const { store } = open({ clock });
    const now = clock.now();
    store.addRow(historyRow('10s', now - 2 * 86_400_000));
    store.addRow(historyRow('10s', now - 60_000));
    store.addRow(historyRow('1min', now - 60_000));
    store.addRow(historyRow('15min', now - 900_000));
    store.flush();
    // The 10 s tier keeps a day: the row of two days ago is gone.
    expect(store.rowCounts()).toEqual({ '10s': 1, '1min': 1, '15min': 1 });
    expect(Object.keys(store.rows('10s', 0, now)[0].cellsV)).toHaveLength(12);
    expect(Object.keys(store.rows('1min', 0, now)[0].cellsV)).toHaveLength(12);
    expect(store.rows('15min', 0, now)[0].cellsV).toEqual({});
    store.close();
  });

  it('stays under its size bound: the oldest rows of the finest tier go first', () => {
    const maxBytes = 512 * 1024;
    const { store } = open({ maxBytes });
    const tenS = DEFAULT_HISTORY_TIERS[0];
    // ~8000 rows of 96 cells: several megabytes unbounded.
    for (let batch = 0; batch < 8; batch++) {
      for (let i = 0; i < 1000; i++)
        store.addRow(historyRow('10s', T0 - tenS.retentionMs / 2 + (batch * 1000 + i) * 10_000, 96));
      store.addRow(historyRow('15min', T0 - batch * 900_000, 0));
      store.flush();
      expect(store.sizeBytes()).toBeLessThanOrEqual(maxBytes);
    }
    const kept = store.rows('10s', 0, Number.MAX_SAFE_INTEGER);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(8000);
    // The newest are the ones kept, and the coarse tier is untouched.
    expect(kept.at(-1)?.startMs).toBe(T0 - tenS.retentionMs / 2 + 7999 * 10_000);
    expect(store.rowCounts()['15min']).toBe(8);
    store.close();
  });

  it('keeps single scans in a ring of its length, served as one-sample rows of the `scan` tier', async () => {
    const { store, clock, file } = open();
    expect(store.tiers().map((tier) => [tier.name, tier.bucketMs])).toEqual([
      ['scan', 0],
      ['10s', 10_000],
      ['1min', 60_000],
      ['15min', 900_000],
    ]);
    // A scan every second for 15 minutes; the default ring is 10 minutes.
    for (let s = 0; s < 900; s++) {
      store.addScan(historySample(clock.now()));
      await clock.advanceByMs(1000);
    }
    store.flush();
    const ring = store.rows('scan', 0, Number.MAX_SAFE_INTEGER);
    expect(ring).toHaveLength(600);
    expect(ring[0].startMs).toBe(clock.now() - 600_000);
    expect(ring.at(-1)?.startMs).toBe(clock.now() - 1000);
    expect(store.rowCounts()).toEqual({ scan: 600 });
    // Read back as the tiers' rows are: min = max = mean of the one sample.
    expect(ring[0]).toMatchObject({
      tier: 'scan',
      samples: 1,
      series: {
        packVoltageV: { min: 23.4, max: 23.4, mean: 23.4 },
        temperatureC: { min: 20, max: 21.5, mean: 20.75 },
      },
      cellsV: { M2C6: { min: 3.911, max: 3.911, mean: 3.911 } },
      limits: { cvlV: 49.2, cclA: 100, dclA: 100 },
      contactorState: 'CLOSED',
      closedShare: 1,
    });
    // A scan not yet flushed is served too.
    store.addScan(historySample(clock.now()));
    expect(store.rows('scan', clock.now(), clock.now() + 1)).toHaveLength(1);
    store.close();
    const reader = new Database(file, { readonly: true });
    expect((reader.prepare('SELECT count(*) AS n FROM scans').get() as { n: number }).n).toBe(601);
    reader.close();
  });

  it('keeps no scans with a ring of 0, and trims the ring before any tier under its size bound', () => {
    const off = open({ scanRingMs: 0 });
    off.store.addScan(historySample(T0));
    off.store.flush();
    expect(off.store.rowCounts()).toEqual({});
    expect(off.store.tiers().map((tier) => tier.name)).toEqual(['10s', '1min', '15min']);
    off.store.close();
    rmSync(off.file);

    const maxBytes = 512 * 1024;
    const { store } = open({ maxBytes, scanRingMs: 3_600_000 });
    for (let i = 0; i < 100; i++) store.addRow(historyRow('10s', T0 - 1_000_000 + i * 10_000, 12));
    store.flush();
    // ~3000 scans of 96 cells: several megabytes unbounded.
    for (let batch = 0; batch < 6; batch++) {
      for (let i = 0; i < 500; i++)
        store.addScan(historySample(T0 - 3_000_000 + (batch * 500 + i) * 1000, 96));
      store.flush();
      expect(store.sizeBytes()).toBeLessThanOrEqual(maxBytes);
    }
    const counts = store.rowCounts();
    expect(counts.scan).toBeGreaterThan(0);
    expect(counts.scan).toBeLessThan(3000);
    expect(counts['10s']).toBe(100);
    expect(store.rows('scan', 0, T0).at(-1)?.startMs).toBe(T0 - 3_000_000 + 2999 * 1000);
    store.close();
  });

  it('a file that is not a database is kept aside with a warning, and a new history starts', () => {
    const file = path.join(dir, 'history.sqlite');
    writeFileSync(file, 'this is not a database, it is a shopping list\n'.repeat(200));
    const { store, logger } = open();
    expect(logger.lines.map((line) => line.message)).toEqual([
      expect.stringMatching(
        /^history: .*history\.sqlite is not a readable database \(SQLITE_NOTADB\): kept as .*\.unreadable-/,
      ),
    ]);
    expect(readdirSync(dir).filter((name) => name.includes('.unreadable-'))).toHaveLength(1);
    store.addRow(historyRow('10s', T0));
    store.flush();
    expect(store.rowCounts()).toEqual({ '10s': 1 });
    store.close();
  });

  it('kill -9 while writing: the file opens, intact, with every flushed batch', async () => {
    const file = path.join(dir, 'history.sqlite');
    const child = spawn(
      process.execPath,
      [
        '--conditions=@tsbms/source',
        '-r',
        '@swc-node/register',
        path.join(__dirname, 'spec-support', 'write-until-killed.ts'),
        file,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let lastFlushed = 0;
    let flushes = 0;
    // Bounded: killed at the tenth flush report, or after 30 s at most.
    await new Promise<void>((resolve, reject) => {
      const cap = setTimeout(() => reject(new Error(`only ${flushes} flushes within 30 s`)), 30_000);
      child.stdout.on('data', (chunk: Buffer) => {
        for (const line of chunk.toString().trim().split('\n')) {
          const match = /^flushed (\d+)$/.exec(line);
          if (match === null) continue;
          lastFlushed = Number(match[1]);
          flushes += 1;
          if (flushes === 10) {
            clearTimeout(cap);
            child.kill('SIGKILL');
            resolve();
          }
        }
      });
    });
    await new Promise((resolve) => child.once('exit', resolve));
    expect(lastFlushed).toBeGreaterThan(0);

    const reader = new Database(file);
    expect(reader.pragma('integrity_check', { simple: true })).toBe('ok');
    const onDisk = (reader.prepare('SELECT count(*) AS n FROM rows').get() as { n: number }).n;
    reader.close();
    // Everything reported flushed is there; at most what came after (the batch in memory) is lost.
    expect(onDisk).toBeGreaterThanOrEqual(lastFlushed);
    const { store } = open();
    expect(store.rowCounts()['10s']).toBe(onDisk);
    store.close();
  });
});
