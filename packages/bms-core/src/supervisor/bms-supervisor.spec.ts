import { map, timer } from 'rxjs';
import { z } from 'zod';
import { makePackReading } from '@tsbms/battery-model/testing';
import { ManualClock } from '@tsbms/hal';
import { RecordingLogger } from '@tsbms/hal/testing';
import type { ModuleReading } from '@tsbms/pack-reading';
import { BMS_SETTING_EFFECTS, bmsConfigShape, buildBmsConfig, type BmsSettings } from '../config';
import { createBms, type Bms } from '../create-bms';
import { ConfigChangeError, type OutputContext, type SettingEffect } from '../output-service';
import type { PersistedBmsState } from '../persisted-state';
import { FakePackSource, simulatedRelays } from '../testing';
import { BmsSupervisor } from './bms-supervisor';
import { outputService } from './output-registration';
import type { ConfigSource, CoreStarter, StateStore } from './supervisor-ports';

/*
 * The supervisor over the core alone: an in-memory configuration, a fake source per session and
 * a state store in memory, in virtual time. (The controller's own composition, with the Tesla loop,
 * its config file and state file, is tested in apps/controller.)
 */

const settingsSchema = z.strictObject(
  bmsConfigShape({ maxModuleCount: 8, maxModuleCountReason: 'the fake source has 8 addresses' }),
);
const SETTINGS = {
  pack: { moduleCount: 2 },
  pollIntervalS: 1,
  balancing: { enabled: false },
  contactors: { contactorNegativeTimeS: 0.2, contactorPrechargeTimeS: 0.5, contactorOverlapS: 0.2 },
};

/** Settings in memory, validated like a file would be; every accepted patch replaces them. */
function memoryConfig(initial: Record<string, unknown>): ConfigSource<BmsSettings> & { saved: number } {
  let current = settingsSchema.parse(initial) as BmsSettings;
  const source = {
    saved: 0,
    config: () => current,
    update: (patch: unknown) => {
      const parsed = settingsSchema.safeParse({ ...current, ...(patch as object) });
      if (!parsed.success) {
        throw new ConfigChangeError(
          'INVALID_CONFIG',
          parsed.error.issues.map((issue) => ({ configPath: issue.path.join('.'), reason: issue.message })),
        );
      }
      current = parsed.data as BmsSettings;
      source.saved++;
      return { config: current, changedPaths: Object.keys(patch as object) };
    },
    checkpoint: () => ({ config: current }),
    restore: (checkpoint: { config: BmsSettings }) => (current = checkpoint.config),
  };
  return source;
}

function memoryState(initial: PersistedBmsState | null = null): StateStore & { saved: PersistedBmsState[] } {
  const saved: PersistedBmsState[] = [];
  return {
    saved,
    loadState: () => initial,
    save: (state) => void saved.push(state),
    status: () => ({ file: 'memory', ok: true, lastSavedMs: null, error: null }),
  };
}

interface SetUpOptions {
  readonly state?: PersistedBmsState | null;
  readonly outputFailsAbove?: number;
  readonly settingEffects?: Readonly<Record<string, SettingEffect>>;
  /** How a session's core takes live settings; absent = it cannot (every change restarts). */
  readonly reconfigure?: (bms: Bms, config: BmsSettings) => void;
}

