import * as path from 'node:path';
import {
  decodePylontechFrame,
  decodeSmaFrame,
  parseCandumpLine,
  type CandumpRecord,
  type DecodedPylontechMessage,
  type DecodedSmaMessage,
} from '@tsbms/inverter-can';
import { runInUserModeLinux, userModeLinuxTimeoutMs, type GuestRun } from '@tsbms/test-support';
import { workspaceRoot, type LogLine } from './process-harness';
import type { ProfileRun, ProfilesGuestResults } from './inverter-profiles-guest';
import { PROFILE_RECORD_BEFORE_FAULT_MS } from './inverter-profiles-guest';

/*
 * Issue 14 end to end on a real SocketCAN interface: tools/with-vcan boots user-mode Linux with
 * vcan0, where e2e/inverter-profiles-guest.ts runs the controller on the emulator over a pty with
 * `--can vcan0 --inverter pylontech`, then `--inverter sma-sunny-island`, recording with candump
 * and playing the inverter's 0x305 with cansend. Every assertion is here. candump timestamps and
 * the controller's log `time` share the guest clock. The Victron profile (the default) is
 * victron-can.spec.ts's.
 */

// Two controllers, one after the other, in one boot: a loaded CI machine needs more than one run's 150 s.
const TIMEOUT_S = 300;
const INVERTER_KEEP_ALIVE = 0x305;

interface Frame<M> {
  readonly atMs: number;
  readonly id: number;
  readonly length: number;
  readonly message: M;
}

let run: GuestRun<ProfilesGuestResults>['run'];
let runs: readonly ProfileRun[];

beforeAll(() => {
  ({
    run,
    results: { runs },
  } = runInUserModeLinux<ProfilesGuestResults>({
    script: path.join(workspaceRoot, 'apps', 'controller', 'src', 'e2e', 'inverter-profiles-guest.ts'),
    timeoutS: TIMEOUT_S,
  }));
}, userModeLinuxTimeoutMs(TIMEOUT_S));

const runOf = (profile: string): ProfileRun => {
  const found = runs?.find((r) => r.profile === profile);
  if (found === undefined) throw new Error(`no run of ${profile}: ${run.stderr.slice(-2000)}`);
  return found;
};
const framesOf = <M>(result: ProfileRun, decode: (record: CandumpRecord['frame']) => M): Frame<M>[] =>
  result.candump
    .map(parseCandumpLine)
    .filter((r): r is CandumpRecord => r !== null)
    .map((r) => ({
      atMs: r.timestampS * 1000,
      id: r.frame.id,
      length: r.frame.data.length,
      message: decode(r.frame),
    }));
const logLine = (result: ProfileRun, match: (line: LogLine) => boolean): LogLine => {
  const line = result.log.find(match);
  if (!line) throw new Error(`no such log line in:\n${result.log.map((l) => l.msg).join('\n')}`);
  return line;
};
const publishingAtMs = (result: ProfileRun) =>
  logLine(result, (l) => l.event === 'can' && /first valid scan/.test(l.msg)).time;
const overVoltageAtMs = (result: ProfileRun) =>
  logLine(
    result,
    (l) => l.event === 'fault' && l.type === 'raise' && l.kind === 'cellOverVoltage' && l.level === 'fault',
  ).time;

/** The profile's frame set on its 1 s schedule, between the first valid scan and the fault. */
function expectScheduled<M>(result: ProfileRun, frames: Frame<M>[], ids: readonly number[]): void {
  const startMs = publishingAtMs(result);
  const endMs = result.faultInjectedAtMs ?? 0;
  expect(endMs - startMs).toBeGreaterThanOrEqual(PROFILE_RECORD_BEFORE_FAULT_MS - 100);
  const ours = frames.filter((f) => f.id !== INVERTER_KEEP_ALIVE);
  // Nothing before the first valid scan (P-8, S-9 as V-5), nothing outside the set, DLC 8 (P-1, S-2).
  expect(ours.filter((f) => f.atMs < startMs)).toEqual([]);
  expect([...new Set(ours.map((f) => f.id))].sort()).toEqual([...ids].sort());
  expect(ours.filter((f) => f.length !== 8)).toEqual([]);
  for (const id of ids) {
    const times = ours.filter((f) => f.id === id && f.atMs >= startMs && f.atMs < endMs).map((f) => f.atMs);
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    expect({ id: id.toString(16), count: times.length >= 5, maxGapOk: Math.max(...gaps) <= 1500 }).toEqual({
      id: id.toString(16),
      count: true,
      maxGapOk: true,
    });
  }
}

