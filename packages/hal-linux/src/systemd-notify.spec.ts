import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ManualClock, type Logger } from '@tsbms/hal';
import { RecordingLogger } from '@tsbms/hal/testing';
import {
  createNotifySender,
  socatAddress,
  SystemdNotifier,
  watchdogPingIntervalMs,
  type ScanProgress,
} from './systemd-notify';
import { listenForNotifications, pathWithOnly, type NotificationReceiver } from './testing/notify-socket';

describe('SystemdNotifier (virtual time)', () => {
  /** A scan loop that completes a scan every 500 ms unless stuck, like the runtime at 2 Hz. */
  function setUp(watchdogIntervalMs: number | null) {
    const clock = new ManualClock(1_000);
    const sent: { atMs: number; message: string }[] = [];
    const logger = new RecordingLogger();
    const { lines } = logger;
    let progress: ScanProgress = { latestScanMs: null, anyModuleAnswered: false };
    let stuck = false;
    let answering = false;
    const scanLoop = clock.schedule(function () {
      if (!stuck) progress = { latestScanMs: clock.now(), anyModuleAnswered: answering };
      this.schedule(undefined, 500);
    }, 500);
    const notifier = new SystemdNotifier({
      clock,
      logger,
      watchdogIntervalMs,
      scanProgress: () => progress,
      send: async (message) => {
        sent.push({ atMs: clock.now(), message });
      },
    });
    notifier.start();
    return {
      clock,
      sent,
      lines,
      notifier,
      scanLoop,
      answer: () => (answering = true),
      setStuck: (value: boolean) => (stuck = value),
    };
  }

  it('sends READY=1 only once a scan has had an answer, not for the silent readings of discovery', async () => {
    const t = setUp(5_000);
    await t.clock.advanceByMs(10_000); // scans go round (silence) but no module answered yet
    expect(t.sent).toEqual([]);
    t.answer();
    await t.clock.advanceByMs(1_000);
    expect(t.sent.map((s) => s.message)).toEqual(['READY=1']);
    t.scanLoop.unsubscribe();
  });

  it('pings WATCHDOG=1 every interval while scans complete, withholds it while the loop is stuck, resumes after', async () => {
    const t = setUp(5_000);
    t.answer();
    await t.clock.advanceByMs(1_000);
    const readyAtMs = t.sent[0].atMs;
    await t.clock.advanceByMs(20_000);
    const pings = t.sent.filter((s) => s.message === 'WATCHDOG=1').map((s) => s.atMs - readyAtMs);
    expect(pings).toEqual([5_000, 10_000, 15_000, 20_000]);

    t.setStuck(true);
    const before = t.sent.length;
    await t.clock.advanceByMs(60_000);
    // At most the ping for the scan that completed just before the loop stuck; then nothing.
    expect(t.sent.length - before).toBeLessThanOrEqual(1);
    const lastPingMs = t.sent[t.sent.length - 1].atMs;
    expect(t.clock.now() - lastPingMs).toBeGreaterThan(50_000);
    expect(t.lines.filter((l) => l.level === 'error')).toHaveLength(1); // said once, not per check

    t.setStuck(false);
    await t.clock.advanceByMs(1_000);
    expect(t.sent[t.sent.length - 1]).toEqual({ atMs: expect.any(Number), message: 'WATCHDOG=1' });
    expect(t.lines.some((l) => /resumed/.test(l.message))).toBe(true);
    t.scanLoop.unsubscribe();
  });

  it('sends no WATCHDOG=1 without a watchdog, and STOPPING=1 on shutdown, then nothing more', async () => {
    const t = setUp(null);
    t.answer();
    await t.clock.advanceByMs(30_000);
    expect(t.sent.map((s) => s.message)).toEqual(['READY=1']);
    await t.notifier.stopping();
    await t.clock.advanceByMs(30_000);
    expect(t.sent.map((s) => s.message)).toEqual(['READY=1', 'STOPPING=1']);
    expect(t.clock.pendingTimers).toBe(1); // only the fake scan loop
    t.scanLoop.unsubscribe();
  });
});

describe('watchdogPingIntervalMs', () => {
  it('is half of WATCHDOG_USEC in ms, null when unset, invalid or meant for another PID', () => {
    expect(watchdogPingIntervalMs({ WATCHDOG_USEC: '10000000' })).toBe(5_000);
    expect(watchdogPingIntervalMs({ WATCHDOG_USEC: '10000000', WATCHDOG_PID: String(process.pid) })).toBe(
      5_000,
    );
    expect(watchdogPingIntervalMs({ WATCHDOG_USEC: '10000000', WATCHDOG_PID: '1' })).toBeNull();
    expect(watchdogPingIntervalMs({})).toBeNull();
    expect(watchdogPingIntervalMs({ WATCHDOG_USEC: 'x' })).toBeNull();
    expect(watchdogPingIntervalMs({ WATCHDOG_USEC: '0' })).toBeNull();
  });
});

