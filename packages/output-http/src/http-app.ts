import { rangeQuerySchema, recordsAsCsv, type HistoryArchive } from './history-archive';
import type { Express, NextFunction, Request, Response } from 'express';
import { FailedAttemptThrottle } from '@tsbms/credentials';
import type { BmsStatus, OutputContext } from '@tsbms/bms-core';
import { DASHBOARD_DIR } from '@tsbms/dashboard';
import { errorMessage } from '@tsbms/hal';
import { apiErrorHandler, sendError } from './api-errors';
import { dashboardSite } from './dashboard-site';
import { EventStreamHub, type EventStreamOptions, DEFAULT_EVENT_STREAM_OPTIONS } from './event-stream';
import type { HttpConfig } from './http-config';
import { readJsonBody } from './json-body';
import { LinkErrorLog } from './link-error-log';
import { linkErrorReport } from './link-error-report';
import { createMetricsRegistry } from './metrics';
import { HTTP_SECRET_CONFIG_PATHS, redactConfig, withoutMaskedSecrets } from './redact-config';
import { balanceBodySchema, faultsAckBodySchema, restartBodySchema, zodIssues } from './request-schemas';
import { securityHeaders } from './security-headers';
import { StatusHistory } from './status-history';
import { requireWriteAccess } from './write-auth';

/** What the HTTP output runs on: its `http` section, and the scan interval /healthz measures by. */
export interface HttpOutputSettings {
  readonly http: HttpConfig;
  /** The top-level `pollIntervalS`: /healthz allows a few intervals without a scan. */
  readonly pollIntervalS: number;
}

const SOURCE = 'http';
/** /healthz is unhealthy when the latest scan is older than this many poll intervals (and 5 s). */
const HEALTHY_SCAN_INTERVALS = 5;
const MIN_HEALTHY_AGE_MS = 5000;

export interface HttpApiOptions {
  readonly settings: HttpConfig;
  /** Served over HTTPS: adds HSTS. */
  readonly tls: boolean;
  /** Default: the dashboard package's site. */
  readonly dashboardDir?: string;
  readonly eventStream?: EventStreamOptions;
  /**
   * Dotted paths of the configuration never shown (GET and PUT /api/config answer `***`); by
   * default the `http` section's own (HTTP_SECRET_CONFIG_PATHS). The application lists all of its own.
   */
  readonly secretConfigPaths?: readonly string[];
  /** A history kept from before a restart; by default a new one. */
  readonly history?: StatusHistory;
  /** The link-error heat map kept from before a restart; by default a new one. */
  readonly linkErrors?: LinkErrorLog;
  /**
   * The application's backup of its settings and state, for GET /api/backup (a download; secrets
   * are the application's to leave out). Absent: that route answers 404 NOT_AVAILABLE.
   */
  readonly backup?: () => BackupDownload;
  /**
   * The application's support bundle, for GET /api/support-bundle (a .tar.gz download made when
   * asked for; what is in it, and that no secret is, is the application's). Absent: 404 NOT_AVAILABLE.
   */
  readonly supportBundle?: () => SupportBundleDownload;
  /** The history on disk, for GET /api/history/rows and /events. Absent: they answer 404 NOT_AVAILABLE. */
  readonly archive?: HistoryArchive;
}

/** A file to download: its name and its content. */
export interface BackupDownload {
  readonly fileName: string;
  readonly text: string;
}

/** A binary file to download (a .tar.gz): its name and its bytes. */
export interface SupportBundleDownload {
  readonly fileName: string;
  readonly body: Buffer;
}

/** The express app with what it holds; `close()` ends streams and subscriptions (not the server). */
export interface HttpApi {
  readonly app: Express;
  readonly history: StatusHistory;
  readonly linkErrors: LinkErrorLog;
  readonly eventStream: EventStreamHub;
  close(): void;
}

/**
 * The REST API, event stream, /metrics, /healthz and the dashboard as an express app, separate
 * from listening so tests run it on port 0 with a fake context. Routes: this package's README.md.
 */
