import * as path from 'node:path';
import {
  decodeVictronFrame,
  parseCandumpLine,
  VictronFrameId,
  type CandumpRecord,
  type DecodedVictronMessage,
} from '@tsbms/inverter-can';
import type { GuestResults, StatusSample } from './victron-can-guest';
import { RECORD_BEFORE_FAULT_MS } from './victron-can-guest';
import type { LogLine } from './process-harness';
import { runInUserModeLinux, userModeLinuxTimeoutMs, type GuestRun } from '@tsbms/test-support';
import { workspaceRoot } from './process-harness';

/*
 * Issue 6 end to end on a real SocketCAN interface: tools/with-vcan boots user-mode Linux with
 * vcan0, where e2e/victron-can-guest.ts runs the emulator app and the controller
 * (`--serial` on a socat pty pair, `--can vcan0`) with `candump -L vcan0` recording. The guest
 * prints what it saw; every assertion is here. The controller's own status comes from its HTTP
 * output (GET /api/status, sampled every 0.5 s) and its JSON log; candump timestamps and log
 * `time` share the guest clock.
 */

interface Frame {
  readonly atMs: number;
  readonly id: number;
  readonly message: DecodedVictronMessage;
}

const REQUIRED_IDS = [
  0x351, 0x355, 0x356, 0x35a, 0x35e, 0x35f, 0x372, 0x373, 0x374, 0x375, 0x376, 0x377, 0x379,
];

let run: GuestRun<GuestResults>['run'];
let results: GuestResults;
let frames: Frame[];

const framesOf = <K extends DecodedVictronMessage['kind']>(kind: K, fromMs = 0, toMs = Infinity) =>
  frames.filter((f) => f.message.kind === kind && f.atMs >= fromMs && f.atMs < toMs) as Array<
    Frame & { message: Extract<DecodedVictronMessage, { kind: K }> }
  >;
const logLine = (match: (line: LogLine) => boolean): LogLine => {
  const line = results.log.find(match);
  if (!line) throw new Error(`no such log line in:\n${results.log.map((l) => l.msg).join('\n')}`);
  return line;
};
const publishingAtMs = () => logLine((l) => l.event === 'can' && /first valid scan/.test(l.msg)).time;
const overVoltageFaultAtMs = () =>
  logLine(
    (l) => l.event === 'fault' && l.type === 'raise' && l.kind === 'cellOverVoltage' && l.level === 'fault',
  ).time;
const round = (value: number, step: number) => Math.round(value / step) * step;

beforeAll(() => {
  ({ run, results } = runInUserModeLinux<GuestResults>({
    script: path.join(workspaceRoot, 'apps', 'controller', 'src', 'e2e', 'victron-can-guest.ts'),
    timeoutS: 150,
  }));
  frames = (results.candump ?? [])
    .map(parseCandumpLine)
    .filter((r): r is CandumpRecord => r !== null)
    .map((r) => ({ atMs: r.timestampS * 1000, id: r.frame.id, message: decodeVictronFrame(r.frame) }));
}, userModeLinuxTimeoutMs(150));

