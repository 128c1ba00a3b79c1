import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import * as path from 'node:path';
import { interval, type Subscription } from 'rxjs';
import type { Clock, Logger } from '@tsbms/hal';

/** Sends one sd_notify message; resolves when the helper process has ended, never rejects. */
export type NotifySend = (message: string) => Promise<void>;

/** A helper that hangs (e.g. a stuck socket) is killed after this, so children never pile up. */
const HELPER_TIMEOUT_MS = 10_000;
/** How often the notifier looks at the service's main loop. */
const DEFAULT_CHECK_INTERVAL_MS = 500;

/** The absolute path of an executable on PATH, or null. */
export function findExecutable(name: string, env: NodeJS.ProcessEnv): string | null {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

/** socat's address for systemd's socket; a leading '@' is the abstract namespace. */
export function socatAddress(notifySocket: string): string {
  return notifySocket.startsWith('@')
    ? `ABSTRACT-SENDTO:${notifySocket.slice(1)}`
    : `UNIX-SENDTO:${notifySocket}`;
}

/**
 * Node has no unix datagram sockets, so messages go through a helper process: `systemd-notify`
 * when installed (it waits until systemd has read the message, so the message is attributed to
 * the unit even though it comes from a child PID: the unit needs NotifyAccess=all), else socat.
 * Null when NOTIFY_SOCKET is unset, or (with a warning) when neither helper exists.
 */
export function createNotifySender(env: NodeJS.ProcessEnv, logger: Logger): NotifySend | null {
  const notifySocket = env.NOTIFY_SOCKET;
  if (notifySocket === undefined || notifySocket === '') return null;
  // Preferred: systemd-notify; socat as the fallback.
  const systemdNotify = findExecutable('systemd-notify', env);
  const command = systemdNotify ?? findExecutable('socat', env);
  if (command === null) {
    logger.warn(
      { event: 'sd_notify', notifySocket },
      'NOTIFY_SOCKET is set but neither systemd-notify nor socat is on PATH: no READY=1/WATCHDOG=1 is sent, so systemd will treat the start as failed',
    );
    return null;
  }
  const viaSocat = systemdNotify === null;
  let failing = false;
  const report = (message: string, problem: string | null) => {
    // One warning when sending starts failing, one line when it works again: never per message.
    if (problem !== null && !failing)
      logger.warn({ event: 'sd_notify', message, problem }, `sd_notify ${message} failed: ${problem}`);
    if (problem === null && failing)
      logger.info({ event: 'sd_notify' }, 'sd_notify messages are delivered again');
    failing = problem !== null;
  };
  return (message) =>
    new Promise<void>((resolve) => {
      const child = spawn(command, viaSocat ? ['-u', '-', socatAddress(notifySocket)] : [message], {
        env,
        stdio: [viaSocat ? 'pipe' : 'ignore', 'ignore', 'ignore'],
        timeout: HELPER_TIMEOUT_MS,
      });
      child.once('error', (error) => {
        report(message, error.message);
        resolve();
      });
      child.once('exit', (code, signal) => {
        report(
          message,
          code === 0 ? null : `${path.basename(child.spawnfile)} exited with ${code ?? signal}`,
        );
        resolve();
      });
      // An EPIPE from a helper that died early is reported through 'exit' instead.
      if (viaSocat) child.stdin?.on('error', () => undefined).end(`${message}\n`);
    });
}

/** What the notifier needs to know about the service's main loop (for a BMS: its scans). */
export interface ScanProgress {
  /** Clock time of the latest scan, failed or not (the loop went round); null before any. */
  readonly latestScanMs: number | null;
  /** Some module answered in the latest scan: discovery, setup and a complete scan are done. */
  readonly anyModuleAnswered: boolean;
}

/** Half of systemd's WATCHDOG_USEC in milliseconds, or null when the watchdog is off. */
export function watchdogPingIntervalMs(env: NodeJS.ProcessEnv): number | null {
  const usec = Number(env.WATCHDOG_USEC);
  // WATCHDOG_PID, when set, names the process that is meant to ping (not us: a wrapper's child).
  if (env.WATCHDOG_PID !== undefined && Number(env.WATCHDOG_PID) !== process.pid) return null;
  return Number.isFinite(usec) && usec > 0 ? usec / 2000 : null;
}

export interface SystemdNotifierOptions {
  readonly send: NotifySend;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly scanProgress: () => ScanProgress;
  /** WATCHDOG_USEC / 2 in ms; null = no watchdog, only READY and STOPPING. */
  readonly watchdogIntervalMs: number | null;
  readonly checkIntervalMs?: number;
}

/**
 * READY=1 after the first complete scan; WATCHDOG=1 at most every watchdog interval and only when
 * a scan has completed since the previous one, so a stuck scan loop lets systemd's watchdog
 * expire and restart the process; STOPPING=1 on shutdown.
 */
export class SystemdNotifier {
  private readonly checkIntervalMs: number;
  private ticker: Subscription | undefined;
  private ready = false;
  private lastPingMs = 0;
  private lastPingScanMs: number | null = null;
  private stalled = false;

  constructor(private readonly options: SystemdNotifierOptions) {
    const { watchdogIntervalMs } = options;
    this.checkIntervalMs = Math.min(
      options.checkIntervalMs ?? DEFAULT_CHECK_INTERVAL_MS,
      watchdogIntervalMs === null ? Infinity : watchdogIntervalMs / 2,
    );
  }

  start(): void {
    this.ticker ??= interval(this.checkIntervalMs, this.options.clock).subscribe(() => this.check());
  }

  /** Stops watching and sends STOPPING=1; resolves once the message is handed over. */
  stopping(): Promise<void> {
    this.ticker?.unsubscribe();
    return this.options.send('STOPPING=1');
  }

  private check(): void {
    const { clock, logger, send, watchdogIntervalMs } = this.options;
    const progress = this.options.scanProgress();
    const nowMs = clock.now();
    if (!this.ready) {
      if (!progress.anyModuleAnswered) return;
      this.ready = true;
      this.lastPingMs = nowMs;
      this.lastPingScanMs = progress.latestScanMs;
      void send('READY=1');
      logger.info({ event: 'sd_notify', watchdogIntervalMs }, 'first complete scan: READY=1 sent to systemd');
      return;
    }
    if (watchdogIntervalMs === null || nowMs - this.lastPingMs < watchdogIntervalMs) return;
    if (progress.latestScanMs === this.lastPingScanMs) {
      if (!this.stalled)
        logger.error(
          { event: 'sd_notify', sinceMs: nowMs - this.lastPingMs },
          'no scan completed since the last watchdog ping: WATCHDOG=1 withheld so systemd restarts a hung controller',
        );
      this.stalled = true;
      return;
    }
    if (this.stalled) logger.info({ event: 'sd_notify' }, 'scans complete again: WATCHDOG=1 resumed');
    this.stalled = false;
    this.lastPingMs = nowMs;
    this.lastPingScanMs = progress.latestScanMs;
    void send('WATCHDOG=1');
  }
}

/** The notifier for this process's environment; null outside systemd (NOTIFY_SOCKET unset). */
export function createSystemdNotifier(
  options: Omit<SystemdNotifierOptions, 'send' | 'watchdogIntervalMs'> & { readonly env: NodeJS.ProcessEnv },
): SystemdNotifier | null {
  const send = createNotifySender(options.env, options.logger);
  if (send === null) return null;
  const notifier = new SystemdNotifier({
    ...options,
    send,
    watchdogIntervalMs: watchdogPingIntervalMs(options.env),
  });
  notifier.start();
  return notifier;
}
