import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { NotificationSendError } from '@tsbms/output-notifications';
import { RecordingChannel } from '@tsbms/output-notifications/testing';
import { notifyTestCommand } from './notify-test-command';

let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'tsbms-notify-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const NOW = Date.UTC(2026, 11, 5, 12);

async function run(configText: string, channels: RecordingChannel[], fetch?: typeof globalThis.fetch) {
  const file = path.join(dir, 'bms.yaml');
  writeFileSync(file, configText);
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const code = await notifyTestCommand(['--config', file], {
    stdout,
    stderr,
    env: {},
    nowMs: NOW,
    channelsFor: () => channels,
    ...(fetch === undefined ? {} : { fetch }),
  });
  return { code, stdout: String(stdout.read() ?? ''), stderr: String(stderr.read() ?? '') };
}

describe('npm run notify-test', () => {
  it('sends one test message per channel and pings the heartbeat, saying what arrived', async () => {
    const ntfy = new RecordingChannel('ntfy');
    const email = new RecordingChannel('email');
    const pinged: string[] = [];
    const fetch = ((url: string) => {
      pinged.push(url);
      return Promise.resolve(new Response('OK'));
    }) as unknown as typeof globalThis.fetch;
    const result = await run(
      'notifications:\n  title: Garage BMS\n  heartbeat: { url: "https://hc-ping.com/abc" }\n',
      [ntfy, email],
      fetch,
    );
    expect(result).toMatchObject({
      code: 0,
      stdout: 'ntfy: delivered\nemail: delivered\nheartbeat: pinged\n',
    });
    expect(ntfy.sent.map((n) => [n.event, n.title])).toEqual([['test', 'Garage BMS: test message']]);
    expect(email.sent[0].message).toContain('through email');
    expect([ntfy.closed, email.closed]).toEqual([true, true]);
    expect(pinged).toEqual(['https://hc-ping.com/abc']);
  });

  it('a channel that refuses: its error, the others still tried, exit 1', async () => {
    const ntfy = new RecordingChannel('ntfy');
    ntfy.failNext(1, new NotificationSendError('REJECTED', 'ntfy', 'HTTP 403 forbidden', false, 403));
    const email = new RecordingChannel('email');
    const result = await run('notifications:\n  minLevel: fault\n', [ntfy, email]);
    expect(result).toMatchObject({
      code: 1,
      stdout: 'ntfy: FAILED: ntfy: HTTP 403 forbidden\nemail: delivered\n',
    });
  });

  it('nothing set up, or a bad section: exit 2 with the reason', async () => {
    expect(await run('notifications: {}\n', [])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/sets up no channel/),
    });
    expect(await run('notifications:\n  ntfy: { topic: "has space" }\n', [])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/notifications\.ntfy\.topic: letters, digits/),
    });
  });
});