describe('controller --can vcan0 in user-mode Linux', () => {
  it('runs every step in the guest and the controller exits cleanly', () => {
    expect(results.failure).toBeUndefined();
    expect(run.status).toBe(0);
    expect(results.controllerExitCode).toBe(0);
    expect(results.statusSamples.length).toBeGreaterThan(10);
  });

  it('records at least 5 s of publishing with every required id and no 0x351 gap over 1.5 s', () => {
    const startMs = publishingAtMs();
    const endMs = results.interfaceDownAtMs ?? 0;
    expect((results.faultInjectedAtMs ?? 0) - startMs).toBeGreaterThanOrEqual(RECORD_BEFORE_FAULT_MS - 100);
    const seen = new Set(frames.filter((f) => f.atMs >= startMs && f.atMs < endMs).map((f) => f.id));
    for (const id of REQUIRED_IDS)
      expect({ id: id.toString(16), seen: seen.has(id) }).toEqual({ id: id.toString(16), seen: true });
    // Nothing at or above 0x400 (V-1), and nothing before the first valid scan (V-5).
    expect(frames.filter((f) => f.id >= 0x400)).toEqual([]);
    expect(frames.filter((f) => f.id !== VictronFrameId.GX_KEEP_ALIVE && f.atMs < startMs)).toEqual([]);
    const times = framesOf('chargeLimits', startMs, endMs).map((f) => f.atMs);
    expect((times.at(-1) ?? NaN) - times[0]).toBeGreaterThanOrEqual(5000);
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(1500);
  });

  it("decodes to the controller's own status at that time (GET /api/status)", () => {
    const sampled = results.statusSamples.filter((s) => s.atMs < (results.faultInjectedAtMs ?? 0));
    // Frames are compared while the samples were taken, each with the status of its scan (the
    // status's own timestampMs, on the guest's clock like candump's): a loaded guest may answer a
    // GET after the next scan, later than it was sent.
    const firstSampleMs = sampled[0].atMs;
    const lastSampleMs = sampled.at(-1)?.atMs ?? 0;
    const samples = sampled
      .map((s) => ({ ...s, atMs: (s.status.timestampMs as number | null) ?? s.atMs }))
      .sort((x, y) => x.atMs - y.atMs);
    // The scan interval, as the samples saw it: the median step between two sampled scans.
    const steps = samples
      .slice(1)
      .map((s, i) => s.atMs - samples[i].atMs)
      .filter((step) => step > 0)
      .sort((x, y) => x - y);
    const scanIntervalMs = steps[Math.floor(steps.length / 2)];
    // The frame after a scan carries that scan's values or, if a scan landed in between, the next
    // one's. Where the samples missed a scan (a loaded guest answered late), that scan's values are
    // nowhere to compare with: such a frame is left out (`compared` bounds how many may be).
    const candidates = (frameAtMs: number): StatusSample[] | null => {
      const before = samples.filter((s) => s.atMs <= frameAtMs).at(-1);
      const after = samples.find((s) => s.atMs > frameAtMs);
      if (before !== undefined && after !== undefined && after.atMs - before.atMs > 1.5 * scanIntervalMs)
        return null;
      return [before, after].filter((s): s is StatusSample => s !== undefined);
    };
    let compared = 0;
    for (const frame of frames.filter((f) => f.atMs > firstSampleMs && f.atMs < lastSampleMs)) {
      const around = candidates(frame.atMs);
      if (around === null) continue;
      const expected = around.map((sample) => {
        const s = sample.status as {
          limits: { cvlV: number; cclA: number; dclA: number } | null;
          socPercent: number;
          packVoltageV: number;
          modules: Array<{ temperaturesC: Array<number | null> }>;
        };
        const temperatures = s.modules.flatMap((m) => m.temperaturesC).filter((t): t is number => t !== null);
        const meanC = temperatures.reduce((a, b) => a + b, 0) / temperatures.length;
        switch (frame.message.kind) {
          case 'chargeLimits':
            return (
              s.limits && [round(s.limits.cvlV, 0.1), round(s.limits.cclA, 0.1), round(s.limits.dclA, 0.1)]
            );
          case 'stateOfCharge':
            return [Math.round(s.socPercent), round(s.socPercent, 0.01)];
          case 'measurements':
            return [round(s.packVoltageV, 0.01), round(meanC, 0.1)];
          default:
            return null;
        }
      });
      const m = frame.message;
      const actual =
        m.kind === 'chargeLimits'
          ? [m.chargeVoltageLimitV, m.chargeCurrentLimitA, m.dischargeCurrentLimitA]
          : m.kind === 'stateOfCharge'
            ? [m.stateOfChargePercent, m.stateOfChargeHighResPercent]
            : m.kind === 'measurements'
              ? [m.batteryVoltageV, m.batteryTemperatureC]
              : null;
      if (actual === null) continue;
      const matches = expected.some(
        (values) => values !== null && values.every((v, i) => Math.abs(v - (actual[i] ?? NaN)) < 1e-6),
      );
      expect({ at: frame.atMs, kind: m.kind, actual, matches }).toEqual({
        at: frame.atMs,
        kind: m.kind,
        actual,
        matches: true,
      });
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(15);
  });

  it('reports the GX keep-alive (0x305 from cansend) in its status', () => {
    const can = results.statusSamples.map(
      (s) =>
        (s.status.outputs as Record<string, { message: string; details: { inverterSeen: boolean } }>).can,
    );
    expect(can.some((c) => c.details.inverterSeen && /^vcan0: GX seen \d+\.\d s ago$/.test(c.message))).toBe(
      true,
    );
  });

  it('an over-voltage shows as a 0x35A alarm and zero current limits in 0x351 within 2 s; CVL never 0', () => {
    const faultAtMs = overVoltageFaultAtMs();
    const alarm = framesOf('alarms', faultAtMs).find((f) => f.message.items.highVoltage.alarm === 'active');
    expect(alarm).toBeDefined();
    expect((alarm?.atMs ?? Infinity) - faultAtMs).toBeLessThanOrEqual(2000);
    const before = framesOf('alarms', publishingAtMs(), results.faultInjectedAtMs ?? 0);
    expect(before.every((f) => f.message.items.highVoltage.alarm === 'ok')).toBe(true);
    // Charge and discharge were allowed on the wire until the fault.
    const lastBefore = framesOf('chargeLimits', publishingAtMs(), results.faultInjectedAtMs ?? 0).at(-1);
    expect(lastBefore?.message.chargeCurrentLimitA).toBeGreaterThan(0);
    expect(lastBefore?.message.dischargeCurrentLimitA).toBeGreaterThan(0);
    const limits = framesOf('chargeLimits', faultAtMs).find(
      (f) => f.message.chargeCurrentLimitA === 0 && f.message.dischargeCurrentLimitA === 0,
    );
    expect(limits).toBeDefined();
    expect((limits?.atMs ?? Infinity) - faultAtMs).toBeLessThanOrEqual(2000);
    expect(framesOf('chargeLimits').every((f) => f.message.chargeVoltageLimitV > 0)).toBe(true);
  });

  it('vcan0 going down: one warning, the BMS keeps scanning, publishing resumes once it is back', () => {
    const downAtMs = results.interfaceDownAtMs ?? 0;
    const upAtMs = results.interfaceUpAtMs ?? 0;
    const warnings = results.log.filter((l) => l.event === 'can' && /unavailable/.test(l.msg));
    expect(warnings).toHaveLength(1);
    expect(warnings[0].time).toBeGreaterThanOrEqual(downAtMs);
    const during = results.statusSamples.filter((s) => s.atMs > warnings[0].time && s.atMs < upAtMs);
    expect(during.length).toBeGreaterThan(0);
    for (const sample of during) {
      expect((sample.status.outputs as Record<string, { state: string }>).can.state).toBe('degraded');
    }
    // Scans went on while CAN was away.
    const scanTimes = during.map((s) => s.status.timestampMs as number);
    expect(scanTimes.at(-1)).toBeGreaterThan(scanTimes[0]);
    const reopened = logLine((l) => l.event === 'can' && /open again/.test(l.msg));
    expect(framesOf('chargeLimits', reopened.time).length).toBeGreaterThanOrEqual(2);
    expect(results.log.filter((l) => l.event === 'fatal')).toEqual([]);
  });
});
