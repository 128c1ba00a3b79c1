import { z } from 'zod';
import { scryptHashSchema } from '@tsbms/credentials';
import { atMost, reconnectSettingsSchema } from '@tsbms/bms-core';

/* The `mqtt` section; off by default (no broker URL), commands off until a token hash is set. */

/** The `mqtt` section's secrets, for an application that shows or sends its configuration (redacted). */
export const MQTT_SECRET_CONFIG_PATHS = ['mqtt.password', 'mqtt.commands.tokenHash'] as const;

/** One or more MQTT topic levels: no wildcards, no empty level. */
const mqttTopicLevels = z
  .string()
  .regex(/^[^/#+]+(\/[^/#+]+)*$/, 'topic levels without + or #, no leading, trailing or double /');

/** MQTT with Home Assistant discovery (topics and commands: the package README). */
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
        /**
         * Voltage, temperatures, comms and balancing of every module, on a HA device per module:
         * always announced, enabled by default when true.
         */
        perModuleSensors: z.boolean().default(false),
        /** Voltage and balancing of every cell (6 per module), likewise: enabled by default when true. */
        perCellSensors: z.boolean().default(false),
        /**
         * Buttons (acknowledge faults, restart), switches (allow charging, allow discharging,
         * balancing) and numbers (charge and discharge current caps, charge cell voltage) in HA.
         * HA sends them without a token: turn this on only with a broker ACL that lets no one but
         * Home Assistant publish to `<topicPrefix>/ha/#` (deploy/mosquitto.acl).
         */
        controls: z.boolean().default(false),
        /** The pack device's "Visit" link in HA: the dashboard's URL; null = none. */
        configurationUrl: z
          .string()
          .regex(/^https?:\/\/\S+$/, 'an http:// or https:// URL')
          .nullable()
          .default(null),
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

/** The `mqtt` section as parsed, defaults filled in. */
export type MqttConfig = z.output<typeof mqttConfigSchema>;

/**
 * What the MQTT output runs on: its `mqtt` section. The module count its Home Assistant discovery
 * announces sensors for is the pack's, from the status (`discovery.expected`).
 */
export interface MqttOutputSettings {
  readonly mqtt: MqttConfig;
  /** The controller's version, the HA device's `sw_version`; absent = left out. */
  readonly softwareVersion?: string;
}
