import * as fs from 'node:fs';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ManualClock, SimulatedDigitalOutput } from '@tsbms/hal';
import { RecordingLogger } from '@tsbms/hal/testing';
import { EmulatedChain } from '@tsbms/module-emulator';
import { BmsSupervisor, type SessionCore } from '@tsbms/bms-core';
import {
  CONTROLLER_SETTING_EFFECTS,
  ConfigStore,
  type ConfigFileSystem,
  type ControllerConfig,
} from '../../config';
import type { ControllerGpio } from '../../cli/controller-gpio';
import { REMOTE_CHANGE_CHECKS, type ControllerServiceFactory } from '../../services';
import { controllerSessionTasks, teslaCoreStarter } from '../../runtime';
import { RuntimeStateFile } from '../runtime-state-file';

/*
 * The controller as the daemon runs it, in virtual time: bms-core's supervisor on a real config
 * file and state file, the Tesla loop on a 2-module emulated chain, the production table of
 * setting effects. Tests call removeTemporaryFolders() in afterAll.
 */

/** Fails every write (a read-only or full disk) while `failing` is set. */
export function failingWrites(state: { failing: boolean }): ConfigFileSystem {
  const guard =
    <A extends unknown[], R>(call: (...args: A) => R) =>
    (...args: A): R => {
      if (state.failing) throw Object.assign(new Error('EROFS: read-only file system'), { code: 'EROFS' });
      return call(...args);
    };
  return {
    readFileSync: (file, encoding) => fs.readFileSync(file, encoding),
    statSync: (file) => fs.statSync(file),
    openSync: guard((file: string, flags: string, mode?: number) => fs.openSync(file, flags, mode)),
    writeSync: (fd, buffer, offset, length) => fs.writeSync(fd, buffer, offset, length),
    fsyncSync: (fd) => fs.fsyncSync(fd),
    closeSync: (fd) => fs.closeSync(fd),
    renameSync: guard((from: string, to: string) => fs.renameSync(from, to)),
    linkSync: guard((from: string, to: string) => fs.linkSync(from, to)),
    unlinkSync: guard((file: string) => fs.unlinkSync(file)),
  };
}

export const FILE_SETTINGS = {
  pack: { moduleCount: 2 },
  balancing: { enabled: false },
  contactors: { contactorNegativeTimeS: 0.2, contactorPrechargeTimeS: 0.5, contactorOverlapS: 0.2 },
};

const folders: string[] = [];

/** A temporary folder removed by {@link removeTemporaryFolders}. */
export function temporaryFolder(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  folders.push(dir);
  return dir;
}

export function removeTemporaryFolders(): void {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export interface SetUpOptions {
  /** What is in the state file before the start; absent = no file. */
  readonly stateText?: string;
  readonly persistIntervalS?: number;
  readonly stateWrites?: { failing: boolean };
  /** Settings in the file beside FILE_SETTINGS. */
  readonly settings?: Record<string, unknown>;
  /** Relays and feedback made from the file's config (the daemon's GPIO); absent = a simulated positive relay. */
  readonly gpio?: (config: ControllerConfig) => Pick<ControllerGpio, 'relays' | 'contactorFeedback'>;
  /** Run the demo's charge/discharge cycle (the `emulator` settings) on the chain, as `npm start` does. */
  readonly chargeCycle?: boolean;
  /** Shown each session's core as it starts, with the chain it reads (to watch its source). */
  readonly onSession?: (session: SessionCore<ControllerConfig>, chain: EmulatedChain) => void;
}

export function setUpSupervisedController(services: ControllerServiceFactory[], options: SetUpOptions = {}) {
  const dir = temporaryFolder('tsbms-supervisor-');
  const configFile = path.join(dir, 'bms.yaml');
  writeFileSync(configFile, JSON.stringify({ ...FILE_SETTINGS, ...options.settings }));
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
  const statePath = path.join(dir, 'state.json');
  if (options.stateText !== undefined) writeFileSync(statePath, options.stateText);
  const stateFile = new RuntimeStateFile(
    statePath,
    logger,
    clock,
    options.stateWrites === undefined ? undefined : failingWrites(options.stateWrites),
  );
  const supervisor = new BmsSupervisor({
    startCore: (start) => {
      const session = teslaCoreStarter(chain.link, null)(start);
      options.onSession?.(session, chain);
      return session;
    },
    clock,
    logger,
    settingEffects: CONTROLLER_SETTING_EFFECTS,
    configSource: {
      config: () => store.config,
      update: (patch) => store.update(patch, REMOTE_CHANGE_CHECKS),
      checkpoint: () => store.checkpoint(),
      restore: (checkpoint) => store.restore(checkpoint),
    },
    ...(options.gpio === undefined
      ? { relays: { contactorPositive: positive } }
      : options.gpio(store.config)),
    services,
    stateStore: stateFile,
    sessionTasks: controllerSessionTasks(options.chargeCycle ? chain : null, clock, logger),
    persistIntervalS: options.persistIntervalS ?? 5,
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
  /** What is on disk right now (no clock advance in between). */
  const savedFaults = () =>
    (JSON.parse(readFileSync(statePath, 'utf8')) as { faults: { faults: { kind: string }[] } }).faults.faults;
  return {
    dir,
    configFile,
    statePath,
    clock,
    chain,
    log,
    positive,
    supervisor,
    advanceUntil,
    stop,
    closed,
    stateFile,
    savedFaults,
  };
}
