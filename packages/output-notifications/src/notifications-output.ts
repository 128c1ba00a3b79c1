import { interval, map, merge, mergeMap, scan, share, type Subscription } from 'rxjs';
import type { ActiveFault } from '@tsbms/fault-engine';
import type { OutputContext, OutputFactory, OutputService, OutputStatus } from '@tsbms/bms-core';
import { configuredChannels } from './configured-channels';
import { deliverTo, type DeliveryOutcome } from './delivery';
import { heartbeatPings, pingHeartbeat } from './heartbeat';
import type { Notification, NotificationChannel } from './notification';
import {
  initialNotificationPolicyState,
  stepNotificationPolicy,
  type NotificationPolicyInput,
  type NotificationPolicySettings,
} from './notification-policy';
import type { NotificationsConfig } from './notifications-config';

/** What the notifications output runs on: its own section of the configuration. */
export interface NotificationsOutputSettings {
  readonly notifications: NotificationsConfig;
}

export interface NotificationsOutputOptions {
  /** The channels for a section (default: the real ntfy, Gotify, webhook and e-mail clients). */
  readonly channelsFor?: (config: NotificationsConfig) => NotificationChannel[];
  /** The heartbeat's HTTP client (default: the global fetch). */
  readonly fetch?: typeof globalThis.fetch;
}

/** How often the policy looks at the active faults (quiet periods ending, reminders due). */
const POLICY_TICK_MS = 1000;

interface ChannelTotals {
  delivered: number;
  retries: number;
  givenUp: number;
  lastError: string | null;
  failing: boolean;
}

/**
 * The notifications output (issue 15): tells the owner about faults through every configured
 * channel — one message per raise, one per clear, reminders while a latched fault waits for
 * acknowledgement, flapping held back by the quiet period — and pings the heartbeat URL while
 * scans complete. A failed send is retried with backoff and logged; nothing here ever waits on
 * the BMS or makes it wait.
 */
export class NotificationsOutput implements OutputService {
  readonly name = 'notifications';
  private readonly subscriptions: Subscription[] = [];
  private readonly totals = new Map<string, ChannelTotals>();
  private heartbeat: { okAtMs: number | null; failing: boolean; lastError: string | null } | null = null;

  constructor(
    private readonly context: OutputContext<NotificationsOutputSettings>,
    private readonly channels: readonly NotificationChannel[],
    fetch: typeof globalThis.fetch,
  ) {
    const config = context.settings().notifications;
    const clock = context.clock;
    const settings: NotificationPolicySettings = {
      title: config.title,
      minLevel: config.minLevel,
      quietPeriodMs: config.quietPeriodS * 1000,
      reminderIntervalMs: config.reminderIntervalS * 1000,
    };
    const inputs$ = merge(
      context.faultEvents$.pipe(map((event): NotificationPolicyInput => ({ type: 'fault', event }))),
      interval(POLICY_TICK_MS, clock).pipe(
        map(
          (): NotificationPolicyInput => ({ type: 'tick', atMs: clock.now(), faults: this.activeFaults() }),
        ),
      ),
    );
    const notifications$ = inputs$.pipe(
      scan((step, input) => stepNotificationPolicy(step.state, input, settings), {
        state: initialNotificationPolicyState(this.activeFaults(), clock.now(), settings),
        notifications: [] as readonly Notification[],
      }),
      mergeMap((step) => step.notifications),
      share(),
    );
    const retry = {
      initialDelayMs: config.retry.initialDelayS * 1000,
      maxDelayMs: config.retry.maxDelayS * 1000,
      maxAttempts: config.retry.maxAttempts,
    };
    for (const channel of channels) {
      this.totals.set(channel.name, {
        delivered: 0,
        retries: 0,
        givenUp: 0,
        lastError: null,
        failing: false,
      });
      this.subscriptions.push(
        notifications$
          .pipe(deliverTo(channel, retry, clock))
          .subscribe((outcome) => this.noteOutcome(channel.name, outcome)),
      );
    }
    if (config.heartbeat !== null) {
      const url = config.heartbeat.url;
      this.heartbeat = { okAtMs: null, failing: false, lastError: null };
      this.subscriptions.push(
        heartbeatPings(context.status$, config.heartbeat.intervalS * 1000, clock).subscribe(() =>
          this.ping(url, fetch),
        ),
      );
    }
  }