/** The output's status as sampled over HTTP: the profile, the inverter seen, the bit rate read from vcan0. */
function expectStatus(result: ProfileRun, peer: string): void {
  const can = result.statusSamples.map(
    (s) =>
      (
        s.status.outputs as Record<
          string,
          {
            state: string;
            message: string;
            details: { profile: string; interfaceBitRateKbps: number | null };
          }
        >
      ).can,
  );
  expect(can.length).toBeGreaterThan(5);
  expect(can.every((c) => c.details.profile === result.profile)).toBe(true);
  expect(can.some((c) => new RegExp(`^vcan0: ${peer} seen \\d+\\.\\d s ago$`).test(c.message))).toBe(true);
  // The real `ip` answered for vcan0: no bit timing there, so nothing to compare, and no warning.
  expect(can.every((c) => c.details.interfaceBitRateKbps === null)).toBe(true);
  expect(result.log.filter((l) => l.event === 'can' && l.level === 'warn' && /bit rate/.test(l.msg))).toEqual(
    [],
  );
}

describe('controller --can vcan0 --inverter pylontech in user-mode Linux', () => {
  let result: ProfileRun;
  let frames: Frame<DecodedPylontechMessage>[];
  beforeAll(() => {
    result = runOf('pylontech');
    frames = framesOf(result, decodePylontechFrame);
  });
  const ofKind = <K extends DecodedPylontechMessage['kind']>(kind: K, fromMs = 0, toMs = Infinity) =>
    frames.filter((f) => f.message.kind === kind && f.atMs >= fromMs && f.atMs < toMs) as Array<
      Frame<Extract<DecodedPylontechMessage, { kind: K }>>
    >;

  it('runs every step and the controller exits cleanly', () => {
    expect(result.failure).toBeUndefined();
    expect(result.controllerExitCode).toBe(0);
  });

  it('sends 0x359, 0x351, 0x355, 0x356, 0x35C and 0x35E every second, nothing else (P-1, P-8)', () => {
    expectScheduled(result, frames, [0x351, 0x355, 0x356, 0x359, 0x35c, 0x35e]);
    expect(ofKind('manufacturer')[0].message.name).toBe('PYLON');
    expect(ofKind('protectionAlarms')[0].message.productCode).toBe('PN');
  });

  it('reports the inverter it hears, on the profile it runs', () => expectStatus(result, 'inverter'));

  it('an over-voltage sets 0x359 protection and alarm bits, zeroes CCL and DCL and clears the enables within 2 s', () => {
    const faultAtMs = overVoltageAtMs(result);
    const before = ofKind('protectionAlarms', publishingAtMs(result), result.faultInjectedAtMs ?? 0);
    expect(before.every((f) => !f.message.protection.overVoltage && !f.message.alarms.highVoltage)).toBe(
      true,
    );
    const lastLimits = ofKind('chargeLimits', 0, result.faultInjectedAtMs ?? 0).at(-1)?.message;
    expect(lastLimits?.chargeCurrentLimitA).toBeGreaterThan(0);
    expect(lastLimits?.dischargeCurrentLimitA).toBeGreaterThan(0);
    expect(
      ofKind('requestFlags', 0, result.faultInjectedAtMs ?? 0).at(-1)?.message.requests.chargeEnable,
    ).toBe(true);

    const protection = ofKind('protectionAlarms', faultAtMs).find((f) => f.message.protection.overVoltage);
    expect(protection?.message.alarms.highVoltage).toBe(true);
    expect((protection?.atMs ?? Infinity) - faultAtMs).toBeLessThanOrEqual(2000);
    const zeroed = ofKind('chargeLimits', faultAtMs).find(
      (f) => f.message.chargeCurrentLimitA === 0 && f.message.dischargeCurrentLimitA === 0,
    );
    expect((zeroed?.atMs ?? Infinity) - faultAtMs).toBeLessThanOrEqual(2000);
    const disabled = ofKind('requestFlags', faultAtMs).find((f) => !f.message.requests.chargeEnable);
    expect((disabled?.atMs ?? Infinity) - faultAtMs).toBeLessThanOrEqual(2000);
    // CVL never 0, no force or full charge request ever (P-3, P-6).
    expect(ofKind('chargeLimits').every((f) => f.message.chargeVoltageLimitV > 0)).toBe(true);
    expect(
      ofKind('requestFlags').every(
        (f) =>
          !f.message.requests.forceChargeI &&
          !f.message.requests.forceChargeII &&
          !f.message.requests.fullCharge,
      ),
    ).toBe(true);
  });
});

