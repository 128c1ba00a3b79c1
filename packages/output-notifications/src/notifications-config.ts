import { z } from 'zod';
import { atMost, type DeepReadonly } from '@tsbms/bms-core';

/*
 * The output's own section of the controller's configuration, `notifications`: where messages go
 * and how often. Every channel is off (null) by default. The application puts this schema under
 * its `notifications` key, so issue paths read `notifications.ntfy.topic`, …; it gives the secrets
 * from the environment (TSBMS_NOTIFICATIONS_NTFY_TOKEN, …) and hides them from its API.
 */

/** An http(s) URL: the channels speak HTTP and nothing else. */
const httpUrl = z
  .string()
  .regex(/^https?:\/\/[^\s/?#]+[^\s]*$/, 'an http:// or https:// URL such as https://ntfy.sh');
/** A secret given in the file or (better) in the environment; null = none. */
const secret = z.string().min(1).nullable().default(null);
const mailAddress = z.string().regex(/^[^\s@<>]+@[^\s@<>]+$/, 'an e-mail address such as bms@example.org');

/** The secrets of this section, for the application to override from the environment and hide. */
export const NOTIFICATIONS_SECRET_CONFIG_PATHS = [
  'notifications.ntfy.token',
  'notifications.gotify.token',
  'notifications.webhook.bearerToken',
  'notifications.email.password',
  'notifications.heartbeat.url',
] as const;

export const notificationsConfigSchema = z
  .strictObject({
    /** What titles start with: the battery's name, for an owner with more than one. */
    title: z.string().min(1).max(40).default('tsBMS'),
    /** Which faults notify: `warning` and up, or `fault` only. */
    minLevel: z.enum(['warning', 'fault']).default('warning'),
    /**
     * After a message about a fault, another about the same fault waits this long: a fault that
     * comes and goes (flaps) sends one message, then its state at the end of the period if it
     * differs. At most a day.
     */
    quietPeriodS: atMost(
      z.number().min(0),
      86_400,
      's',
      'a fault that came and went a day ago is news, not a flap',
    ).default(300),
    /**
     * A latched fault still waiting for an operator's acknowledgement is sent again this often
     * (escalation); 0 = once only. At most two days: a reminder rarer than that is no reminder.
     */
    reminderIntervalS: atMost(
      z.number().min(0),
      172_800,
      's',
      'a latched fault left for longer than two days without a reminder is forgotten',
    ).default(3600),
    /** A failed send is retried after initialDelayS, doubling to maxDelayS, for at most maxAttempts sends. */
    retry: z
      .strictObject({
        initialDelayS: atMost(
          z.number().min(1),
          3600,
          's',
          'a message an hour late is a message missed',
        ).default(5),
        maxDelayS: atMost(z.number().min(1), 3600, 's', 'a message an hour late is a message missed').default(
          600,
        ),
        maxAttempts: z.number().int().min(1).max(100).default(10),
      })
      .prefault({})
      .refine((r) => r.initialDelayS <= r.maxDelayS, {
        path: ['initialDelayS'],
        message: 'must not exceed notifications.retry.maxDelayS',
      }),
    /** ntfy (ntfy.sh or your own server): a push to a phone app by topic. */
    ntfy: z
      .strictObject({
        url: httpUrl.default('https://ntfy.sh'),
        /** The topic; on ntfy.sh anyone who knows it may read it: make it long and random. */
        topic: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, - and _, at most 64'),
        /** An access token (tk_…) for a protected topic; env TSBMS_NOTIFICATIONS_NTFY_TOKEN. */
        token: secret,
      })
      .nullable()
      .default(null),
    /** Gotify (self-hosted): an application token. */
    gotify: z
      .strictObject({
        url: httpUrl,
        /** The application's token; env TSBMS_NOTIFICATIONS_GOTIFY_TOKEN. */
        token: z.string().min(1),
      })
      .nullable()
      .default(null),
    /** Any HTTP endpoint that takes a JSON POST (Home Assistant's webhook trigger, Node-RED, n8n). */
    webhook: z
      .strictObject({
        url: httpUrl,
        /** Sent as `Authorization: Bearer …`; env TSBMS_NOTIFICATIONS_WEBHOOK_BEARER_TOKEN. */
        bearerToken: secret,
      })
      .nullable()
      .default(null),
    /** E-mail through an SMTP server (your provider's, or a local relay). */
    email: z
      .strictObject({
        host: z.string().regex(/^[A-Za-z0-9.:_-]+$/, 'a host name or IP address such as smtp.example.org'),
        /** 587 with STARTTLS (`secure: false`), 465 with TLS from the start (`secure: true`). */
        port: z.number().int().min(1).max(65535).default(587),
        secure: z.boolean().default(false),
        username: z.string().min(1).nullable().default(null),
        /** Env TSBMS_NOTIFICATIONS_EMAIL_PASSWORD. */
        password: secret,
        from: mailAddress,
        to: z.array(mailAddress).min(1).max(20),
      })
      .nullable()
      .default(null),
    /**
     * A dead-man switch (healthchecks.io, Uptime Kuma's push monitor): this URL is fetched every
     * intervalS while scans complete, so the service there raises the alarm when tsBMS itself has
     * died or hangs. The URL is a secret (it holds the check's id); env
     * TSBMS_NOTIFICATIONS_HEARTBEAT_URL.
     */
    heartbeat: z
      .strictObject({
        url: httpUrl,
        intervalS: atMost(
          z.number().min(10),
          86_400,
          's',
          'a BMS that is noticed dead a day late has not been watched',
        ).default(60),
      })
      .nullable()
      .default(null),
  })
  .prefault({});

/** The `notifications` section as validated (defaults filled in), frozen like the whole configuration. */
export type NotificationsConfig = DeepReadonly<z.output<typeof notificationsConfigSchema>>;