function setUp(options: SetUpOptions = {}) {
  const clock = new ManualClock();
  const logger = new RecordingLogger();
  const healthy = (): Partial<ModuleReading> => ({});
  const pack = { module: healthy as (address: number) => Partial<ModuleReading> };
  const sessions: FakePackSource[] = [];
  const startCore: CoreStarter<BmsSettings> = (start) => {
    const moduleCount = start.config.pack.moduleCount;
    const source = new FakePackSource(
      timer(0, 1000, clock).pipe(map(() => makePackReading(clock.now(), moduleCount, (a) => pack.module(a)))),
      moduleCount,
    );
    sessions.push(source);
    const bms = createBms({ ...start, source, config: buildBmsConfig(start.config) });
    const { reconfigure } = options;
    return {
      bms,
      source,
      linkStats: () => null,
      ...(reconfigure === undefined
        ? {}
        : { reconfigure: (config: BmsSettings) => reconfigure(bms, config) }),
    };
  };
  const configSource = memoryConfig(SETTINGS);
  const stateStore = memoryState(options.state ?? null);
  const relays = simulatedRelays(clock);
  const seen: number[] = [];
  // An output that reads its setting (the poll interval) and refuses to start above a limit.
  const probe = outputService(
    async (context: OutputContext<number>) => {
      seen.push(context.settings());
      if (options.outputFailsAbove !== undefined && context.settings() > options.outputFailsAbove) {
        throw new Error(`poll interval ${context.settings()} s is too slow for the probe`);
      }
      return { name: 'probe', status: () => ({ state: 'ok', message: 'fine' }), stop: async () => undefined };
    },
    (config: BmsSettings) => config.pollIntervalS,
  );
  const supervisor = new BmsSupervisor({
    startCore,
    clock,
    logger,
    configSource,
    relays,
    services: [probe],
    stateStore,
    restartPolicy: { minIntervalS: 1, settleS: 0.5 },
    ...(options.settingEffects === undefined ? {} : { settingEffects: options.settingEffects }),
  });
  const running = supervisor.run();
  const until = async (predicate: () => boolean, limitS: number) => {
    const startMs = clock.now();
    while (!predicate()) {
      if (clock.now() - startMs > limitS * 1000) throw new Error(`condition not met within ${limitS} s`);
      await clock.advanceByMs(100);
    }
  };
  const stop = async () => {
    let done = false;
    void supervisor.stop().then(() => (done = true));
    while (!done) await clock.advanceByMs(10);
    await running;
  };
  const closed = () => supervisor.context.status().contactors.state === 'CLOSED';
  return {
    clock,
    logger,
    pack,
    sessions,
    configSource,
    stateStore,
    relays,
    seen,
    supervisor,
    until,
    stop,
    closed,
  };
}

describe('BmsSupervisor', () => {
  it('runs the core and its outputs, and a config change restarts both on the new settings', async () => {
    const h = setUp();
    await h.until(h.closed, 15);
    expect(h.supervisor.context.status().outputs).toEqual({ probe: { state: 'ok', message: 'fine' } });
    const update = h.supervisor.context.updateConfig({ pollIntervalS: 2 }, 'test');
    expect(update.changedPaths).toEqual(['pollIntervalS']);
    expect(update.restart).toMatchObject({ accepted: true });
    await h.until(() => h.sessions.length === 2 && h.closed(), 30);
    expect(h.sessions[0].stopped).toBe(true);
    expect(h.seen).toEqual([1, 2]);
    await h.stop();
    expect(h.relays.contactorPositive.state).toBe(false);
  });

  it('puts the previous settings back when an output cannot start on the new ones', async () => {
    const h = setUp({ outputFailsAbove: 1 });
    await h.until(h.closed, 15);
    h.supervisor.context.updateConfig({ pollIntervalS: 3 }, 'test');
    await h.until(() => h.sessions.length === 3, 30);
    expect(h.configSource.config().pollIntervalS).toBe(1);
    expect(h.seen).toEqual([1, 3, 1]);
    expect(h.logger.lines.map((line) => line.message)).toContainEqual(
      expect.stringContaining('putting the previous configuration back'),
    );
    await h.stop();
  });

  it('refuses an invalid change with its setting, and changes nothing', async () => {
    const h = setUp();
    await h.until(h.closed, 15);
    expect(() => h.supervisor.context.updateConfig({ pollIntervalS: 99 }, 'test')).toThrow(ConfigChangeError);
    expect(h.configSource.saved).toBe(0);
    expect(h.sessions).toHaveLength(1);
    await h.stop();
  });

  it('a latched fault is saved the moment it latches and carried into the next session', async () => {
    const h = setUp();
    await h.until(h.closed, 15);
    h.pack.module = (address) => (address === 1 ? { hardwareFlags: ['COV'], overVoltageCells: [3] } : {});
    await h.until(() => !h.closed(), 15);
    const latched = () => h.stateStore.saved.at(-1)?.faults?.faults ?? [];
    expect(latched()).toEqual([expect.objectContaining({ kind: 'moduleHardwareFault', chipFlags: ['COV'] })]);
    h.pack.module = () => ({});
    h.supervisor.context.updateConfig({ pollIntervalS: 2 }, 'test');
    await h.until(() => h.sessions.length === 2, 30);
    await h.clock.advanceByMs(20_000);
    // Still latched in the new session: the contactors stay open until an operator acknowledges.
    expect(h.closed()).toBe(false);
    expect(h.supervisor.context.status().faults).toEqual([
      expect.objectContaining({ kind: 'moduleHardwareFault', latched: true }),
    ]);
    await h.stop();
  });

  it('starts from what the state store kept, and the first save happens at once', async () => {
    const first = setUp();
    await first.until(first.closed, 15);
    first.pack.module = (address) => (address === 1 ? { hardwareFlags: ['COV'], overVoltageCells: [3] } : {});
    await first.until(() => !first.closed(), 15);
    await first.stop();
    const kept = first.stateStore.saved.at(-1) ?? null;
    const second = setUp({ state: kept });
    expect(second.stateStore.saved).toHaveLength(1);
    await second.clock.advanceByMs(20_000);
    expect(second.closed()).toBe(false);
    await second.stop();
  });
});

