import { z } from 'zod';
import { scryptHashSchema } from '@tsbms/credentials';
import { atMost, reconnectSettingsSchema } from '@tsbms/bms-core';

/*
 * The controller's outputs beside the relays: MQTT and HTTP (issue 7); Victron CAN's section is its
 * own, canConfigSchema in @tsbms/output-victron.
 * Each section is off or loopback-only by default, so a fresh install exposes nothing.
 */

/** One or more MQTT topic levels: no wildcards, no empty level. */
const mqttTopicLevels = z
  .string()
  .regex(/^[^/#+]+(\/[^/#+]+)*$/, 'topic levels without + or #, no leading, trailing or double /');

/** MQTT with Home Assistant discovery (topics and commands: apps/controller/README.md). */
export const mqttConfigSchema = z
  .strictObject({
    /** Broker URL, `mqtt://host:1883` or `mqtts://host:8883`; null = no MQTT. */
    url: z.string().min(1).nullable().default(null),
    username: z.string().min(1).nullable().default(null),
    /** Prefer the environment (TSBMS_MQTT_PASSWORD) to the file. */
    password: z.string().min(1).nullable().default(null),
    /** null = `tsbms-<topicPrefix>`; two clients with one id keep disconnecting each other. */
    clientId: z.string().min(1).max(128).nullable().default(null),
    /** First level of every topic (levels separated by `/`, no wildcards). */
    topicPrefix: mqttTopicLevels.default('tsbms'),
    /** Every value is re-published this often even when unchanged. */
    fullRefreshIntervalS: atMost(
      z.number().positive(),
      3600,
      's',
      'a subscriber that missed a value gets it again within the hour',
    ).default(60),
    /** QoS of the value topics: 0 (the next change or refresh replaces a lost one) or 1. */
    qos: z.union([z.literal(0), z.literal(1)]).default(0),
    /** Reconnect backoff: doubles from initialDelayS after every failed attempt, up to maxDelayS. */
    reconnect: reconnectSettingsSchema('mqtt', 60),
    /**
     * An incoming packet larger than this drops the connection before its body is buffered
     * (commands are small; 64 KiB, like http.maxBodyBytes).
     */
    maxPacketBytes: z.number().int().min(1024).max(16_777_216).default(65_536),
    /**
     * Commands (config/set, faults/ack, restart) on `<topicPrefix>/cmd/...`: off by default. When
     * on, every command carries `token`, checked against tokenHash (`npm run -s hash-password`;
     * prefer the environment, TSBMS_MQTT_COMMANDS_TOKEN_HASH), and wrong tokens back off.
     */
    commands: z
      .strictObject({
        enabled: z.boolean().default(false),
        tokenHash: scryptHashSchema.nullable().default(null),
      })
      .prefault({})
      .refine((commands) => !commands.enabled || commands.tokenHash !== null, {
        path: ['tokenHash'],
        message: 'MQTT commands need a token hash (npm run -s hash-password)',
      }),
    /** Home Assistant MQTT discovery. */
    discovery: z
      .strictObject({
        enabled: z.boolean().default(true),
        prefix: mqttTopicLevels.default('homeassistant'),
        /** HA node id and device identifier; null = the topic prefix with `/` as `_`. */
        nodeId: z
          .string()
          .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only')
          .nullable()
          .default(null),
        /** Voltage, temperatures, comms and balancing of every module as HA entities. */
        perModuleSensors: z.boolean().default(false),
        /** Voltage and balancing of every cell as HA entities (6 per module). */
        perCellSensors: z.boolean().default(false),
      })
      .prefault({}),
    /** With an `mqtts://` url: PEM files; rejectUnauthorized false accepts any server certificate. */
    tls: z
      .strictObject({
        caFile: z.string().min(1).nullable().default(null),
        certFile: z.string().min(1).nullable().default(null),
        keyFile: z.string().min(1).nullable().default(null),
        rejectUnauthorized: z.boolean().default(true),
      })
      .prefault({})
      .refine((tls) => (tls.certFile === null) === (tls.keyFile === null), {
        path: ['keyFile'],
        message: 'a client certificate needs both certFile and keyFile',
      }),
  })
  .prefault({});

/** 127.0.0.0/8, ::1 and localhost: the only hosts where writes without credentials stay local. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare);
}

/** The REST API, event stream, metrics and dashboard. */
export const httpConfigSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    /** Loopback by default: another address needs credentials when writes are enabled. */
    host: z.string().min(1).default('127.0.0.1'),
    /** 0 = any free port (tests); the bound address is logged. */
    port: z.number().int().min(0).max(65535).default(8080),
    /** false = read-only API: config, acknowledge and restart answer 403. */
    writesEnabled: z.boolean().default(true),
    /** Credentials for writes: HTTP Basic (username + passwordHash) and/or a bearer token. */
    auth: z
      .strictObject({
        username: z.string().min(1).nullable().default(null),
        /** Prefer the environment (TSBMS_HTTP_AUTH_PASSWORD_HASH) to the file. */
        passwordHash: scryptHashSchema.nullable().default(null),
        /** The hash of a bearer token (hash-password hashes a token just like a password). */
        bearerTokenHash: scryptHashSchema.nullable().default(null),
      })
      .prefault({})
      .refine((auth) => (auth.username === null) === (auth.passwordHash === null), {
        path: ['passwordHash'],
        message: 'HTTP Basic needs both username and passwordHash',
      }),
    /** HTTPS when both PEM files are set; null = plain HTTP. */
    tls: z
      .strictObject({
        certFile: z.string().min(1).nullable().default(null),
        keyFile: z.string().min(1).nullable().default(null),
      })
      .prefault({})
      .refine((tls) => (tls.certFile === null) === (tls.keyFile === null), {
        path: ['keyFile'],
        message: 'HTTPS needs both certFile and keyFile',
      }),
    /** Larger request bodies are refused with 413. */
    maxBodyBytes: z.number().int().min(1024).max(10_485_760).default(65_536),
    /** Pack voltage and SoC kept in memory for the dashboard chart. */
    historyHours: z.number().positive().max(168).default(24),
    /** One history point per interval (plus the latest snapshot). */
    historyIntervalS: atMost(
      z.number().positive(),
      3600,
      's',
      'the chart spans at most a week (historyHours), and one point an hour is already coarse',
    ).default(30),
  })
  .prefault({})
  .superRefine((http, ctx) => {
    const hasCredentials = http.auth.passwordHash !== null || http.auth.bearerTokenHash !== null;
    if (http.enabled && http.writesEnabled && !hasCredentials && !isLoopbackHost(http.host)) {
      ctx.addIssue({
        code: 'custom',
        path: ['host'],
        message:
          'a non-loopback host with writesEnabled needs credentials (http.auth) or writesEnabled: false',
      });
    }
  });
