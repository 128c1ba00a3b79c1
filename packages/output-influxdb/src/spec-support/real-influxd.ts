import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/*
 * A real InfluxDB 1.x server (Debian's influxdb package, /usr/bin/influxd) for contract tests: its
 * own temp folder and generated config, HTTP and RPC on free loopback ports, no authentication, no
 * usage reporting, quiet logs. A missing binary fails the test: it is a required system package
 * (tools/install-system-deps), never a reason to skip.
 *
 * 1.x has no /api/v2/write (1.8 added it); its /write reads the same line protocol, and /query
 * answers InfluxQL as JSON.
 */

export const INFLUXD = '/usr/bin/influxd';

const STDERR_KEPT_CHARS = 16_000;
const PING_EVERY_MS = 100;
const STOP_GRACE_MS = 10_000;

/** `count` distinct loopback TCP ports nothing listens on right now (all held open at once). */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i += 1) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
      });
      const address = server.address();
      if (typeof address !== 'object' || address === null) throw new Error('no port');
      ports.push(address.port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

/** influxd's configuration: everything under `dir`, loopback only, nothing it does not need. */
export function influxdConfig(dir: string, httpPort: number, rpcPort: number): string {
  return `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"

[meta]
  dir = "${path.join(dir, 'meta')}"
  logging-enabled = false

[data]
  dir = "${path.join(dir, 'data')}"
  wal-dir = "${path.join(dir, 'wal')}"
  query-log-enabled = false

[monitor]
  store-enabled = false

[http]
  enabled = true
  bind-address = "127.0.0.1:${httpPort}"
  auth-enabled = false
  log-enabled = false
  pprof-enabled = false

[continuous_queries]
  enabled = false

[logging]
  level = "warn"
  suppress-logo = true
`;
}

/** One series of a query's answer. */
export interface InfluxSeries {
  readonly name: string;
  /** With `GROUP BY *`: every tag key of the measurement, `""` where the series has none. */
  readonly tags?: Readonly<Record<string, string>>;
  readonly columns: readonly string[];
  readonly values: readonly (readonly unknown[])[];
}

interface QueryAnswer {
  readonly results?: readonly { readonly series?: readonly InfluxSeries[]; readonly error?: string }[];
  readonly error?: string;
}

export interface InfluxdOptions {
  /** Changes the generated config before influxd reads it (e.g. to see a start fail). */
  readonly editConfig?: (config: string) => string;
  /** How long to wait for GET /ping to answer 204; default 20 s. */
  readonly startTimeoutMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class RealInfluxd {
  private stderr = '';
  private spawnError: Error | null = null;
  private stopping: Promise<void> | null = null;

  private constructor(
    private readonly child: ChildProcess,
    /** Its temp folder: config, meta, data, wal. */
    private readonly dir: string,
    /** `http://127.0.0.1:<port>`, no trailing slash. */
    readonly url: string,
  ) {
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-STDERR_KEPT_CHARS);
    });
    child.once('error', (error) => (this.spawnError = error));
  }

  /** Starts influxd and waits until it answers GET /ping; stops it again when it never does. */
  static async start(options: InfluxdOptions = {}): Promise<RealInfluxd> {
    if (!existsSync(INFLUXD))
      throw new Error(
        `${INFLUXD} is missing: install the system packages with tools/install-system-deps (Debian influxdb)`,
      );
    const dir = mkdtempSync(path.join(tmpdir(), 'tsbms-influxd-'));
    const [httpPort, rpcPort] = await freePorts(2);
    const configFile = path.join(dir, 'influxdb.conf');
    const config = influxdConfig(dir, httpPort, rpcPort);
    writeFileSync(configFile, options.editConfig ? options.editConfig(config) : config);
    const child = spawn(INFLUXD, ['-config', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    const influxd = new RealInfluxd(child, dir, `http://127.0.0.1:${httpPort}`);
    try {
      await influxd.untilPingAnswers(options.startTimeoutMs ?? 20_000);
    } catch (error) {
      await influxd.stop();
      throw error;
    }
    return influxd;
  }

  /** The last of what influxd wrote to stderr. */
  stderrTail(): string {
    return this.stderr;
  }

  private exited(): boolean {
    return this.spawnError !== null || this.child.exitCode !== null || this.child.signalCode !== null;
  }

  private async untilPingAnswers(timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      if (this.exited())
        throw new Error(
          `influxd exited (${this.spawnError?.message ?? this.child.exitCode ?? this.child.signalCode}) ` +
            `before answering GET /ping; its stderr:\n${this.stderrTail()}`,
        );
      const status = await fetch(`${this.url}/ping`, { signal: AbortSignal.timeout(1000) }).then(
        (response) => response.status,
        () => null,
      );
      if (status === 204) return;
      if (Date.now() >= until)
        throw new Error(
          `influxd did not answer GET /ping with 204 within ${timeoutMs} ms (last: ${status ?? 'no answer'}); ` +
            `its stderr:\n${this.stderrTail()}`,
        );
      await sleep(PING_EVERY_MS);
    }
  }

  /**
   * One InfluxQL statement; its series. A statement that changes something (CREATE, DROP) is
   * POSTed, as 1.x requires; a SELECT or SHOW is a GET. Throws for an HTTP or InfluxQL error.
   */
  async query(q: string, db?: string): Promise<readonly InfluxSeries[]> {
    const params = new URLSearchParams({ q, epoch: 'ms' });
    if (db !== undefined) params.set('db', db);
    const changes = !/^\s*(SELECT|SHOW)\b/i.test(q);
    const response = changes
      ? await fetch(`${this.url}/query`, {
          method: 'POST',
          body: params,
          signal: AbortSignal.timeout(10_000),
        })
      : await fetch(`${this.url}/query?${params}`, { signal: AbortSignal.timeout(10_000) });
    const text = await response.text();
    const answer = JSON.parse(text) as QueryAnswer;
    const error = answer.error ?? answer.results?.[0]?.error;
    if (response.status !== 200 || error !== undefined)
      throw new Error(`influxd: ${q}: HTTP ${response.status}: ${error ?? text}`);
    return answer.results?.[0]?.series ?? [];
  }

  /** POSTs the lines to `/write?db=…&precision=ms`; throws unless influxd answers 204. */
  async write(db: string, lines: readonly string[]): Promise<void> {
    const params = new URLSearchParams({ db, precision: 'ms' });
    const response = await fetch(`${this.url}/write?${params}`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
      body: lines.join('\n'),
      signal: AbortSignal.timeout(10_000),
    });
    if (response.status !== 204)
      throw new Error(
        `influxd: write of ${lines.length} line(s): HTTP ${response.status}: ${await response.text()}`,
      );
  }

  private exitWithin(ms: number): Promise<boolean> {
    if (this.exited()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      this.child.once('exit', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** SIGTERM to its PID, SIGKILL when it has not exited within 10 s; then removes its folder. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const { pid } = this.child;
      if (!this.exited() && pid !== undefined) {
        process.kill(pid, 'SIGTERM');
        if (!(await this.exitWithin(STOP_GRACE_MS))) {
          process.kill(pid, 'SIGKILL');
          await this.exitWithin(STOP_GRACE_MS);
        }
      }
      rmSync(this.dir, { recursive: true, force: true });
    })();
    return this.stopping;
  }
}