describe('BmsSupervisor with a table of setting effects', () => {
  const live = (bms: Bms, config: BmsSettings) => bms.reconfigure(buildBmsConfig(config));
  const lowerChargeCurrent = { limits: { maxChargeCurrentA: 40 } };
  const restarted = (h: ReturnType<typeof setUp>) =>
    h.logger.lines.filter((line) => line.message.startsWith('restarting'));

  it('a live change is applied to the running core: no restart, the contactors stay closed', async () => {
    const h = setUp({ settingEffects: BMS_SETTING_EFFECTS, reconfigure: live });
    await h.until(h.closed, 15);
    const update = h.supervisor.context.updateConfig(lowerChargeCurrent, 'test');
    expect(update).toMatchObject({ changedPaths: ['limits'], effect: 'live', restart: null });
    expect(h.logger.lines.at(-1)?.message).toBe(
      'configuration changed by test, saved and applied to the running core (no restart): limits',
    );
    await h.clock.advanceByMs(60_000);
    expect(h.sessions).toHaveLength(1);
    expect(h.closed()).toBe(true);
    expect(h.supervisor.context.status().limits?.cclA).toBe(40);
    expect(restarted(h)).toEqual([]);
    await h.stop();
  });

  it('a core that cannot take live settings restarts instead', async () => {
    const h = setUp({ settingEffects: BMS_SETTING_EFFECTS });
    await h.until(h.closed, 15);
    expect(h.supervisor.context.updateConfig(lowerChargeCurrent, 'test')).toMatchObject({
      effect: 'restart',
    });
    await h.until(() => h.sessions.length === 2, 30);
    await h.stop();
  });

  it('a core that refuses them restarts instead, and the log says why', async () => {
    const refuse = () => {
      throw new Error('not today');
    };
    const h = setUp({ settingEffects: BMS_SETTING_EFFECTS, reconfigure: refuse });
    await h.until(h.closed, 15);
    expect(h.supervisor.context.updateConfig(lowerChargeCurrent, 'test')).toMatchObject({
      effect: 'restart',
    });
    expect(h.logger.lines.map((line) => line.message)).toContain(
      'the change could not be applied to the running core (not today): restarting instead',
    );
    await h.until(() => h.sessions.length === 2, 30);
    await h.stop();
  });

  it('an outputs change restarts the outputs only, after the settle time; one that cannot start brings the previous settings back', async () => {
    // The probe reads the poll interval: here it stands for an output's own section.
    const h = setUp({
      settingEffects: { ...BMS_SETTING_EFFECTS, pollIntervalS: 'outputs' },
      reconfigure: live,
      outputFailsAbove: 2,
    });
    await h.until(h.closed, 15);
    expect(h.supervisor.context.updateConfig({ pollIntervalS: 2 }, 'test')).toMatchObject({
      effect: 'outputs',
      restart: null,
    });
    expect(h.seen).toEqual([1]);
    await h.clock.advanceByMs(600);
    expect(h.seen).toEqual([1, 2]);
    // A burst joins one restart of the outputs.
    h.supervisor.context.updateConfig({ pollIntervalS: 3 }, 'test');
    h.supervisor.context.updateConfig({ pollIntervalS: 4 }, 'test');
    await h.clock.advanceByMs(600);
    expect(h.seen).toEqual([1, 2, 4, 2]);
    expect(h.configSource.config().pollIntervalS).toBe(2);
    expect(h.sessions).toHaveLength(1);
    expect(h.closed()).toBe(true);
    await h.stop();
  });
});
