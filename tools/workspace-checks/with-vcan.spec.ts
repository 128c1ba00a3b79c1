import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { userModeLinuxTimeoutMs } from '@tsbms/test-support';

/**
 * tools/with-vcan boots user-mode Linux with a vcan interface. These tests run it for real:
 * the command's output and exit code must come back, and a frame sent through the `socketcan`
 * package inside the guest must reach candump.
 */
const workspaceRoot = path.resolve(__dirname, '..', '..');
const withVcan = path.join(workspaceRoot, 'tools', 'with-vcan');

function runInGuest(command: string[]) {
  return spawnSync(withVcan, ['--timeout-s', '90', '--', ...command], {
    cwd: workspaceRoot,
    encoding: 'utf8',
    timeout: userModeLinuxTimeoutMs(90),
  });
}

describe('tools/with-vcan', () => {
  jest.setTimeout(userModeLinuxTimeoutMs(90));

  it('runs the command with vcan0 up and passes back stdout, stderr and the exit code', () => {
    const result = runInGuest(['sh', '-c', 'cat /sys/class/net/vcan0/operstate; echo to-stderr >&2; exit 7']);
    expect(result.status).toBe(7);
    expect(result.stdout.trim()).toBe('unknown'); // vcan reports "unknown" once it is up
    expect(result.stderr).toContain('to-stderr');
  });

  it('delivers a frame sent with the socketcan package to candump', () => {
    const sender = [
      "const can = require('socketcan');",
      "const ch = can.createRawChannel('vcan0');",
      'ch.start();',
      'ch.send({ id: 0x351, ext: false, rtr: false, data: Buffer.from([0xec,1,0xe8,3,0xe8,3,0xb0,1]) });',
      'ch.stop();',
    ].join(' ');
    const script = [
      'out=$(mktemp)',
      'candump -L -n 1 -T 5000 vcan0 > "$out" &',
      'dump=$!',
      'sleep 0.3',
      `node -e "${sender}"`,
      'wait $dump',
      'cat "$out"; rm -f "$out"',
    ].join('\n');
    const result = runInGuest(['sh', '-c', script]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/vcan0 351#EC01E803E803B001/);
  });
});