export function createHttpApi(context: OutputContext<HttpOutputSettings>, options: HttpApiOptions): HttpApi {
  const { settings } = options;
  const secretPaths = options.secretConfigPaths ?? HTTP_SECRET_CONFIG_PATHS;
  // First: a folder that cannot be read stops the start before anything is subscribed.
  const dashboard = dashboardSite(options.dashboardDir ?? DASHBOARD_DIR);
  const history = options.history ?? new StatusHistory(settings);
  const eventStream = new EventStreamHub(context, options.eventStream ?? DEFAULT_EVENT_STREAM_OPTIONS);
  const metrics = createMetricsRegistry(context);
  const historySubscription = context.status$.subscribe((status) => history.record(status));
  try {
    history.record(context.status());
  } catch {
    // No snapshot yet: the first scan is recorded when it comes.
  }
  const linkErrors = options.linkErrors ?? new LinkErrorLog();
  // The counters after every scan, read when the snapshot comes (the clock's time is theirs).
  const sampleLinkErrors = () => {
    try {
      linkErrors.record(context.clock.now(), context.linkStats());
    } catch {
      // No core yet: the next scan samples.
    }
  };
  const linkErrorSubscription = context.status$.subscribe(sampleLinkErrors);
  sampleLinkErrors();

  const writeAccess = requireWriteAccess(
    settings.auth,
    settings.writesEnabled,
    new FailedAttemptThrottle(context.clock),
  );
  const jsonBody = readJsonBody(settings.maxBodyBytes);
  const requireJson = (req: Request, res: Response, next: NextFunction) => {
    if (!req.is('application/json')) {
      sendError(res, 415, 'UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json');
      return;
    }
    next();
  };
  /** Acknowledge and restart take an optional body: none at all is `{}`. */
  const optionalJson = (req: Request, res: Response, next: NextFunction) => {
    if (!hasBody(req)) {
      req.body = {};
      return next();
    }
    requireJson(req, res, next);
  };

  // Loaded on first use: a daemon without HTTP never pays for express (issue 12 footprint).
  const express = require('express') as typeof import('express');
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(securityHeaders(options.tls));

  app.get('/api/status', (_req, res) => {
    res.json(context.status());
  });
  app.get('/api/config', (_req, res) => {
    res.json(redactConfig(context.configuration.current(), secretPaths));
  });
  app.put('/api/config', writeAccess, requireJson, jsonBody, (req, res) => {
    const { config, changedPaths, effect, restart } = context.configuration.update(
      withoutMaskedSecrets(req.body, secretPaths),
      SOURCE,
    );
    res.json({ config: redactConfig(config, secretPaths), changed: changedPaths, effect, restart });
  });
  app.get('/api/events', (_req, res) => {
    res.json({ events: context.faultEvents() });
  });
  app.post('/api/faults/ack', writeAccess, optionalJson, jsonBody, (req, res) => {
    const parsed = faultsAckBodySchema.safeParse(req.body);
    if (!parsed.success) {
      sendError(res, 400, 'INVALID_REQUEST', 'expected { kind?, location? }', zodIssues(parsed.error));
      return;
    }
    const { kind, location } = parsed.data;
    res.json(
      context.acknowledgeFaults({
        source: SOURCE,
        ...(kind === undefined ? {} : { kind }),
        ...(location === undefined ? {} : { location }),
      }),
    );
  });
  app.post('/api/restart', writeAccess, optionalJson, jsonBody, (req, res) => {
    const parsed = restartBodySchema.safeParse(req.body);
    if (!parsed.success) {
      sendError(res, 400, 'INVALID_REQUEST', 'expected { reason? }', zodIssues(parsed.error));
      return;
    }
    // The restart waits for the clock (it stops this server too), so this answer goes out first.
    const decision = context.requestRestart(parsed.data.reason ?? 'requested over HTTP', SOURCE);
    if (!decision.accepted) {
      res.setHeader('Retry-After', String(decision.retryAfterS));
      sendError(res, 429, 'RESTART_REFUSED', decision.reason);
      return;
    }
    res.status(202).json({ restarting: true, inS: decision.inS });
  });
  app.post('/api/balance', writeAccess, optionalJson, jsonBody, (req, res) => {
    if (!balanceBodySchema.safeParse(req.body).success) {
      sendError(res, 400, 'INVALID_REQUEST', 'expected {}');
      return;
    }
    const result = context.balanceNow(SOURCE);
    if (!result.accepted) {
      sendError(res, 409, 'BALANCE_REFUSED', result.reason);
      return;
    }
    res.status(202).json({ balancing: 'next scan' });
  });
  app.get('/api/link-errors', (_req, res) => {
    if (keepsNoLinkCounters(context)) {
      sendError(res, 404, 'NOT_AVAILABLE', 'this pack source keeps no link counters (a replayed recording)');
      return;
    }
    res.json(linkErrorReport(linkErrors.windows(), context.clock.now(), moduleAddresses(context)));
  });
  app.get('/api/history', (_req, res) => {
    res.json({ points: history.points() });
  });
  /** The archive, or a 404 NOT_AVAILABLE answered; and the query, or a 400 INVALID_REQUEST answered. */
  const archiveQuery = (req: Request, res: Response) => {
    if (options.archive === undefined) {
      sendError(
        res,
        404,
        'NOT_AVAILABLE',
        'this controller keeps no history file: it runs without a config file',
      );
      return null;
    }
    const parsed = rangeQuerySchema.safeParse(req.query);
    if (!parsed.success) {
      sendError(
        res,
        400,
        'INVALID_REQUEST',
        'expected from and to (ms or ISO 8601), tier, format json|csv',
        zodIssues(parsed.error),
      );
      return null;
    }
    return { archive: options.archive, query: parsed.data };
  };
  const sendRecords = (
    res: Response,
    name: string,
    format: 'json' | 'csv',
    records: readonly object[],
    timeField: string,
    body: object,
  ) => {
    if (format === 'csv')
      res.attachment(`${name}.csv`).type('text/csv').send(recordsAsCsv(records, timeField));
    else res.json(body);
  };
  app.get('/api/history/rows', (req, res) => {
    const found = archiveQuery(req, res);
    if (found === null) return;
    const { archive, query } = found;
    const tiers = archive.tiers().map((tier) => tier.name);
    const tier = query.tier ?? tiers[0];
    if (tier === undefined || !tiers.includes(tier)) {
      sendError(res, 400, 'INVALID_REQUEST', `tier must be one of ${tiers.join(', ')}`, [
        { path: 'tier', reason: `one of ${tiers.join(', ')}` },
      ]);
      return;
    }
    const rows = archive.rows(tier, query.from, query.to);
    sendRecords(res, `tsbms-history-${tier}`, query.format, rows, 'startMs', {
      tier,
      fromMs: query.from,
      toMs: query.to,
      rows,
    });
  });
  app.get('/api/history/events', (req, res) => {
    const found = archiveQuery(req, res);
    if (found === null) return;
    const { archive, query } = found;
    const events = archive.events(query.from, query.to);
    sendRecords(res, 'tsbms-events', query.format, events, 'atMs', {
      fromMs: query.from,
      toMs: query.to,
      events,
    });
  });
  app.get('/api/backup', (_req, res) => {
    if (options.backup === undefined) {
      sendError(res, 404, 'NOT_AVAILABLE', 'this controller keeps no backup: it runs without a config file');
      return;
    }
    const download = options.backup();
    res.attachment(download.fileName).type('application/json').send(download.text);
  });
  app.get('/api/support-bundle', (_req, res) => {
    if (options.supportBundle === undefined) {
      sendError(res, 404, 'NOT_AVAILABLE', 'this controller makes no support bundle');
      return;
    }
    let bundle: SupportBundleDownload;
    try {
      bundle = options.supportBundle();
    } catch (error) {
      // The application's reason (e.g. a secret found in an entry: named, never shown) is the answer.
      const reason = errorMessage(error).split('\n')[0];
      context.logger.error({ event: 'http', error: reason }, `support bundle not made: ${reason}`);
      sendError(res, 500, 'SUPPORT_BUNDLE_FAILED', `the support bundle was not made: ${reason}`);
      return;
    }
    res.attachment(bundle.fileName).type('application/gzip').send(bundle.body);
  });
  app.get('/api/stream', (_req, res) => {
    eventStream.attach(res);
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.contentType).send(await metrics.metrics());
  });
  app.get('/healthz', (_req, res) => {
    const health = healthOf(context);
    res.status(health.ok ? 200 : 503).json(health);
  });
  app.use('/api', (_req, res) => sendError(res, 404, 'NOT_FOUND', 'no such API route'));

  app.use(dashboard);
  app.use((_req, res) => sendError(res, 404, 'NOT_FOUND', 'not found'));
  app.use(apiErrorHandler(context.logger));

  return {
    app,
    history,
    linkErrors,
    eventStream,
    close() {
      historySubscription.unsubscribe();
      linkErrorSubscription.unsubscribe();
      eventStream.close();
    },
  };
}