describe('controller --can vcan0 --inverter sma-sunny-island in user-mode Linux', () => {
  let result: ProfileRun;
  let frames: Frame<DecodedSmaMessage>[];
  beforeAll(() => {
    result = runOf('sma-sunny-island');
    frames = framesOf(result, decodeSmaFrame);
  });
  const ofKind = <K extends DecodedSmaMessage['kind']>(kind: K, fromMs = 0, toMs = Infinity) =>
    frames.filter((f) => f.message.kind === kind && f.atMs >= fromMs && f.atMs < toMs) as Array<
      Frame<Extract<DecodedSmaMessage, { kind: K }>>
    >;

  it('runs every step and the controller exits cleanly', () => {
    expect(result.failure).toBeUndefined();
    expect(result.controllerExitCode).toBe(0);
    // The guest ran to its end: both profiles' controllers exited.
    expect(run.status).toBe(0);
  });

  it('sends 0x351, 0x355, 0x356, 0x35A, 0x35E and 0x35F every second, nothing else (S-1, S-2, S-9)', () => {
    expectScheduled(result, frames, [0x351, 0x355, 0x356, 0x35a, 0x35e, 0x35f]);
    // HiResSOC always there (S-4).
    expect(ofKind('stateOfCharge').every((f) => f.message.stateOfChargeHighResPercent !== null)).toBe(true);
  });

  it('reports the Sunny Island it hears, on the profile it runs', () => expectStatus(result, 'Sunny Island'));

  it('an over-voltage raises the 0x35A high-voltage alarm and zeroes CCL within 2 s; CVL never below the pack (S-5, S-10)', () => {
    const faultAtMs = overVoltageAtMs(result);
    const before = ofKind('alarms', publishingAtMs(result), result.faultInjectedAtMs ?? 0);
    expect(before.length).toBeGreaterThan(0);
    expect(before.every((f) => f.message.items.highVoltage.alarm === 'ok')).toBe(true);
    expect(
      ofKind('chargeLimits', 0, result.faultInjectedAtMs ?? 0).at(-1)?.message.chargeCurrentLimitA,
    ).toBeGreaterThan(0);
    const alarm = ofKind('alarms', faultAtMs).find((f) => f.message.items.highVoltage.alarm === 'active');
    expect((alarm?.atMs ?? Infinity) - faultAtMs).toBeLessThanOrEqual(2000);
    const zeroed = ofKind('chargeLimits', faultAtMs).find((f) => f.message.chargeCurrentLimitA === 0);
    expect((zeroed?.atMs ?? Infinity) - faultAtMs).toBeLessThanOrEqual(2000);
    // The 12S pack is at about 47.6 V: CVL inside the accepted 41..63 V and not below the pack.
    const pack = ofKind('measurements', faultAtMs).find((f) => f.atMs >= (zeroed?.atMs ?? Infinity));
    expect(pack?.message.batteryVoltageV).toBeGreaterThan(41);
    expect(zeroed?.message.chargeVoltageLimitV).toBeLessThanOrEqual(63);
    expect(zeroed?.message.chargeVoltageLimitV).toBeGreaterThanOrEqual(
      (pack?.message.batteryVoltageV ?? Infinity) - 0.1,
    );
  });
});
