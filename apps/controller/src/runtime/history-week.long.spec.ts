import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { map, timer } from 'rxjs';
import { buildBmsConfig, createBms } from '@tsbms/bms-core';
import { FakePackSource, simulatedRelays } from '@tsbms/bms-core/testing';
import { ManualClock } from '@tsbms/hal';
import { RecordingLogger } from '@tsbms/hal/testing';
import { recordHistory, SqliteHistoryStore } from '@tsbms/history';
import { EmulatedChain, type ChainSnapshot } from '@tsbms/module-emulator';
import type { PackReading } from '@tsbms/pack-reading';
import { DEFAULT_CONTROLLER_CONFIG, type ControllerConfig } from '../config';
import { cycleCurrentA } from '../demo/charge-cycle';

/*
 * Issue 15's week (the long lane: a minute of CPU): the emulated pack (the module emulator's cells, thermistors and a charge cycle,
 * read every 10 s in virtual time) through the BMS core and the history recorder into a real SQLite
 * file. The readings are taken from the emulator's physics directly: 60 480 scans through its
 * serial protocol would take minutes; the protocol path is the other tests'.
 */
const MODULES = 4;
const SCAN_MS = 10_000;
const DAY_MS = 86_400_000;
const MiB = 1024 * 1024;
const T0 = Date.UTC(2026, 11, 1);

/** What a scan of the chain would read, from its snapshot. */
function readingOf(snapshot: ChainSnapshot): PackReading {
  return {
    timestampMs: snapshot.timeMs,
    currentA: snapshot.packCurrentA,
    // Addresses are what discovery would have assigned: 1 from the host's end.
    modules: snapshot.modules.map((m, index) => ({
      address: index + 1,
      commsOk: true,
      cellVoltagesV: m.cells.map((cell) => cell.sensedVoltageV),
      temperaturesC: m.thermistors.map((t) => t.temperatureC),
      moduleVoltageV: m.moduleVoltageV,
      implausible: [],
      hardwareFlags: [],
      overVoltageCells: [],
      underVoltageCells: [],
      balanceTimerRunning: false,
    })),
  };
}

let dir: string;
beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), 'tsbms-history-week-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('a week of the emulated pack: each tier holds what its retention allows, the file under its bound', async () => {
  const clock = new ManualClock(T0);
  const chain = new EmulatedChain({
    clock,
    modules: MODULES,
    seed: 7,
    initialSocPercent: 50,
    temperaturesC: [20, 21],
  });
  const config: ControllerConfig = {
    ...DEFAULT_CONTROLLER_CONFIG,
    pack: { ...DEFAULT_CONTROLLER_CONFIG.pack, moduleCount: MODULES },
    pollIntervalS: SCAN_MS / 1000,
    commsTimeoutS: 30,
  };
  const source = new FakePackSource(
    timer(0, SCAN_MS, clock).pipe(
      map(() => {
        // A gentle charge/discharge cycle of ±20 A over 10 hours, as in the demo.
        chain.setPackCurrent(cycleCurrentA((clock.now() - T0) / 1000, 20, 36_000));
        return readingOf(chain.snapshot());
      }),
    ),
    MODULES,
  );
  const bms = createBms({
    source,
    clock,
    logger: new RecordingLogger(),
    config: buildBmsConfig(config),
    relays: simulatedRelays(clock),
  });
  const file = path.join(dir, 'week.sqlite');
  const maxBytes = 64 * MiB;
  const store = SqliteHistoryStore.open({
    file,
    clock,
    logger: new RecordingLogger(),
    maxBytes,
    flushIntervalS: 300,
  });
  const recording = recordHistory({ status$: bms.status$, faultEvents$: bms.events$ }, store);
  for (let elapsedMs = 0; elapsedMs < 7 * DAY_MS; elapsedMs += 300_000) await clock.advanceByMs(300_000);
  recording.unsubscribe();
  await bms.stop();
  store.close();

  const reopened = SqliteHistoryStore.open({ file, clock, logger: new RecordingLogger(), maxBytes });
  // The scan at exactly 7 days closed every bucket of the week; the 10 s tier keeps a day (its
  // retention), the scan ring its 10 minutes of single scans (both ends in).
  expect(reopened.rowCounts()).toEqual({
    scan: 600_000 / SCAN_MS + 1,
    '10s': DAY_MS / 10_000,
    '1min': 7 * 1440,
    '15min': 7 * 96,
  });
  const firstHour = reopened.rows('1min', T0, T0 + 3_600_000);
  expect(firstHour).toHaveLength(60);
  expect(Object.keys(firstHour[0].cellsV)).toHaveLength(MODULES * 6);
  // The cycle shows: the pack current swings both ways over the week.
  const quarterHours = reopened.rows('15min', T0, T0 + 7 * DAY_MS);
  expect(Math.min(...quarterHours.map((row) => row.series.currentA?.min ?? 0))).toBeLessThan(-10);
  expect(Math.max(...quarterHours.map((row) => row.series.currentA?.max ?? 0))).toBeGreaterThan(10);
  expect(
    reopened
      .events(T0, T0 + 7 * DAY_MS)
      .filter((event) => event.kind === 'contactors')
      .at(-1)?.detail,
  ).toMatchObject({
    state: 'CLOSED',
  });
  expect(statSync(file).size).toBeLessThanOrEqual(maxBytes);
  process.stdout.write(
    `a week of ${MODULES} emulated modules: ${(statSync(file).size / MiB).toFixed(1)} MiB\n`,
  );
  reopened.close();
}, 120_000);
