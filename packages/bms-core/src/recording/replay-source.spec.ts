import { map, timer } from 'rxjs';
import { buildBatteryModelConfig } from '@tsbms/battery-model';
import { makePackReading } from '@tsbms/battery-model/testing';
import { buildFaultEngineConfig } from '@tsbms/fault-engine';
import { buildControlConfig } from '@tsbms/control';
import { ManualClock } from '@tsbms/hal';
import { RecordingLogger } from '@tsbms/hal/testing';
import type { PackSource } from '@tsbms/pack-reading';
import { createBms, type BmsConfig } from '../create-bms';
import { bmsDecisions, type BmsDecision } from '../decisions';
import { FakePackSource, simulatedRelays } from '../testing';
import { encodeRecordingLine, RECORDING_HEADER, type RecordingError } from './recording-format';
import { firstScanMs, ReplaySource } from './replay-source';

const MODULES = 2;
/** Wall-clock time of the recorded night: replays keep the recorded timestamps. */
const RECORDED_AT_MS = 1_733_390_000_000;

/** The default configuration, or one whose cell voltage thresholds (info, warning, fault) sit at `cellHighVoltageV`. */
function config(cellHighVoltageV?: number): BmsConfig {
  return {
    batteryModel: buildBatteryModelConfig({ moduleCount: MODULES, parallelStringCount: 1 }),
    faultEngine: buildFaultEngineConfig(cellHighVoltageV === undefined ? {} : { cellHighVoltageV }),
    control: buildControlConfig({ moduleCount: MODULES, pollIntervalS: 1 }),
  };
}

/** Every cell creeps up 2 mV a second from 4.05 V (a charger that does not stop): an over-voltage within a minute. */
function creepingCellV(secondsIn: number): number {
  return Math.round((4.05 + 0.002 * secondsIn) * 1000) / 1000;
}

/** A live run of 150 s on a scripted source: its decisions and its recording. */
async function liveRun(): Promise<{ decisions: BmsDecision[]; lines: string[] }> {
  const clock = new ManualClock(RECORDED_AT_MS - 200);
  const source = new FakePackSource(
    timer(200, 1000, clock).pipe(
      map((i) =>
        makePackReading(clock.now(), MODULES, () => ({
          cellVoltagesV: new Array<number>(6).fill(creepingCellV(i)),
        })),
      ),
    ),
    MODULES,
  );
  const lines = [RECORDING_HEADER];
  source.readings$.subscribe((scan) => lines.push(encodeRecordingLine(scan)));
  const bms = createBms({
    source,
    clock,
    logger: new RecordingLogger(),
    config: config(),
    relays: simulatedRelays(clock),
  });
  const decisions: BmsDecision[] = [];
  bmsDecisions(bms, clock).subscribe((d) => decisions.push(d));
  await clock.advanceByMs(150_200);
  await bms.stop();
  return { decisions, lines };
}

/** Replays `lines` as fast as possible through a core with `config`. */
async function replayFast(lines: readonly string[], bmsConfig: BmsConfig, skipped: RecordingError[] = []) {
  const peeked = await firstScanMs(lines);
  const clock = new ManualClock(peeked.firstMs ?? 0);
  const source = new ReplaySource({
    lines: peeked.lines,
    pace: { fast: clock },
    onSkippedLine: (e) => skipped.push(e),
  });
  const bms = createBms({
    source,
    clock,
    logger: new RecordingLogger(),
    config: bmsConfig,
    relays: simulatedRelays(clock),
  });
  const collected: BmsDecision[] = [];
  const subscription = bmsDecisions(bms, clock).subscribe((d) => collected.push(d));
  await source.whenFinished();
  subscription.unsubscribe();
  await bms.stop();
  return { decisions: collected, source, bms };
}

