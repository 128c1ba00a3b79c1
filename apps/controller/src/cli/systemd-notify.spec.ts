import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { listenForNotifications, pathWithOnly, type NotificationReceiver } from '@tsbms/hal-linux/testing';

/* The daemon under systemd (Type=notify), through hal-linux's notifier and a real notify socket. */

const workspaceRoot = path.resolve(__dirname, '..', '..', '..', '..');

describe('the controller under systemd', () => {
  let dir: string;
  const receivers: NotificationReceiver[] = [];

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'tsbms-sd-notify-'));
  });
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((receiver) => receiver.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('the daemon sends READY=1 after its first scan, WATCHDOG=1 while scanning and STOPPING=1 on SIGTERM', async () => {
    const socketPath = path.join(dir, 'notify.sock');
    const receiver = await listenForNotifications(socketPath);
    receivers.push(receiver);
    const daemon = spawn(
      process.execPath,
      ['--conditions=@tsbms/source', '-r', '@swc-node/register', 'apps/controller/src/main.ts'],
      {
        cwd: workspaceRoot,
        // socat only: systemd-notify would wait for a barrier reply that socat never sends.
        env: { PATH: pathWithOnly(dir, 'socat'), NOTIFY_SOCKET: socketPath, WATCHDOG_USEC: '1000000' },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let log = '';
    daemon.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => daemon.once('exit', resolve));
    await receiver.waitFor('WATCHDOG=1\n');
    daemon.kill('SIGTERM');
    expect(await exited).toBe(0);
    const messages = (await receiver.waitFor('STOPPING=1\n')).trim().split('\n');
    expect(messages[0]).toBe('READY=1');
    expect(messages.at(-1)).toBe('STOPPING=1');
    expect(messages.slice(1, -1).every((m) => m === 'WATCHDOG=1')).toBe(true);
    // READY=1 came after a complete scan: setup is logged before it.
    expect(log.indexOf('"event":"setup"')).toBeLessThan(log.indexOf('READY=1 sent'));
  }, 30_000);
});
