import { readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { RecordingLogger } from '@tsbms/hal/testing';
import { isControllerConfigError, type ControllerConfig } from '../config';
import type { ControllerContext, ControllerServiceFactory } from '../services';
import { decodeRecordingLine, RECORDING_HEADER } from '@tsbms/bms-core';
import { RuntimeStateFile } from './runtime-state-file';
import {
  removeTemporaryFolders,
  setUpSupervisedController,
  temporaryFolder,
} from './testing/supervised-controller';

afterAll(removeTemporaryFolders);

/** An output that records what it saw at start and whether it was stopped. */
function probeService(starts: { pollIntervalS: number; stopped: boolean }[]): ControllerServiceFactory {
  return async (context: ControllerContext) => {
    const start = { pollIntervalS: context.config().pollIntervalS, stopped: false };
    starts.push(start);
    return {
      name: 'probe',
      status: () => ({ state: 'ok', message: `probe started at poll ${start.pollIntervalS} s` }),
      stop: async () => {
        start.stopped = true;
      },
    };
  };
}

describe('BmsSupervisor (virtual time, emulated pack, real config file)', () => {
  jest.setTimeout(30_000);

  it('recordFile: every scan appended as it arrives, one recording across a restart', async () => {
    const recordPath = path.join(temporaryFolder('tsbms-recording-'), 'scans.jsonl');
    const h = setUpSupervisedController([], { settings: { recordFile: recordPath } });
    const scans: number[] = [];
    h.supervisor.context.status$.subscribe((status) => scans.push(status.timestampMs ?? -1));
    await h.advanceUntil(() => scans.length >= 10, 30);
    expect(h.supervisor.context.requestRestart('test', 'test').accepted).toBe(true);
    const before = scans.length;
    await h.advanceUntil(() => scans.length >= before + 10, 30);
    await h.stop();
    const lines = readFileSync(recordPath, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe(RECORDING_HEADER);
    const recorded = lines.slice(1).map((line, i) => decodeRecordingLine(line, i + 2));
    // Every scan the core evaluated is in the recording, in order; one header for both sessions.
    const timestamps = recorded.map((line) => (line.kind === 'scan' ? line.scan.reading.timestampMs : null));
    expect(timestamps).toEqual(expect.arrayContaining(scans));
    expect([...timestamps].sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(timestamps);
    expect(lines.filter((line) => line === RECORDING_HEADER)).toHaveLength(1);
  });

  it('runs the core with its outputs: status$ per scan, output status in the snapshot', async () => {
    const starts: { pollIntervalS: number; stopped: boolean }[] = [];
    const h = setUpSupervisedController([probeService(starts)]);
    const seen: number[] = [];
    h.supervisor.context.status$.subscribe((status) => seen.push(status.timestampMs ?? -1));
    await h.advanceUntil(h.closed, 15);
    const before = seen.length;
    await h.clock.advanceByMs(3000);
    // One snapshot per scan at the 0.5 s poll interval.
    expect(seen.length - before).toBeGreaterThanOrEqual(5);
    expect(seen.length - before).toBeLessThanOrEqual(7);
    expect(h.supervisor.context.status().outputs).toEqual({
      probe: { state: 'ok', message: 'probe started at poll 0.5 s' },
    });
    expect(h.positive.state).toBe(true);
    await h.stop();
    expect(starts).toEqual([{ pollIntervalS: 0.5, stopped: true }]);
    expect(h.positive.state).toBe(false);
  });

  it('a valid change is saved, then core and outputs restart with it (relays open in between)', async () => {
    const starts: { pollIntervalS: number; stopped: boolean }[] = [];
    const h = setUpSupervisedController([probeService(starts)]);
    await h.advanceUntil(h.closed, 15);

    const update = h.supervisor.context.updateConfig({ pollIntervalS: 1 }, 'test');
    const config: ControllerConfig = update.config;
    expect(config.pollIntervalS).toBe(1);
    expect(update).toMatchObject({ changedPaths: ['pollIntervalS'], restart: { accepted: true, inS: 2 } });
    expect(readFileSync(h.configFile, 'utf8')).toContain('pollIntervalS');
    // Nothing restarts before the caller has answered (the restart waits for the clock).
    expect(starts).toHaveLength(1);
    await h.advanceUntil(() => starts.length === 2, 5);
    expect(starts).toEqual([
      { pollIntervalS: 0.5, stopped: true },
      { pollIntervalS: 1, stopped: false },
    ]);
    expect(h.positive.transitions.map((t) => t.on)).toEqual([true, false]);
    await h.advanceUntil(h.closed, 15);
    expect(h.positive.state).toBe(true);
    expect(h.log.map((l) => l.message)).toContain(
      'restarting the BMS core and outputs: configuration changed by test',
    );
    await h.stop();
  });

  it('an invalid change throws with the path, restarts nothing and leaves the file alone', async () => {
    const starts: { pollIntervalS: number; stopped: boolean }[] = [];
    const h = setUpSupervisedController([probeService(starts)]);
    await h.advanceUntil(h.closed, 15);
    const before = readFileSync(h.configFile, 'utf8');
    let thrown: unknown;
    try {
      h.supervisor.context.updateConfig({ cells: { cellHighVoltageV: 'high' } }, 'test');
    } catch (error) {
      thrown = error;
    }
    expect(isControllerConfigError(thrown) && thrown.code).toBe('INVALID_CONFIG');
    expect(isControllerConfigError(thrown) && thrown.configPath).toBe('cells.cellHighVoltageV');
    await h.clock.advanceByMs(2000);
    expect(readFileSync(h.configFile, 'utf8')).toBe(before);
    expect(starts).toHaveLength(1);
    expect(h.positive.transitions.map((t) => t.on)).toEqual([true]);
    await h.stop();
  });

  it('an output that cannot start is logged and the BMS runs on without it', async () => {
    const h = setUpSupervisedController([
      async () => {
        throw new Error('no such interface can9');
      },
    ]);
    await h.advanceUntil(h.closed, 15);
    expect(h.log).toContainEqual(
      expect.objectContaining({
        level: 'error',
        message: 'an output could not start (the BMS runs on without it): no such interface can9',
      }),
    );
    expect(h.supervisor.context.status().outputs).toEqual({});
    await h.stop();
  });

  it('saves the SoC and latched faults periodically and at stop (B-6, B-36)', async () => {
    const h = setUpSupervisedController([]);
    await h.advanceUntil(h.closed, 15);
    h.chain.setCellVoltage(1, 1, 4.17);
    await h.advanceUntil(() => h.supervisor.context.status().faults.length > 0, 12);
    await h.clock.advanceByMs(5000);
    expect(h.savedFaults()).toEqual([
      expect.objectContaining({ kind: 'cellOverVoltage', location: { moduleAddress: 1, cellIndex: 0 } }),
    ]);
    // Saved again at stop, with the time of the stop.
    const stopMs = h.clock.now();
    await h.stop();
    const saved = h.stateFile.load();
    if (saved.kind !== 'loaded') throw new Error(`state file ${saved.kind}`);
    expect(saved.state.soc?.timestampMs).toBeGreaterThanOrEqual(stopMs - 1000);
    expect(saved.state.faults?.faults).toHaveLength(1);
  });

  it('a fault that latches is on disk in the same tick, long before the periodic save (B-6)', async () => {
    const h = setUpSupervisedController([], { persistIntervalS: 3600 });
    await h.advanceUntil(h.closed, 15);
    expect(h.savedFaults()).toEqual([]);
    h.chain.setCellVoltage(1, 1, 4.17);
    // No clock step between the latch and the read: a SIGKILL here would find it saved.
    await h.advanceUntil(() => h.supervisor.context.status().faults.some((f) => f.latched), 12);
    expect(h.savedFaults()).toEqual([expect.objectContaining({ kind: 'cellOverVoltage', level: 'fault' })]);
    // The acknowledge is on disk at once too.
    h.chain.setCellVoltage(1, 1, 3.8);
    await h.advanceUntil(() => h.supervisor.context.status().faults.every((f) => f.clearable), 30);
    expect(h.supervisor.context.acknowledgeFaults({ source: 'test' }).accepted).toHaveLength(1);
    expect(h.savedFaults()).toEqual([]);
    await h.stop();
  });

  it.each([
    ['truncated', '{"version":1,"faults":{"version":1,"faul', /unreadable: /],
    ['of an unknown version', '{"version":2}', /unreadable: unknown version 2/],
  ])(
    'a %s state file starts with a latched stateLost fault: contactors open until acknowledged',
    async (_what, text, reason) => {
      const h = setUpSupervisedController([], { stateText: text });
      await h.clock.advanceByMs(20_000);
      const status = h.supervisor.context.status();
      expect(status.contactors.state).toBe('OPEN');
      expect(status.faults).toEqual([
        expect.objectContaining({ kind: 'stateLost', latched: true, detail: expect.stringMatching(reason) }),
      ]);
      expect(h.log).toContainEqual(
        expect.objectContaining({ level: 'error', fields: expect.objectContaining({ event: 'state' }) }),
      );
      // Kept in the new state file: a second crash does not forget it either.
      expect(h.savedFaults()).toEqual([expect.objectContaining({ kind: 'stateLost' })]);
      expect(
        h.supervisor.context.acknowledgeFaults({ source: 'test', kind: 'stateLost' }).accepted,
      ).toHaveLength(1);
      await h.advanceUntil(h.closed, 15);
      await h.stop();
    },
  );

  it('a state file missing after it was saved before (FILE.previous exists) is lost, not a fresh start', async () => {
    const first = setUpSupervisedController([]);
    await first.advanceUntil(first.closed, 15);
    await first.clock.advanceByMs(6000); // a periodic save after the first: FILE.previous exists
    await first.stop();
    rmSync(first.statePath);
    const stateFile = new RuntimeStateFile(first.statePath, new RecordingLogger(), first.clock);
    expect(stateFile.load()).toEqual({
      kind: 'lost',
      reason: `missing, though ${first.statePath}.previous shows it was saved before`,
    });
  });

  it('no state file and no trace of one is a first start: it closes, and the file exists at once', async () => {
    const h = setUpSupervisedController([]);
    expect(h.savedFaults()).toEqual([]);
    expect(h.log.map((l) => l.message)).toContain(`no state file yet: first start, creating ${h.statePath}`);
    await h.advanceUntil(h.closed, 15);
    await h.stop();
  });

  it('a state file that cannot be saved shows in the status, and again when it saves', async () => {
    const writes = { failing: false };
    const h = setUpSupervisedController([], { stateWrites: writes });
    await h.advanceUntil(h.closed, 15);
    expect(h.supervisor.context.status().stateFile).toMatchObject({
      file: h.statePath,
      ok: true,
      error: null,
    });
    writes.failing = true;
    await h.clock.advanceByMs(5000);
    expect(h.supervisor.context.status().stateFile).toMatchObject({
      ok: false,
      error: 'EROFS: read-only file system',
    });
    expect(h.log.filter((l) => l.message.startsWith('state file cannot be saved'))).toHaveLength(1);
    writes.failing = false;
    await h.clock.advanceByMs(5000);
    expect(h.supervisor.context.status().stateFile).toMatchObject({ ok: true, error: null });
    await h.stop();
  });

  it('30 restart requests give one restart and one contactor opening; the rest are refused', async () => {
    const h = setUpSupervisedController([]);
    await h.advanceUntil(h.closed, 15);
    const decisions = [];
    for (let i = 0; i < 30; i += 1) {
      decisions.push(h.supervisor.context.requestRestart('restart requested', 'test'));
      await h.clock.advanceByMs(1300);
    }
    await h.advanceUntil(h.closed, 30);
    expect(decisions.filter((d) => d.accepted)).toHaveLength(1);
    expect(
      h.log.filter((l) => l.fields.event === 'restart' && l.message.startsWith('restarting')),
    ).toHaveLength(1);
    expect(h.positive.transitions.map((t) => t.on)).toEqual([true, false, true]);
    await h.stop();
  });

  it('after a restart the contactors wait out the 10 s lockout from their opening (B-11)', async () => {
    const h = setUpSupervisedController([]);
    await h.advanceUntil(h.closed, 15);
    h.supervisor.context.requestRestart('restart requested', 'test');
    await h.advanceUntil(() => !h.positive.state, 5);
    const openedMs = h.clock.now();
    await h.advanceUntil(h.closed, 30);
    const reclosedMs = h.positive.transitions.at(-1)?.atMs ?? 0;
    expect(reclosedMs - openedMs).toBeGreaterThanOrEqual(10_000);
    await h.stop();
  });

  it('an empty change is a no-op: nothing saved, no restart', async () => {
    const starts: { pollIntervalS: number; stopped: boolean }[] = [];
    const h = setUpSupervisedController([probeService(starts)]);
    await h.advanceUntil(h.closed, 15);
    const before = readFileSync(h.configFile, 'utf8');
    expect(h.supervisor.context.updateConfig({}, 'test')).toMatchObject({ changedPaths: [], restart: null });
    expect(h.supervisor.context.updateConfig({ pollIntervalS: 0.5 }, 'test').restart).toBeNull();
    await h.clock.advanceByMs(5000);
    expect(readFileSync(h.configFile, 'utf8')).toBe(before);
    expect(starts).toHaveLength(1);
    await h.stop();
  });

  it('a change an output cannot start with is undone: the previous settings run again, file included', async () => {
    const starts: { pollIntervalS: number; stopped: boolean }[] = [];
    const picky: ControllerServiceFactory = async (context) => {
      if (context.config().pollIntervalS === 1) throw new Error('cannot run at a 1 s poll');
      return probeService(starts)(context);
    };
    const h = setUpSupervisedController([picky]);
    await h.advanceUntil(h.closed, 15);
    const before = readFileSync(h.configFile, 'utf8');
    h.supervisor.context.updateConfig({ pollIntervalS: 1 }, 'test');
    await h.advanceUntil(() => starts.length === 2, 10);
    expect(readFileSync(h.configFile, 'utf8')).toBe(before);
    expect(h.supervisor.context.config().pollIntervalS).toBe(0.5);
    expect(starts.map((s) => s.pollIntervalS)).toEqual([0.5, 0.5]);
    expect(h.log).toContainEqual(
      expect.objectContaining({
        level: 'error',
        message:
          'the new configuration left an output unable to start (cannot run at a 1 s poll): putting the previous configuration back',
      }),
    );
    await h.advanceUntil(h.closed, 30);
    await h.stop();
  });
});
