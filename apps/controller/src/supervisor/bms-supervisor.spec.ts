import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ManualClock, SimulatedDigitalOutput } from '@tsbms/hal';
import { EmulatedChain } from '@tsbms/module-emulator';
import { ConfigStore, isControllerConfigError, nodeFileSystem, type ControllerConfig } from '../config';
import { RecordingLogger } from '../runtime/testing/recording-logger';
import type { ControllerContext, ServiceFactory } from '../services';
import { BmsSupervisor } from './bms-supervisor';
import { RuntimeStateFile } from './runtime-state-file';

const FILE_SETTINGS = {
  pack: { moduleCount: 2 },
  balancing: { enabled: false },
  contactors: { contactorNegativeTimeS: 0.2, contactorPrechargeTimeS: 0.5, contactorOverlapS: 0.2 },
};

const folders: string[] = [];
afterAll(() => folders.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function setUp(services: ServiceFactory[]) {
  const dir = mkdtempSync(path.join(tmpdir(), 'tsbms-supervisor-'));
  folders.push(dir);
  const configFile = path.join(dir, 'bms.yaml');
  writeFileSync(configFile, JSON.stringify(FILE_SETTINGS));
  const store = ConfigStore.open(configFile, {});
  const clock = new ManualClock();
  const chain = new EmulatedChain({
    clock,
    modules: 2,
    seed: 3,
    cellVoltagesV: [3.8],
    temperaturesC: [25, 25],
  });
  const logger = new RecordingLogger();
  const log = logger.lines;
  const positive = new SimulatedDigitalOutput('contactorPositive', clock);
  const stateFile = new RuntimeStateFile(path.join(dir, 'state.json'), nodeFileSystem, logger);
  const supervisor = new BmsSupervisor({
    link: chain.link,
    chain: null,
    clock,
    logger,
    configSource: { config: () => store.config, update: (patch) => store.update(patch) },
    outputs: { contactorPositive: positive },
    services,
    stateFile,
    persistIntervalS: 5,
  });
  const running = supervisor.run();
  const advanceUntil = async (predicate: () => boolean, limitS: number) => {
    const startMs = clock.now();
    while (!predicate()) {
      if (clock.now() - startMs > limitS * 1000) throw new Error(`condition not met within ${limitS} s`);
      await clock.advanceByMs(100);
    }
  };
  const stop = async () => {
    const stopped = supervisor.stop();
    let done = false;
    void stopped.then(() => (done = true));
    while (!done) await clock.advanceByMs(10);
    await running;
  };
  const closed = () => supervisor.context.status().contactors.state === 'CLOSED';
  return { dir, configFile, clock, chain, log, positive, supervisor, advanceUntil, stop, closed, stateFile };
}

/** An output that records what it saw at start and whether it was stopped. */
function probeService(starts: { pollIntervalS: number; stopped: boolean }[]): ServiceFactory {
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

  it('runs the core with its outputs: status$ per scan, output status in the snapshot', async () => {
    const starts: { pollIntervalS: number; stopped: boolean }[] = [];
    const h = setUp([probeService(starts)]);
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
    const h = setUp([probeService(starts)]);
    await h.advanceUntil(h.closed, 15);

    const config: ControllerConfig = h.supervisor.context.updateConfig({ pollIntervalS: 1 }, 'test');
    expect(config.pollIntervalS).toBe(1);
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
    const h = setUp([probeService(starts)]);
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
    const h = setUp([
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
    const h = setUp([]);
    await h.advanceUntil(h.closed, 15);
    h.chain.setCellVoltage(1, 1, 4.17);
    await h.advanceUntil(() => h.supervisor.context.status().faults.length > 0, 12);
    await h.clock.advanceByMs(5000);
    expect(h.stateFile.load()?.faults?.faults).toEqual([
      expect.objectContaining({ kind: 'cellOverVoltage', location: { moduleAddress: 1, cellIndex: 0 } }),
    ]);
    // Saved again at stop, with the time of the stop.
    const stopMs = h.clock.now();
    await h.stop();
    const saved = h.stateFile.load();
    expect(saved?.soc?.timestampMs).toBeGreaterThanOrEqual(stopMs - 1000);
    expect(saved?.faults?.faults).toHaveLength(1);
  });

  it('a corrupt or missing state file is a fresh start, with a warning for the corrupt one', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tsbms-state-'));
    folders.push(dir);
    const logger = new RecordingLogger();
    const log = logger.lines;
    const file = new RuntimeStateFile(path.join(dir, 'state.json'), nodeFileSystem, logger);
    expect(file.load()).toBeNull();
    expect(log).toEqual([]);
    writeFileSync(file.file, '{"version":1,"soc":{"socPer');
    expect(file.load()).toBeNull();
    expect(log[0].message).toMatch(/^state file ignored \(starting fresh\): /);
    file.save({ version: 1, faults: null, soc: { socPercent: 55, sohPercent: 98, timestampMs: 5 } });
    expect(file.load()).toEqual({
      version: 1,
      faults: null,
      soc: { socPercent: 55, sohPercent: 98, timestampMs: 5 },
    });
    writeFileSync(file.file, '{"version":2}');
    expect(file.load()).toBeNull();
    expect(log[1].message).toBe('state file ignored (starting fresh): unknown version 2');
  });
});
