import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { map } from 'rxjs';
import { bmsDecisions, encodeRecordingLine, RECORDING_HEADER, type BmsDecision } from '@tsbms/bms-core';
import { ManualClock } from '@tsbms/hal';
import { RecordingLogger } from '@tsbms/hal/testing';
import { EmulatedChain } from '@tsbms/module-emulator';
import { libraryConfigs, loadControllerConfig } from '../config';
import { runChargeCycle } from '../demo/charge-cycle';
import { startTeslaCore } from '../runtime';
import { DEMO_CELL_VOLTAGES_V } from './run-controller';
import { replayFast } from './replay-fast';

const config = loadControllerConfig(undefined, {}, []);
const libraries = libraryConfigs(config);

/** The demo as the daemon runs it (emulated chain, charge cycle), for `minutes` of virtual time, recorded. */
async function recordDemo(minutes: number): Promise<{ lines: string[]; decisions: BmsDecision[] }> {
  const clock = new ManualClock(1_733_390_000_000);
  const chain = new EmulatedChain({
    clock,
    modules: config.pack.moduleCount,
    seed: config.emulator.seed,
    cellVoltagesV: DEMO_CELL_VOLTAGES_V,
    temperaturesC: [24, 26],
  });
  const { bms, source } = startTeslaCore({
    link: chain.link,
    clock,
    logger: new RecordingLogger(),
    relays: {},
    libraries,
    settings: {
      programHardwareThresholds: config.programHardwareThresholds,
      readWithCrc: config.serial.readWithCrc,
      replyTimeoutMs: config.serial.replyTimeoutMs,
    },
  });
  const lines = [RECORDING_HEADER];
  source.readings$.subscribe((scan) => lines.push(encodeRecordingLine(scan)));
  const decisions: BmsDecision[] = [];
  bmsDecisions(bms, clock).subscribe((d) => decisions.push(d));
  const cycle = runChargeCycle(chain, bms.contactors$.pipe(map((c) => c.state === 'CLOSED')), {
    clock,
    amplitudeA: config.emulator.cycleCurrentA,
    periodS: config.emulator.cyclePeriodS,
  });
  for (let i = 0; i < minutes * 600; i++) await clock.advanceByMs(100);
  cycle.unsubscribe();
  // What the core decided while it scanned; its shutdown is not in the recording.
  const scanned = decisions.slice();
  let stopped = false;
  void bms.stop().then(() => (stopped = true));
  while (!stopped) await clock.advanceByMs(10); // CB_CTRL = 0 goes over the emulated wire
  await chain.close();
  return { lines, decisions: scanned };
}

function captured() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  return { stream, text: () => text };
}

describe('--replay FILE (fast)', () => {
  jest.setTimeout(60_000);
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), 'tsbms-replay-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('replays 10 minutes of the demo with the decisions of the live run, in the same order at the same times', async () => {
    const live = await recordDemo(10);
    expect(live.lines.length).toBeGreaterThan(1000); // 2 scans a second
    expect(
      live.decisions
        .filter((d) => d.decision === 'contactors')
        .map((d) => d.decision === 'contactors' && d.state),
    ).toContain('CLOSED');
    const file = path.join(dir, 'demo.jsonl');
    writeFileSync(file, `${live.lines.join('\n')}\n`);
    const stdout = captured();
    const stderr = captured();
    expect(await replayFast(file, libraries, { stdout: stdout.stream, stderr: stderr.stream })).toBe(0);
    const replayed = stdout
      .text()
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as BmsDecision & { at: string });
    // The same decisions, each with the recorded time it was taken at.
    expect(replayed).toEqual(live.decisions.map((d) => ({ at: new Date(d.atMs).toISOString(), ...d })));
    expect(stderr.text()).toMatch(
      new RegExp(
        `^replayed ${live.lines.length - 1} scans \\(0\\.1[67] h of recording\\) in \\d+\\.\\d s\\n$`,
      ),
    );
  });

  it('reports a malformed line with its number and plays on; an unreadable file is exit 1', async () => {
    const { lines } = await recordDemo(0.5);
    lines[5] = '{"discoveredModules":4,"reading":{"timestampMs":"soon"}}';
    const file = path.join(dir, 'damaged.jsonl');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const stderr = captured();
    expect(await replayFast(file, libraries, { stdout: captured().stream, stderr: stderr.stream })).toBe(0);
    expect(stderr.text()).toContain(`${file}: line 6: reading.timestampMs: not a number (skipped)\n`);
    expect(stderr.text()).toMatch(/; 1 malformed line\(s\) skipped\n$/);

    const missing = captured();
    expect(
      await replayFast(path.join(dir, 'none.jsonl'), libraries, {
        stdout: captured().stream,
        stderr: missing.stream,
      }),
    ).toBe(1);
    expect(missing.text()).toMatch(/^controller: cannot read the recording .*none\.jsonl: ENOENT/);
  });
});