  status(): OutputStatus {
    const channels = [...this.totals.entries()];
    const failing = channels
      .filter(([, t]) => t.failing)
      .map(([name, t]) => `${name}: ${t.lastError ?? 'failing'}`);
    if (this.heartbeat?.failing === true) failing.push(`heartbeat: ${this.heartbeat.lastError ?? 'failing'}`);
    const delivered = channels.reduce((sum, [, t]) => sum + t.delivered, 0);
    const names = [...channels.map(([name]) => name), ...(this.heartbeat === null ? [] : ['heartbeat'])];
    return {
      state: failing.length === 0 ? 'ok' : 'degraded',
      message: failing.length > 0 ? failing.join('; ') : `${names.join(', ')}: ${delivered} message(s) sent`,
      details: {
        channels: Object.fromEntries(channels.map(([name, t]) => [name, { ...t }])),
        heartbeat:
          this.heartbeat === null
            ? null
            : {
                ...this.heartbeat,
                lastOkAgeS:
                  this.heartbeat.okAtMs === null
                    ? null
                    : (this.context.clock.now() - this.heartbeat.okAtMs) / 1000,
              },
      },
    };
  }

  async stop(): Promise<void> {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    await Promise.all(this.channels.map((channel) => channel.close?.()));
  }

  /** The active faults now; none while no core runs (between restarts). */
  private activeFaults(): readonly ActiveFault[] {
    try {
      return this.context.status().faults;
    } catch {
      return [];
    }
  }

  private noteOutcome(channel: string, outcome: DeliveryOutcome): void {
    const totals = this.totals.get(channel);
    if (totals === undefined) return;
    const logger = this.context.logger;
    const fields = {
      event: 'notification',
      channel,
      key: outcome.notification.key,
      kind: outcome.notification.event,
    };
    if (outcome.type === 'delivered') {
      totals.delivered++;
      if (totals.failing) logger.info(fields, `notifications: ${channel} delivering again`);
      totals.failing = false;
      return;
    }
    totals.lastError = outcome.error;
    if (outcome.type === 'retrying') {
      totals.retries++;
      // One line when a channel starts failing, not one per retry.
      if (!totals.failing)
        logger.warn(
          { ...fields, error: outcome.error },
          `notifications: ${channel} failed (${outcome.error}); retrying in ${outcome.retryInMs / 1000} s`,
        );
      totals.failing = true;
      return;
    }
    totals.givenUp++;
    totals.failing = true;
    logger.error(
      { ...fields, error: outcome.error, attempts: outcome.attempts },
      `notifications: ${channel} gave up on "${outcome.notification.title}" after ${outcome.attempts} attempt(s): ${outcome.error}`,
    );
  }

  private ping(url: string, fetch: typeof globalThis.fetch): void {
    if (this.heartbeat === null) return;
    void pingHeartbeat(url, fetch).then((problem) => this.notePing(problem));
  }

  private notePing(error: string | null): void {
    const heartbeat = this.heartbeat;
    if (heartbeat === null) return;
    if (error === null) {
      heartbeat.okAtMs = this.context.clock.now();
      if (heartbeat.failing)
        this.context.logger.info(
          { event: 'notification', channel: 'heartbeat' },
          'notifications: heartbeat ping works again',
        );
      heartbeat.failing = false;
      return;
    }
    // The URL is a secret (the check's id): never in a log line.
    if (!heartbeat.failing)
      this.context.logger.warn(
        { event: 'notification', channel: 'heartbeat', error },
        `notifications: heartbeat ping failed (${error})`,
      );
    heartbeat.failing = true;
    heartbeat.lastError = error;
  }
}

/**
 * The notifications output's factory: null (off) when the section configures no channel and no
 * heartbeat, else a running {@link NotificationsOutput}.
 */
export function startNotificationsOutput(
  options: NotificationsOutputOptions = {},
): OutputFactory<NotificationsOutputSettings> {
  const channelsFor =
    options.channelsFor ?? ((config: NotificationsConfig) => configuredChannels(config, options.fetch));
  const fetch = options.fetch ?? globalThis.fetch;
  return (context) => {
    const config = context.settings().notifications;
    const channels = channelsFor(config);
    if (channels.length === 0 && config.heartbeat === null) return Promise.resolve(null);
    return Promise.resolve(new NotificationsOutput(context, channels, fetch));
  };
}