describe('ReplaySource', () => {
  it('replayed fast, a recording gives the same decisions at the same times as the live run', async () => {
    const live = await liveRun();
    const trip = live.decisions.find(
      (d) => d.decision === 'fault' && d.level === 'fault' && d.event === 'raise',
    );
    expect(trip).toBeDefined(); // the run is worth replaying: it trips
    const replay = await replayFast(live.lines, config());
    expect(replay.decisions).toEqual(live.decisions);
    expect(replay.source.progress).toEqual({
      scans: live.lines.length - 1,
      skippedLines: 0,
      firstMs: RECORDED_AT_MS,
      latestMs: RECORDED_AT_MS + 150_000,
    });
  });

  it('under a config with a lower over-voltage threshold, the same night trips earlier', async () => {
    const { lines } = await liveRun();
    const trip = (decisions: BmsDecision[]) => ({
      fault: decisions.find((d) => d.decision === 'fault' && d.level === 'fault' && d.event === 'raise'),
      openedAtMs: decisions.find(
        (d) => d.decision === 'contactors' && d.state === 'OPEN' && d.openReason === 'fault',
      )?.atMs,
    });
    const asConfigured = trip((await replayFast(lines, config())).decisions);
    // 4.05 V instead of the default 4.10 V: every over-voltage level 50 mV lower.
    const lower = trip((await replayFast(lines, config(4.05))).decisions);
    for (const run of [asConfigured, lower]) {
      expect(run.fault).toMatchObject({ kind: 'cellOverVoltage' });
    }
    expect(lower.openedAtMs).toBeLessThan(asConfigured.openedAtMs as number);
  });

  it('skips a malformed line and reports it with its line number; the replay goes on', async () => {
    const { lines } = await liveRun();
    const damaged = [...lines];
    damaged[10] = damaged[10].slice(0, 40); // line 11 cut short
    damaged[20] = damaged[19]; // line 21 repeats line 20: not after it
    const skipped: RecordingError[] = [];
    const replay = await replayFast(damaged, config(), skipped);
    expect(skipped.map((e) => e.message)).toEqual([
      'line 11: not JSON',
      'line 21: timestamp not after the scan before it',
    ]);
    expect(replay.source.progress).toMatchObject({ scans: lines.length - 3, skippedLines: 2 });
    expect(replay.decisions.some((d) => d.decision === 'fault' && d.level === 'fault')).toBe(true);
  });

  it('stops at a recording of another format: the source errors and the core switches everything off', async () => {
    const clock = new ManualClock(0);
    const source: PackSource = new ReplaySource({
      lines: ['{"format":"tsbms-readings","version":9}', '{}'],
      pace: { fast: clock },
    });
    const bms = createBms({
      source,
      clock,
      logger: new RecordingLogger(),
      config: config(),
      relays: simulatedRelays(clock),
    });
    await expect(bms.done).rejects.toThrow('line 1: a recording of format "tsbms-readings" version 9');
  });

  it('realtime: plays each scan at its recorded spacing, its timestamp moved to now', async () => {
    const { lines } = await liveRun();
    const clock = new ManualClock(5_000);
    const source = new ReplaySource({ lines: lines.slice(0, 4), pace: { realtime: clock } });
    const seen: number[] = [];
    source.readings$.subscribe((scan) => seen.push(scan.reading.timestampMs));
    source.start();
    await clock.advanceByMs(10_000);
    expect(seen).toEqual([5_000, 6_000, 7_000]);
  });

  it('realtime: stop() does not wait out a gap in the recording', async () => {
    const { lines } = await liveRun();
    // The controller was down for an hour between two scans.
    const later = JSON.parse(lines[3]) as { reading: { timestampMs: number } };
    later.reading.timestampMs += 3_600_000;
    const clock = new ManualClock(5_000);
    const source = new ReplaySource({
      lines: [...lines.slice(0, 3), JSON.stringify(later)],
      pace: { realtime: clock },
    });
    source.start();
    await clock.advanceByMs(2_000);
    let stopped = false;
    void source.stop().then(() => (stopped = true));
    await clock.advanceByMs(10);
    expect(stopped).toBe(true);
    expect(source.progress.scans).toBe(2);
  });
});
