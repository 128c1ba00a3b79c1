import { interval, sample, Subscription } from 'rxjs';
import { errorMessage } from '@tsbms/hal';
import {
  ConfigChangeError,
  type OutputContext,
  type OutputFactory,
  type OutputService,
  type OutputStatus,
} from '@tsbms/bms-core';
import type { InfluxDbConfig } from './influxdb-config';
import { faultEventPoint, statusPoints, type InfluxPointSettings } from './influx-points';
import type { InfluxWriteTarget } from './influx-write-request';
import { InfluxWriter } from './influx-writer';
import { encodePoint, type InfluxPoint } from './line-protocol';

/** What the InfluxDB output runs on: its own section of the configuration. */
export interface InfluxDbOutputSettings {
  readonly influxdb: InfluxDbConfig;
}

export interface InfluxDbOutputOptions {
  /** The HTTP client (default: the global fetch). */
  readonly fetch?: typeof globalThis.fetch;
}

/**
 * The InfluxDB output: samples the status every `intervalS` (the latest scan) and takes every
 * fault event, as line protocol, into a writer that posts a batch every `flushIntervalS` to
 * InfluxDB's v2 write API. A write that fails is retried or dropped and logged; nothing here ever
 * waits on the BMS or makes it wait, and nothing it receives can make it throw.
 */
export class InfluxDbOutput implements OutputService {
  readonly name = 'influxdb';
  private readonly writer: InfluxWriter;
  private readonly subscriptions = new Subscription();
  /** Points line protocol cannot carry (a LineProtocolError); counted and logged once. */
  private pointsRejected = 0;
  private lastRejection: string | null = null;

  constructor(
    private readonly context: OutputContext<InfluxDbOutputSettings>,
    private readonly target: InfluxWriteTarget,
    fetch: typeof globalThis.fetch,
  ) {
    const config = context.settings().influxdb;
    const { clock, logger } = context;
    this.writer = new InfluxWriter({
      target,
      clock,
      logger,
      fetch,
      flushIntervalMs: config.flushIntervalS * 1000,
      maxBufferedLines: config.maxBufferedLines,
      timeoutMs: config.timeoutMs,
    });
    const points: InfluxPointSettings = {
      pack: config.pack,
      cells: config.cells,
      temperatures: config.temperatures,
    };
    this.subscriptions.add(
      context.status$
        .pipe(sample(interval(config.intervalS * 1000, clock)))
        .subscribe((status) => this.write(() => statusPoints(status, points))),
    );
    this.subscriptions.add(
      context.faultEvents$.subscribe((event) => this.write(() => [faultEventPoint(event, config.pack)])),
    );
  }

  status(): OutputStatus {
    const counters = this.writer.counters();
    const where = `${this.target.url} ${this.target.bucket}`;
    const lastWriteAgeS =
      counters.lastWriteAtMs === null ? null : (this.context.clock.now() - counters.lastWriteAtMs) / 1000;
    return {
      state: counters.failing ? 'degraded' : 'ok',
      message: counters.failing
        ? `${where}: ${counters.lastError ?? 'failing'}; ${counters.bufferedLines} line(s) waiting`
        : `${where}: ${counters.linesWritten} line(s) written` +
          (lastWriteAgeS === null ? '' : `, the last ${lastWriteAgeS} s ago`),
      details: {
        url: this.target.url,
        org: this.target.org,
        bucket: this.target.bucket,
        ...counters,
        lastWriteAgeS,
        pointsRejected: this.pointsRejected,
        lastRejection: this.lastRejection,
      },
    };
  }

  /** Unsubscribes, then flushes once (bounded by the timeout). */
  async stop(): Promise<void> {
    this.subscriptions.unsubscribe();
    await this.writer.stop();
  }

  /** Encodes the points and buffers their lines; a point that cannot be written is counted, never thrown. */
  private write(points: () => readonly InfluxPoint[]): void {
    try {
      const lines: string[] = [];
      for (const point of points()) {
        const line = this.encode(point);
        if (line !== null) lines.push(line);
      }
      this.writer.enqueue(lines);
    } catch (error) {
      // A status it cannot read: RxJS would report a throw here as an uncaught error.
      this.reject(error);
    }
  }

  private encode(point: InfluxPoint): string | null {
    try {
      return encodePoint(point);
    } catch (error) {
      this.reject(error);
      return null;
    }
  }

  private reject(error: unknown): void {
    this.pointsRejected++;
    this.lastRejection = errorMessage(error);
    if (this.pointsRejected === 1)
      this.context.logger.warn(
        { event: 'influxdb', error: this.lastRejection },
        `influxdb: a point was left out: ${this.lastRejection}`,
      );
  }
}

/** The section's server, org and bucket, checked again: the application may hand over any object. */
function writeTarget(config: InfluxDbConfig): InfluxWriteTarget {
  const { url, org, bucket, token } = config;
  const missing = (['url', 'org', 'bucket'] as const).filter((key) => config[key] === null);
  if (url === null || org === null || bucket === null)
    throw new ConfigChangeError(
      'INVALID_CONFIG',
      missing.map((key) => ({
        configPath: `influxdb.${key}`,
        reason: 'required when influxdb.enabled is true',
      })),
    );
  return { url, org, bucket, token };
}

/**
 * The InfluxDB output's factory: null (off) unless the section is enabled, else a running
 * {@link InfluxDbOutput}. Throws a ConfigChangeError when enabled without url, org or bucket.
 */
export function startInfluxDbOutput(
  options: InfluxDbOutputOptions = {},
): OutputFactory<InfluxDbOutputSettings> {
  const fetch = options.fetch ?? globalThis.fetch;
  return (context) => {
    const config = context.settings().influxdb;
    if (!config.enabled) return Promise.resolve(null);
    try {
      return Promise.resolve(new InfluxDbOutput(context, writeTarget(config), fetch));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  };
}
