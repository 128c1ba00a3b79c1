import { decodeCovThreshold, Register } from '@tsbms/tesla-protocol';
import { DEFAULT_CONTROLLER_CONFIG, CONTROLLER_SETTING_EFFECTS, type ControllerConfig } from '../config';
import { FILE_ONLY_SETTINGS } from '../config/remote-change-policy';
import type { ControllerServiceFactory } from '../services';
import { removeTemporaryFolders, setUpSupervisedController } from './testing/supervised-controller';

afterAll(removeTemporaryFolders);

/**
 * A new value for every live setting a remote change may make, valid on top of the ones before it,
 * and leaving the emulated pack (2 modules at 3.8 V, 25 °C) healthy: nothing here is a reason to
 * open the contactors. `currentSensorRequired` is one on a pack without a sensor: it has a test of
 * its own.
 */
const LIVE_CHANGES: readonly (readonly [string, unknown])[] = [
  ['pack.moduleCapacityAh', 240],
  ['commsTimeoutS', 15],
  ['cells.cellHighVoltageV', 4.05],
  ['cells.cellLowVoltageV', 3.5],
  ['cells.voltageAlertOffsetV', 0.03],
  ['cells.voltageFaultOffsetV', 0.06],
  ['cells.overVoltageDelayS', 5],
  ['cells.deepDischargeV', 2.9],
  ['cells.voltageHardwareOffsetV', 0.04],
  ['temperature.highTemperatureC', 60],
  ['temperature.lowTemperatureC', 5],
  ['temperature.temperatureWarningOffsetC', 4],
  ['imbalance.maxCellDifferenceV', 0.25],
  ['imbalance.cellDifferenceWarningOffsetV', 0.06],
  ['limits.maxChargeCurrentA', 40],
  ['limits.maxDischargeCurrentA', 80],
  ['limits.chargeHysteresisV', 0.05],
  ['limits.chargeHysteresisTimeS', 20],
  ['limits.chargeMaxTemperatureC', 40],
  // The owner's switches hold CCL / DCL at 0; the contactors stay closed.
  ['limits.chargeAllowed', false],
  ['limits.dischargeAllowed', false],
  [
    'limits.chargeSocTable',
    [
      { input: 0, factor: 1 },
      { input: 90, factor: 0.5 },
    ],
  ],
  [
    'limits.dischargeSocTable',
    [
      { input: 0, factor: 0.5 },
      { input: 20, factor: 1 },
    ],
  ],
  [
    'limits.dischargeLowTemperatureTable',
    [
      { input: -10, factor: 0.5 },
      { input: 10, factor: 1 },
    ],
  ],
  ['balancing.enabled', true],
  ['balancing.balanceVoltageV', 3.95],
  ['balancing.balanceDifferenceV', 0.03],
  ['balancing.balanceMeasureS', 3],
  ['balancing.balanceTimeS', 20],
  ['contactors.contactorNegativeTimeS', 0.3],
  ['contactors.contactorPrechargeTimeS', 0.8],
  ['contactors.contactorOverlapS', 0.3],
  ['heating.heatingOnBelowC', 8],
  ['heating.heatingOffAtC', 12],
  [
    'soc.ocvTable',
    DEFAULT_CONTROLLER_CONFIG.soc.ocvTable.map((point) =>
      point.socPercent === 100 ? { ...point, voltageV: 4.19 } : point,
    ),
  ],
];

/** `{ a: { b: value } }` for `a.b`. */
function patchOf(configPath: string, value: unknown): Record<string, unknown> {
  return configPath
    .split('.')
    .reduceRight<Record<string, unknown>>((inner, key) => ({ [key]: inner }), value as never);
}

function valueAt(config: ControllerConfig, configPath: string): unknown {
  return configPath.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], config);
}

/** An output that counts its starts and stops. */
function countingOutput(counts: { starts: number; stops: number }): ControllerServiceFactory {
  return async () => {
    counts.starts += 1;
    return {
      name: 'counting',
      status: () => ({ state: 'ok', message: 'running' }),
      stop: async () => {
        counts.stops += 1;
      },
    };
  };
}

function liveSetUp() {
  const counts = { starts: 0, stops: 0 };
  // Loosening a safety setting remotely is the file's decision (remote-change-policy.ts).
  const h = setUpSupervisedController([countingOutput(counts)], {
    settings: { remoteChanges: { allowSafetySettings: true } },
  });
  const contactorStates: string[] = [];
  h.supervisor.context.status$.subscribe((status) => contactorStates.push(status.contactors.state));
  const restartLines = () => h.log.filter((line) => line.message.startsWith('restarting'));
  return { ...h, counts, contactorStates, restartLines };
}

