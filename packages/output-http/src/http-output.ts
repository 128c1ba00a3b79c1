import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import {
  ConfigChangeError,
  type OutputContext,
  type OutputFactory,
  type OutputService,
} from '@tsbms/bms-core';
import { errorMessage } from '@tsbms/hal';
import { createHttpApi, type HttpApiOptions, type HttpOutputSettings } from './http-app';
import { isLoopbackHost, type HttpConfig } from './http-config';
import { LinkErrorLog } from './link-error-log';
import { StatusHistory } from './status-history';

/** A stop lets requests in flight finish this long, then drops their connections. */
const STOP_GRACE_MS = 1000;
/** Slow-loris bounds: a request must arrive whole within these. */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;

/** The chart's history outlives in-process restarts: saving a setting must not wipe 24 h of it. */
const histories = new WeakMap<OutputContext<HttpOutputSettings>, StatusHistory>();

function historyFor(context: OutputContext<HttpOutputSettings>, settings: HttpConfig): StatusHistory {
  const kept = histories.get(context);
  if (kept?.hasOptions(settings)) return kept;
  const history = new StatusHistory(settings);
  histories.set(context, history);
  return history;
}

/** The link-error heat map outlives them too, for the same reason. */
const linkErrorLogs = new WeakMap<OutputContext<HttpOutputSettings>, LinkErrorLog>();

function linkErrorLogFor(context: OutputContext<HttpOutputSettings>): LinkErrorLog {
  const log = linkErrorLogs.get(context) ?? new LinkErrorLog();
  linkErrorLogs.set(context, log);
  return log;
}

function configError(configPath: string, reason: string): ConfigChangeError {
  return new ConfigChangeError('INVALID_CONFIG', [{ configPath, reason }]);
}

function readPem(configPath: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw configError(configPath, `cannot read ${file}: ${errorMessage(error)}`);
  }
}

function tlsOptions(settings: HttpConfig): https.ServerOptions | null {
  const { certFile, keyFile } = settings.tls;
  if (certFile === null || keyFile === null) return null;
  return { cert: readPem('http.tls.certFile', certFile), key: readPem('http.tls.keyFile', keyFile) };
}

function listen(server: http.Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const failed = (error: Error) => reject(error);
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      resolve(server.address() as AddressInfo);
    });
  });
}

function serverUrl(scheme: 'http' | 'https', address: AddressInfo): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `${scheme}://${host}:${address.port}/`;
}

/** What the application chooses beside the settings: the secrets of its configuration, the site. */
export type HttpOutputOptions = Pick<
  HttpApiOptions,
  'secretConfigPaths' | 'dashboardDir' | 'eventStream' | 'backup' | 'supportBundle' | 'archive'
>;

/**
 * The HTTP output: dashboard, REST API, event stream and /metrics on `http.host:http.port`
 * (HTTPS with `http.tls`); null (off) when `http.enabled` is false. Logs `{ event: 'http', url }`
 * once listening.
 */
export function startHttpOutputWith(options: HttpOutputOptions = {}): OutputFactory<HttpOutputSettings> {
  return async (context: OutputContext<HttpOutputSettings>): Promise<OutputService | null> => {
    const settings = context.settings().http;
    if (!settings.enabled) return null;
    const hasCredentials = settings.auth.passwordHash !== null || settings.auth.bearerTokenHash !== null;
    // The schema refuses this already; checked again because this is what keeps writes local.
    if (settings.writesEnabled && !hasCredentials && !isLoopbackHost(settings.host)) {
      throw configError('http.host', 'a non-loopback host with writesEnabled needs credentials (http.auth)');
    }
    const tls = tlsOptions(settings);
    const api = createHttpApi(context, {
      settings,
      tls: tls !== null,
      history: historyFor(context, settings),
      linkErrors: linkErrorLogFor(context),
      ...options,
    });
    const server = tls === null ? http.createServer(api.app) : https.createServer(tls, api.app);
    server.headersTimeout = HEADERS_TIMEOUT_MS;
    server.requestTimeout = REQUEST_TIMEOUT_MS;
    let address: AddressInfo;
    try {
      address = await listen(server, settings.port, settings.host);
    } catch (error) {
      api.close();
      throw new Error(`HTTP cannot listen on ${settings.host}:${settings.port}: ${errorMessage(error)}`);
    }
    const url = serverUrl(tls === null ? 'http' : 'https', address);
    let lastError: string | null = null;
    server.on('error', (error) => {
      lastError = errorMessage(error);
      context.logger.warn({ event: 'http', error: lastError }, `HTTP server error: ${lastError}`);
    });
    server.on('clientError', (_error, socket) => socket.destroy());
    context.logger.info({ event: 'http', url }, `dashboard and API at ${url}`);

    return {
      name: 'http',
      status: () => ({
        state: lastError === null ? 'ok' : 'degraded',
        message:
          lastError === null
            ? `${url} (${api.eventStream.clientCount} live clients)`
            : `${url}: ${lastError}`,
        details: { url, streamClients: api.eventStream.clientCount, writesEnabled: settings.writesEnabled },
      }),
      stop: () =>
        new Promise<void>((resolve) => {
          api.close();
          const grace = context.clock.schedule(() => server.closeAllConnections(), STOP_GRACE_MS);
          server.close(() => {
            grace.unsubscribe();
            resolve();
          });
          server.closeIdleConnections();
        }),
    };
  };
}

/** The HTTP output with the defaults: the `http` section's own secrets hidden, the dashboard package's site. */
export const startHttpOutput: OutputFactory<HttpOutputSettings> = startHttpOutputWith();
