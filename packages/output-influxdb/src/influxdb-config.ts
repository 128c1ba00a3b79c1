import { z } from 'zod';
import { atMost, type DeepReadonly } from '@tsbms/bms-core';

/*
 * The output's own section of the controller's configuration, `influxdb`: where readings go and
 * how often. Off by default. The application puts this schema under its `influxdb` key, so issue
 * paths read `influxdb.url`, …; it gives the token from the environment (TSBMS_INFLUXDB_TOKEN) and
 * hides it from its API.
 */

/**
 * The server's base URL: http or https, a host, an optional path prefix (behind a reverse proxy),
 * no query, no fragment and no user:password@ (the credential is the token).
 */
const serverUrl = z
  .string()
  .regex(
    /^https?:\/\/[^\s/?#@]+(\/[^\s?#]*)?$/,
    'an http:// or https:// URL without user, query or fragment, such as http://influxdb.local:8086',
  );

/** The secrets of this section, for the application to override from the environment and hide. */
export const INFLUXDB_SECRET_CONFIG_PATHS = ['influxdb.token'] as const;

/** A tag value every point carries; letters, digits, `.`, `_` and `-` (line protocol writes them as they are). */
const packTag = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/,
    'letters, digits, ., _ and -, starting with a letter or digit, at most 40',
  );

export const influxDbConfigSchema = z
  .strictObject({
    /** Writing on or off; off keeps the rest of the section for later. */
    enabled: z.boolean().default(false),
    /** The InfluxDB server, e.g. `http://influxdb.local:8086`; required when enabled. */
    url: serverUrl.nullable().default(null),
    /**
     * The organisation (InfluxDB 2.x and Cloud); required when enabled. InfluxDB 1.8 and 3.x
     * ignore it: any name, e.g. `-`.
     */
    org: z.string().min(1).max(256).nullable().default(null),
    /**
     * The bucket (2.x); the database (3.x); `database/retention-policy` or `database` (1.8).
     * Required when enabled.
     */
    bucket: z.string().min(1).max(256).nullable().default(null),
    /**
     * Sent as `Authorization: Token …`: an API token with write access to the bucket (2.x, 3.x),
     * `username:password` (1.8 with authentication), null when the server needs none. Prefer the
     * environment, TSBMS_INFLUXDB_TOKEN, to the file.
     */
    token: z.string().min(1).nullable().default(null),
    /** The `pack` tag of every point: tells two batteries apart in one bucket. */
    pack: packTag.default('tsbms'),
    /**
     * A status is sampled into points this often (the latest scan's; none when no scan came since
     * the last sample, so a stopped BMS shows as a gap). At most an hour.
     */
    intervalS: atMost(
      z.number().min(1),
      3600,
      's',
      'readings an hour apart show neither a charge nor a discharge',
    ).default(10),
    /** Buffered lines are posted this often, one request at a time. At most an hour. */
    flushIntervalS: atMost(
      z.number().min(1),
      3600,
      's',
      'an hour of readings held back is an hour a crash loses',
    ).default(10),
    /** A point per cell (voltage, balancing): 96 lines a sample for 16 modules. */
    cells: z.boolean().default(true),
    /** A point per module thermistor (temperature). */
    temperatures: z.boolean().default(true),
    /**
     * Lines waiting to be written while InfluxDB is away: when full, the oldest are dropped (and
     * counted). 50 000 lines is over an hour of 16 modules at the defaults, about 5 MB.
     */
    maxBufferedLines: atMost(
      z.number().int().min(100),
      1_000_000,
      'lines',
      'a million lines take about 100 MB of an edge box’s memory',
    ).default(50_000),
    /** The most one write may take, the server's answer included. */
    timeoutMs: atMost(
      z.number().int().min(100),
      60_000,
      'ms',
      'a write that takes a minute holds back every later one',
    ).default(10_000),
  })
  .prefault({})
  .superRefine((section, ctx) => {
    if (!section.enabled) return;
    for (const key of ['url', 'org', 'bucket'] as const) {
      if (section[key] === null)
        ctx.addIssue({ code: 'custom', path: [key], message: `required when influxdb.enabled is true` });
    }
  });

/** The `influxdb` section as validated (defaults filled in), frozen like the whole configuration. */
export type InfluxDbConfig = DeepReadonly<z.output<typeof influxDbConfigSchema>>;
