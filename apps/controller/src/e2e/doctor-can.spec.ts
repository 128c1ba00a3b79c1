import * as path from 'node:path';
import { doctorReportSchema, type DoctorReport } from '@tsbms/commissioning';
import { runInUserModeLinux, userModeLinuxTimeoutMs, type GuestRun } from '@tsbms/test-support';
import { workspaceRoot } from './process-harness';
import type { DoctorGuestResults, DoctorGuestRun } from './doctor-can-guest';

/*
 * Issue 16, the doctor's `--can` on a real SocketCAN interface: tools/with-vcan boots user-mode
 * Linux with vcan0, where e2e/doctor-can-guest.ts runs the doctor CLI against the emulator app
 * over a pty, with the inverter's 0x305 played by cansend, then with vcan0 down.
 */

const TIMEOUT_S = 150;

let run: GuestRun<DoctorGuestResults>['run'];
let results: DoctorGuestResults;

beforeAll(() => {
  ({ run, results } = runInUserModeLinux<DoctorGuestResults>({
    script: path.join(workspaceRoot, 'apps', 'controller', 'src', 'e2e', 'doctor-can-guest.ts'),
    timeoutS: TIMEOUT_S,
  }));
}, userModeLinuxTimeoutMs(TIMEOUT_S));

function reportOf(name: DoctorGuestRun['name']): { run: DoctorGuestRun; report: DoctorReport } {
  const found = results.runs?.find((r) => r.name === name);
  if (found === undefined) throw new Error(`no ${name} run: ${results.failure ?? run.stderr.slice(-2000)}`);
  expect(found.stderr).toBe('');
  return { run: found, report: doctorReportSchema.parse(JSON.parse(found.stdout)) };
}

describe('npm run doctor -- --can vcan0 in user-mode Linux', () => {
  it('runs both doctors in the guest', () => {
    expect(results.failure).toBeUndefined();
    expect(run.status).toBe(0);
  });

  it("with the inverter's 0x305 on vcan0: can-ok, the frames counted, all good, exit 0", () => {
    const { run: doctor, report } = reportOf('keep-alive');
    expect(report.summary).toBe('all good');
    expect(doctor.code).toBe(0);
    const can = report.findings.filter((f) => f.id.startsWith('can-'));
    expect(can.map((f) => [f.id, f.severity])).toEqual([['can-ok', 'ok']]);
    // 3 s of listening, one 0x305 a second (at least one even on a loaded guest); a vcan has no bit rate.
    expect(report.can).toMatchObject({ iface: 'vcan0', opened: true, bitRate: null, listenedMs: 3000 });
    expect(report.can?.inverterFramesSeen).toBeGreaterThanOrEqual(1);
    expect(report.can?.framesSeen).toBe(report.can?.inverterFramesSeen);
  });

  it('with vcan0 down: can-unavailable naming the interface and how to bring it up, exit 1', () => {
    const { run: doctor, report } = reportOf('interface-down');
    expect(doctor.code).toBe(1);
    const can = report.findings.filter((f) => f.id.startsWith('can-'));
    expect(can.map((f) => [f.id, f.severity])).toEqual([['can-unavailable', 'problem']]);
    expect(can[0].title).toMatch(/^CAN interface vcan0: .*down/);
    expect(can[0].fix).toContain('ip link set vcan0');
    expect(report.can).toMatchObject({ iface: 'vcan0', opened: false, framesSeen: 0 });
    // The module loop was checked all the same.
    expect(report.modules.map((m) => m.status)).toEqual(['ok', 'ok']);
  });
});