/** The pack's modules, the heat map's rows; null (every address) while the core (re)starts. */
function moduleAddresses(context: OutputContext<HttpOutputSettings>): number[] | null {
  try {
    return context.status().modules.map((m) => m.address);
  } catch {
    return null;
  }
}

/** A source without counters (a replay); while the core (re)starts, the kept windows are served. */
function keepsNoLinkCounters(context: OutputContext<HttpOutputSettings>): boolean {
  try {
    return context.linkStats() === null;
  } catch {
    return false;
  }
}

function hasBody(req: Request): boolean {
  const length = req.get('content-length');
  return req.get('transfer-encoding') !== undefined || (length !== undefined && length !== '0');
}

interface Health {
  readonly ok: boolean;
  readonly reason: string;
  readonly lastScanAgeS: number | null;
}

function healthOf(context: OutputContext<HttpOutputSettings>): Health {
  let status: BmsStatus;
  try {
    status = context.status();
  } catch {
    return { ok: false, reason: 'the BMS core is starting', lastScanAgeS: null };
  }
  const { timestampMs, stateFile } = status;
  if (timestampMs === null) return { ok: false, reason: 'no scan has completed yet', lastScanAgeS: null };
  // Latched faults would not survive a crash: as unhealthy as a BMS that does not scan.
  if (stateFile !== null && !stateFile.ok) {
    return {
      ok: false,
      reason: `state file ${stateFile.file} cannot be saved: ${stateFile.error ?? 'unknown error'}`,
      lastScanAgeS: (context.clock.now() - timestampMs) / 1000,
    };
  }
  const ageMs = context.clock.now() - timestampMs;
  const maxAgeMs = Math.max(
    MIN_HEALTHY_AGE_MS,
    HEALTHY_SCAN_INTERVALS * context.settings().pollIntervalS * 1000,
  );
  const ok = ageMs <= maxAgeMs;
  return {
    ok,
    reason: ok ? 'scans complete' : `no scan for ${Math.round(ageMs / 1000)} s`,
    lastScanAgeS: ageMs / 1000,
  };
}