describe('socatAddress', () => {
  it('uses the abstract namespace for a leading @', () => {
    expect(socatAddress('/run/systemd/notify')).toBe('UNIX-SENDTO:/run/systemd/notify');
    expect(socatAddress('@/org/freedesktop/systemd1/notify/1')).toBe(
      'ABSTRACT-SENDTO:/org/freedesktop/systemd1/notify/1',
    );
  });
});

describe('createNotifySender over a real unix datagram socket', () => {
  let dir: string;
  let listener: NotificationReceiver | undefined;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'tsbms-sd-notify-'));
  });
  afterEach(async () => {
    await listener?.stop();
    listener = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  /** systemd's side, stopped after the test. */
  async function listen(socketPath: string) {
    const receiver = await listenForNotifications(socketPath);
    listener = receiver;
    return receiver;
  }

  function senderFor(env: NodeJS.ProcessEnv, logger: Logger) {
    const send = createNotifySender(env, logger);
    if (send === null) throw new Error('no sender although NOTIFY_SOCKET and a helper are there');
    return send;
  }

  const pathWith = (...helpers: string[]) => pathWithOnly(dir, ...helpers);

  it('is null when NOTIFY_SOCKET is unset', () => {
    const logger = new RecordingLogger();
    const { lines } = logger;
    expect(createNotifySender({ PATH: process.env.PATH }, logger)).toBeNull();
    expect(lines).toEqual([]);
  });

  it('delivers READY=1, WATCHDOG=1 and STOPPING=1 through systemd-notify', async () => {
    const socketPath = path.join(dir, 'notify.sock');
    const receiver = await listen(socketPath);
    const logger = new RecordingLogger();
    const { lines } = logger;
    const send = senderFor({ PATH: pathWith('systemd-notify'), NOTIFY_SOCKET: socketPath }, logger);
    // systemd-notify waits for systemd to read its message (a barrier socat does not answer): the
    // sends end when the listener goes away, so wait for the bytes, not the promises.
    const sends = ['READY=1', 'WATCHDOG=1', 'STOPPING=1'].map((m) => send(m));
    // Each message is followed by systemd-notify's BARRIER=1: the listener must not go away
    // before the third has arrived, or that send fails.
    const received = await receiver.waitFor('BARRIER=1', 3);
    expect(received).toContain('READY=1');
    expect(received).toContain('WATCHDOG=1');
    expect(received).toContain('STOPPING=1');
    void receiver.stop();
    await Promise.all(sends);
    expect(lines.filter((l) => l.level !== 'info')).toEqual([]);
  });

  it('falls back to socat when systemd-notify is absent', async () => {
    const socketPath = path.join(dir, 'notify.sock');
    const receiver = await listen(socketPath);
    const logger = new RecordingLogger();
    const { lines } = logger;
    const send = senderFor({ PATH: pathWith('socat'), NOTIFY_SOCKET: socketPath }, logger);
    await send('READY=1');
    await send('WATCHDOG=1');
    expect(await receiver.waitFor('WATCHDOG=1\n')).toBe('READY=1\nWATCHDOG=1\n');
    expect(lines).toEqual([]);
  });

  it('warns once and never rejects when the socket is not there', async () => {
    const logger = new RecordingLogger();
    const { lines } = logger;
    const send = senderFor(
      { PATH: pathWith('socat'), NOTIFY_SOCKET: path.join(dir, 'missing.sock') },
      logger,
    );
    await expect(send('WATCHDOG=1')).resolves.toBeUndefined();
    await expect(send('WATCHDOG=1')).resolves.toBeUndefined();
    expect(lines.map((l) => l.level)).toEqual(['warn']);
    expect(lines[0].message).toMatch(/WATCHDOG=1 failed: socat exited with 1/);
  });

  it('warns once and sends nothing when neither helper exists', () => {
    const logger = new RecordingLogger();
    const { lines } = logger;
    expect(
      createNotifySender({ PATH: pathWith(), NOTIFY_SOCKET: path.join(dir, 'n.sock') }, logger),
    ).toBeNull();
    expect(lines).toHaveLength(1);
    expect(lines[0].message).toMatch(/neither systemd-notify nor socat/);
  });
});