describe('live settings on a running controller (virtual time, emulated pack, real config file)', () => {
  jest.setTimeout(60_000);

  it('the test changes every live setting a remote change may make', () => {
    const remotelyChangeable = Object.entries(CONTROLLER_SETTING_EFFECTS)
      .filter(([, effect]) => effect === 'live')
      .map(([configPath]) => configPath)
      .filter(
        (configPath) => !FILE_ONLY_SETTINGS.some((s) => configPath === s || configPath.startsWith(`${s}.`)),
      );
    expect([...LIVE_CHANGES.map(([configPath]) => configPath), 'currentSensorRequired'].sort()).toEqual(
      remotelyChangeable.sort(),
    );
  });

  it('each live setting is applied to the running core: no restart, the contactors stay closed', async () => {
    const h = liveSetUp();
    await h.advanceUntil(h.closed, 15);
    const closedFrom = h.contactorStates.length;

    for (const [configPath, value] of LIVE_CHANGES) {
      const update = h.supervisor.context.updateConfig(patchOf(configPath, value), 'test');
      expect({ configPath, effect: update.effect, changed: update.changedPaths }).toEqual({
        configPath,
        effect: 'live',
        changed: [configPath],
      });
      expect(valueAt(h.supervisor.context.config(), configPath)).toEqual(value);
      expect(h.log.at(-1)?.message).toBe(
        `configuration changed by test, saved and applied to the running core (no restart): ${configPath}`,
      );
      await h.clock.advanceByMs(3_000);
      expect({ configPath, closed: h.closed() }).toEqual({ configPath, closed: true });
    }

    // The whole time: every scan saw them closed, nothing restarted, the output ran on.
    expect(new Set(h.contactorStates.slice(closedFrom))).toEqual(new Set(['CLOSED']));
    expect(h.restartLines()).toEqual([]);
    expect(h.counts).toEqual({ starts: 1, stops: 0 });
    // What the running core does with them: charging and discharging are switched off, and the boards
    // hold the new hardware COV (T-18): fault level 4.05 + 0.06 V, plus the 0.04 V hardware offset (4.2 V before).
    expect(h.supervisor.context.status().limits).toMatchObject({ cclA: 0, dclA: 0 });
    const boardCovV = h.chain
      .snapshot()
      .modules.map((m) => decodeCovThreshold(m.registers[Register.CONFIG_COV]));
    expect(boardCovV).toEqual([4.15, 4.15]);
    expect(h.supervisor.context.status().faults).toEqual([]);
    await h.stop();
  });

  it('a live setting whose new value is itself a reason to open acts without a restart', async () => {
    const h = liveSetUp();
    await h.advanceUntil(h.closed, 15);
    // No sensor is fitted: requiring one raises its fault, which opens the contactors (B-13).
    const update = h.supervisor.context.updateConfig({ currentSensorRequired: true }, 'test');
    expect(update.effect).toBe('live');
    await h.advanceUntil(() => !h.closed(), 30);
    expect(h.supervisor.context.status().contactors).toMatchObject({ state: 'OPEN', openReason: 'fault' });
    expect(h.restartLines()).toEqual([]);
    await h.stop();
  });

  it('an output section restarts the outputs only: the core runs on with its contactors closed', async () => {
    const h = liveSetUp();
    await h.advanceUntil(h.closed, 15);
    const closedFrom = h.contactorStates.length;
    const update = h.supervisor.context.updateConfig({ inverter: { bitRateKbps: 250 } }, 'test');
    expect(update).toMatchObject({
      effect: 'outputs',
      restart: null,
      changedPaths: ['inverter.bitRateKbps'],
    });
    await h.clock.advanceByMs(5_000);
    expect(h.counts).toEqual({ starts: 2, stops: 1 });
    expect(h.restartLines().map((line) => line.message)).toEqual([
      'restarting the outputs (the core runs on, the contactors stay as they are): configuration changed by test',
    ]);
    expect(new Set(h.contactorStates.slice(closedFrom))).toEqual(new Set(['CLOSED']));
    await h.stop();
  });

  it('a structural setting still restarts the core: the contactors open and close again', async () => {
    const h = liveSetUp();
    await h.advanceUntil(h.closed, 15);
    const update = h.supervisor.context.updateConfig({ pollIntervalS: 1 }, 'test');
    expect(update).toMatchObject({ effect: 'restart', restart: { accepted: true } });
    await h.advanceUntil(() => !h.closed(), 10);
    await h.advanceUntil(h.closed, 30);
    expect(h.restartLines()).toHaveLength(1);
    expect(h.counts).toEqual({ starts: 2, stops: 1 });
    await h.stop();
  });
});
