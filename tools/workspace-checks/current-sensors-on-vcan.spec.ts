import * as path from 'node:path';
import { runInUserModeLinux, userModeLinuxTimeoutMs, type GuestRun } from '@tsbms/test-support';

/*
 * The CAN shunt drivers on the real Linux CAN path (issue 13): tools/with-vcan boots user-mode
 * Linux with vcan0 up, and the guest script reads an IVT-S and a LEM CAB through hal-linux's
 * SocketCanBus while other sockets send: the emulated shunts (the CAB on a SocketCanBus, the
 * IVT-S through cansend, since its factory ids are at or above 0x400 and SocketCanBus sends none
 * of those) and cansend with frames laid out by hand, some of which must be dropped.
 */
const guestScript = path.join(__dirname, 'guest', 'current-sensors-on-vcan.ts');

interface Sample {
  timeMs: number;
  currentA: number;
  quality: string;
}
interface Counters {
  samples: number;
  dropped: number;
}
interface GuestResults {
  failure?: string;
  lemEmulated?: Sample[];
  cabSendFailures?: number;
  ivtEmulated?: {
    current: Sample[];
    busVoltage: { timeMs: number; voltageV: number }[];
    charge: { timeMs: number; chargeAh: number }[];
  };
  shuntSendFailures?: number;
  handWritten?: {
    current: Sample[];
    busVoltage: { voltageV: number }[];
    charge: { chargeAh: number }[];
    lem: Sample[];
  };
  countersBefore?: { ivt: Counters; lem: Counters };
  afterDrops?: { ivt: Sample[]; lem: Sample[] };
  countersAfter?: { ivt: Counters; lem: Counters };
  log?: string[];
}

let run: GuestRun<GuestResults>['run'];
let results: GuestResults;

beforeAll(() => {
  ({ run, results } = runInUserModeLinux<GuestResults>({ script: guestScript }));
}, userModeLinuxTimeoutMs());

describe('the CAN shunt drivers on vcan0, in user-mode Linux', () => {
  it('runs every step in the guest', () => {
    expect(results.failure).toBeUndefined();
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('reads the emulated LEM CAB at 0x3C2: -123.456 A, good, in time order', () => {
    const samples = results.lemEmulated ?? [];
    expect(samples.map((s) => [s.currentA, s.quality])).toEqual([
      [-123.456, 'good'],
      [-123.456, 'good'],
      [-123.456, 'good'],
    ]);
    const times = samples.map((s) => s.timeMs);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(results.cabSendFailures).toBe(0);
  });

  it('reads the emulated IVT-S at 0x521, 0x522 and 0x527: 87.5 A, U1 51.2 V and a growing As counter', () => {
    const emulated = results.ivtEmulated;
    expect(emulated?.current.map((s) => [s.currentA, s.quality])).toEqual([
      [87.5, 'good'],
      [87.5, 'good'],
      [87.5, 'good'],
    ]);
    expect(emulated?.busVoltage.map((s) => s.voltageV)).toEqual([51.2]);
    // At least one 250 ms cycle of 87.5 A, counted in whole As: more than 0, far less than 1 Ah.
    const chargeAh = emulated?.charge[0]?.chargeAh ?? NaN;
    expect(chargeAh).toBeGreaterThan(0);
    expect(chargeAh).toBeLessThan(0.1);
    expect(results.shuntSendFailures).toBe(0);
  });

  it('decodes the frames cansend put on the bus as the documents say', () => {
    const hand = results.handWritten;
    expect(hand?.current.map((s) => [s.currentA, s.quality])).toEqual([[100, 'good']]);
    expect(hand?.busVoltage.map((s) => s.voltageV)).toEqual([52.41]);
    expect(hand?.charge.map((s) => s.chargeAh)).toEqual([-1]);
    expect(hand?.lem.map((s) => [s.currentA, s.quality])).toEqual([[-123.456, 'good']]);
  });

  it('drops and counts the error-flagged and malformed frames, and reads the next good ones', () => {
    expect(results.afterDrops?.ivt.map((s) => s.currentA)).toEqual([-42.5]);
    expect(results.afterDrops?.lem.map((s) => s.currentA)).toEqual([250]);
    const before = results.countersBefore;
    const after = results.countersAfter;
    expect(after && before && after.ivt.dropped - before.ivt.dropped).toBe(3);
    expect(after && before && after.ivt.samples - before.ivt.samples).toBe(1);
    expect(after && before && after.lem.dropped - before.lem.dropped).toBe(2);
    expect(after && before && after.lem.samples - before.lem.samples).toBe(1);
  });

  it('logs the first drop of each run with its reason, and the run’s end', () => {
    expect(results.log).toEqual([
      'warn LEM CAB on vcan0: dropped a frame at 0x3C2 (error flagged: fluxgate not oscillating); the next ones like it are only counted',
      'warn IVT-S on vcan0: dropped a frame at 0x521 (measurement error flagged); the next ones like it are only counted',
      'info IVT-S on vcan0: 0x521 reads again after 3 dropped frame(s)',
      'info LEM CAB on vcan0: 0x3C2 reads again after 2 dropped frame(s)',
    ]);
  });
});
