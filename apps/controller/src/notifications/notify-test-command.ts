import type { Writable } from 'node:stream';
import { errorMessage } from '@tsbms/hal';
import {
  configuredChannels,
  pingHeartbeat,
  type Notification,
  type NotificationChannel,
  type NotificationsConfig,
} from '@tsbms/output-notifications';
import { isControllerConfigError, loadControllerConfig } from '../config';

export const NOTIFY_TEST_USAGE = `Usage: npm run notify-test -- --config FILE

Sends one test message through every channel the configuration's notifications section sets up
(ntfy, Gotify, webhook, e-mail) and pings the heartbeat URL, once each, without retries, and says
for each whether it arrived. Exit codes: 0 all delivered, 1 one failed, 2 bad options or config.`;

export interface NotifyTestIo {
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly env: NodeJS.ProcessEnv;
  readonly nowMs: number;
  /** The channels for a section (default: the real ones). */
  readonly channelsFor?: (config: NotificationsConfig) => NotificationChannel[];
  readonly fetch?: typeof globalThis.fetch;
}

function testMessage(config: NotificationsConfig, channel: string, nowMs: number): Notification {
  return {
    key: 'test',
    event: 'test',
    level: null,
    title: `${config.title}: test message`,
    message: `If you read this, tsBMS can reach you through ${channel}.\nAt ${new Date(nowMs).toISOString()}.`,
    priority: 'default',
    atMs: nowMs,
  };
}

/** `npm run notify-test -- --config FILE`; resolves the exit code. */
export async function notifyTestCommand(argv: readonly string[], io: NotifyTestIo): Promise<number> {
  const at = argv.indexOf('--config');
  const file = at >= 0 ? argv[at + 1] : undefined;
  if (argv.includes('--help')) {
    io.stdout.write(`${NOTIFY_TEST_USAGE}\n`);
    return 0;
  }
  if (file === undefined || file.startsWith('--') || argv.length !== 2) {
    io.stderr.write(`notify-test: --config FILE is needed\n${NOTIFY_TEST_USAGE}\n`);
    return 2;
  }
  let notifications: NotificationsConfig;
  try {
    notifications = loadControllerConfig(file, io.env).notifications;
  } catch (error) {
    io.stderr.write(`notify-test: ${errorMessage(error)}\n`);
    return isControllerConfigError(error) ? 2 : 1;
  }
  const channels = (io.channelsFor ?? ((config) => configuredChannels(config, io.fetch)))(notifications);
  if (channels.length === 0 && notifications.heartbeat === null) {
    io.stderr.write(
      `notify-test: ${file} sets up no channel and no heartbeat (notifications.ntfy, .gotify, .webhook, .email, .heartbeat)\n`,
    );
    return 2;
  }
  let failed = 0;
  for (const channel of channels) {
    try {
      await channel.send(testMessage(notifications, channel.name, io.nowMs));
      io.stdout.write(`${channel.name}: delivered\n`);
    } catch (error) {
      failed++;
      io.stdout.write(`${channel.name}: FAILED: ${errorMessage(error)}\n`);
    } finally {
      await channel.close?.();
    }
  }
  if (notifications.heartbeat !== null) {
    const problem = await pingHeartbeat(notifications.heartbeat.url, io.fetch ?? globalThis.fetch);
    if (problem !== null) failed++;
    io.stdout.write(problem === null ? 'heartbeat: pinged\n' : `heartbeat: FAILED: ${problem}\n`);
  }
  return failed === 0 ? 0 : 1;
}
