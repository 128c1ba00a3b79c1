import { z } from 'zod';

/*
 * The controller's outputs beside the relays: Victron CAN (issue 6), MQTT and HTTP (issue 7).
 * Each section is off or loopback-only by default, so a fresh install exposes nothing.
 */

/** Victron GX over SocketCAN. */
export const canConfigSchema = z
  .strictObject({
    /** SocketCAN interface on the GX's BMS-CAN port, e.g. `can0`; null = no Victron output. */
    interface: z.string().min(1).nullable().default(null),
  })
  .prefault({});

/** MQTT with Home Assistant discovery. */
export const mqttConfigSchema = z
  .strictObject({
    /** Broker URL, `mqtt://host:1883` or `mqtts://host:8883`; null = no MQTT. */
    url: z.string().min(1).nullable().default(null),
    username: z.string().min(1).nullable().default(null),
    /** Prefer the environment (TSBMS_MQTT_PASSWORD) to the file. */
    password: z.string().min(1).nullable().default(null),
    topicPrefix: z.string().min(1).default('tsbms'),
    /** Every value is re-published this often even when unchanged. */
    fullRefreshIntervalS: z.number().positive().default(60),
  })
  .prefault({});

/** The REST API, event stream, metrics and dashboard. */
export const httpConfigSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    /** Loopback by default: another address needs credentials when writes are enabled. */
    host: z.string().min(1).default('127.0.0.1'),
    /** 0 = any free port (tests); the bound address is logged. */
    port: z.number().int().min(0).max(65535).default(8080),
  })
  .prefault({});
