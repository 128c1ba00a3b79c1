import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Subject } from 'rxjs';
import type { BmsStatus } from '@tsbms/bms-core';
import { bmsStatus, moduleStatus } from '@tsbms/bms-core/testing';
import type { FaultEvent } from '@tsbms/fault-engine';
import { ManualClock } from '@tsbms/hal';
import { RecordingLogger } from '@tsbms/hal/testing';
import { recordHistory } from './history-recorder';
import { SqliteHistoryStore } from './sqlite-history-store';

/*
 * A week of a 4-module pack (24 cells) scanned every 10 s, in virtual time, through the recorder
 * into a real SQLite file: each tier holds what its retention allows, and the file stays small.
 */
const T0 = Date.UTC(2026, 11, 1);
const DAY_MS = 86_400_000;
const SCAN_MS = 10_000;
const MiB = 1024 * 1024;

function scanAt(atMs: number): BmsStatus {
  // A slow daily cycle, so that the statistics are not all equal.
  const phase = Math.sin((2 * Math.PI * (atMs - T0)) / DAY_MS);
  const cellV = 3.8 + 0.1 * phase;
  return bmsStatus({
    timestampMs: atMs,
    modules: [1, 2, 3, 4].map((address) =>
      moduleStatus({ address, stringIndex: 0, cellsV: Array(6).fill(cellV), temperaturesC: [20, 21] }),
    ),
    packVoltageV: 24 * cellV,
    currentA: 10 * phase,
    socPercent: 50 + 30 * phase,
  });
}

let dir: string;
beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), 'tsbms-history-week-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

jest.setTimeout(120_000);

it('a week of 10 s scans: a day of 10 s rows, a week of 1 min and 15 min rows, the file under its bound', async () => {
  const clock = new ManualClock(T0);
  const file = path.join(dir, 'week.sqlite');
  const maxBytes = 64 * MiB;
  const store = SqliteHistoryStore.open({
    file,
    clock,
    logger: new RecordingLogger(),
    maxBytes,
    flushIntervalS: 60,
  });
  const status$ = new Subject<BmsStatus>();
  const recording = recordHistory({ status$, faultEvents$: new Subject<FaultEvent>() }, store);
  // A minute of scans, then the clock moves on by that minute (one flush each).
  for (let minuteMs = T0; minuteMs < T0 + 7 * DAY_MS; minuteMs += 60_000) {
    for (let atMs = minuteMs; atMs < minuteMs + 60_000; atMs += SCAN_MS) status$.next(scanAt(atMs));
    await clock.advanceByMs(60_000);
  }
  recording.unsubscribe();
  store.close();

  const reopened = SqliteHistoryStore.open({ file, clock, logger: new RecordingLogger(), maxBytes });
  // The last bucket of each tier was still open; the 10 s tier keeps a day (its retention).
  expect(reopened.rowCounts()).toEqual({
    '10s': DAY_MS / 10_000 - 1,
    '1min': 7 * 1440 - 1,
    '15min': 7 * 96 - 1,
  });
  const firstHour = reopened.rows('1min', T0, T0 + 3_600_000);
  expect(firstHour).toHaveLength(60);
  expect(Object.keys(firstHour[0].cellsV)).toHaveLength(24);
  expect(reopened.rows('15min', T0, T0 + DAY_MS).every((row) => row.samples === 90)).toBe(true);
  expect(reopened.sizeBytes()).toBeLessThanOrEqual(maxBytes);
  expect(statSync(file).size).toBeLessThanOrEqual(maxBytes);
  // The figure for the notes.
  process.stdout.write(`a week in ${(statSync(file).size / MiB).toFixed(1)} MiB\n`);
  reopened.close();
});
