import { getAtPath, setAtPath } from '@tsbms/bms-core';
import { parseControllerConfig } from './index';
import { configErrorOf } from './testing/config-error';
import { isDurationRateCurrentOrCount, numberSettingRanges } from './testing/setting-ranges';

/** The error a document is rejected with (fails the test if it is accepted). */
const rejection = (document: unknown) => configErrorOf(() => parseControllerConfig(document, 'config.yaml'));

/** `companions` (what the library checks need beside the value) with `value` at `path`. */
function documentWith(path: string, value: number, companions: object): object {
  const document = structuredClone(companions) as Record<string, unknown>;
  setAtPath(document, path.split('.'), value);
  return document;
}

/** Every upper bound as decided (reasons in schema.ts), with what its maximum needs beside it. */
const UPPER_BOUNDS: readonly [path: string, max: number, unit: string, companions: object][] = [
  ['serial.baudRate', 3_000_000, 'baud', {}],
  ['serial.replyTimeoutMs', 1000, 'ms', {}],
  ['pack.moduleCount', 62, 'modules', {}],
  ['pack.parallelStringCount', 62, 'strings', { pack: { moduleCount: 62 } }],
  ['pollIntervalS', 10, 's', { commsTimeoutS: 60 }],
  ['commsTimeoutS', 60, 's', {}],
  ['cells.overVoltageDelayS', 60, 's', {}],
  ['limits.maxChargeCurrentA', 3000, 'A', {}],
  ['limits.maxDischargeCurrentA', 3000, 'A', {}],
  ['limits.chargeHysteresisTimeS', 3600, 's', {}],
  ['balancing.balanceMeasureS', 60, 's', {}],
  ['balancing.balanceTimeS', 600, 's', {}],
  ['contactors.contactorNegativeTimeS', 10, 's', {}],
  ['contactors.contactorPrechargeTimeS', 30, 's', {}],
  ['contactors.contactorOverlapS', 10, 's', {}],
  ['emulator.cycleCurrentA', 3000, 'A', {}],
  ['emulator.cyclePeriodS', 86_400, 's', {}],
  ['inverter.reconnect.initialDelayS', 3600, 's', { inverter: { reconnect: { maxDelayS: 3600 } } }],
  ['inverter.reconnect.maxDelayS', 3600, 's', {}],
  ['mqtt.reconnect.initialDelayS', 3600, 's', { mqtt: { reconnect: { maxDelayS: 3600 } } }],
  ['mqtt.reconnect.maxDelayS', 3600, 's', {}],
  ['mqtt.fullRefreshIntervalS', 3600, 's', {}],
  ['http.historyIntervalS', 3600, 's', {}],
  ['history.flushIntervalS', 300, 's', {}],
  ['history.scanRingMinutes', 1440, 'min', {}],
  ['influxdb.intervalS', 3600, 's', {}],
  ['influxdb.flushIntervalS', 3600, 's', {}],
  ['influxdb.timeoutMs', 60_000, 'ms', {}],
  ['notifications.quietPeriodS', 86_400, 's', {}],
  ['notifications.reminderIntervalS', 172_800, 's', {}],
  ['notifications.retry.initialDelayS', 3600, 's', { notifications: { retry: { maxDelayS: 3600 } } }],
  ['notifications.retry.maxDelayS', 3600, 's', {}],
];

/** Node's setTimeout fires after 1 ms instead of any delay above this. */
const MAX_TIMER_MS = 2 ** 31 - 1;

describe('setting bounds', () => {
  const ranges = numberSettingRanges();

  it.each(UPPER_BOUNDS)(
    '%s: %d accepted, just over refused with the bound and why',
    (path, max, unit, companions) => {
      const accepted = parseControllerConfig(documentWith(path, max, companions), 'config.yaml');
      expect(getAtPath(accepted, path)).toBe(max);

      const justOver = ranges.get(path)?.integer ? max + 1 : max * (1 + 1e-9);
      const error = rejection(documentWith(path, justOver, companions));
      // Only this setting (an initial delay over the bound also exceeds maxDelayS, said as well).
      expect(new Set(error.issues.map((issue) => issue.configPath))).toEqual(new Set([path]));
      // `PATH: at most MAX UNIT: ` and a reason of a few words.
      expect(error.message.split('\n')).toContainEqual(
        expect.stringMatching(
          new RegExp(`^config\\.yaml: ${path.replace(/\./g, '\\.')}: at most ${max} ${unit}: \\S.{20,}$`),
        ),
      );
    },
  );

  it('refuses the review’s over-voltage delay of 1e12 s, which would switch the fault off', () => {
    expect(rejection({ cells: { overVoltageDelayS: 1e12 } }).message).toBe(
      'config.yaml: cells.overVoltageDelayS: at most 60 s: beyond that a cell sits above the fault level unprotected for a minute',
    );
  });

  it('bounds every duration, rate, current and count of the schema, each tested above', () => {
    const bounded = [...ranges.keys()].filter(isDurationRateCurrentOrCount).sort();
    expect(bounded).toEqual(UPPER_BOUNDS.map(([path]) => path).sort());
  });

  it('keeps every timer a duration can arm far below 2^31 − 1 ms', () => {
    for (const [path, range] of ranges) {
      const maxMs = path.endsWith('Ms') ? range.max : path.endsWith('S') ? range.max * 1000 : 0;
      expect({ path, fits: maxMs <= MAX_TIMER_MS / 10 }).toEqual({ path, fits: true });
    }
  });

  it.each([
    ['serial.baudRate', 300, 299, 'Too small: expected number to be >=300'],
    [
      'serial.replyTimeoutMs',
      5,
      4.9,
      'at least 5 ms: a reply spends 0.4 ms on the wire, then at least 1 ms in a USB adapter',
    ],
    ['pack.moduleCount', 1, 0, 'Too small: expected number to be >=1'],
    ['pack.parallelStringCount', 1, 0, 'Too small: expected number to be >=1'],
    ['cells.overVoltageDelayS', 0, -0.1, 'Too small: expected number to be >=0'],
    ['limits.chargeHysteresisTimeS', 0, -0.1, 'Too small: expected number to be >=0'],
    ['emulator.cycleCurrentA', 0, -0.1, 'Too small: expected number to be >=0'],
    ['pollIntervalS', 0.001, 0, 'Too small: expected number to be >0'],
    ['limits.maxChargeCurrentA', 0.1, 0, 'Too small: expected number to be >0'],
    ['contactors.contactorPrechargeTimeS', 0.1, 0, 'Too small: expected number to be >0'],
    ['mqtt.reconnect.initialDelayS', 0.1, 0, 'Too small: expected number to be >0'],
  ])('%s: %d accepted, %d refused', (path, lowest, below, reason) => {
    expect(getAtPath(parseControllerConfig(documentWith(path, lowest, {}), 'config.yaml'), path)).toBe(
      lowest,
    );
    expect(rejection(documentWith(path, below, {})).message).toBe(`config.yaml: ${path}: ${reason}`);
  });
});
