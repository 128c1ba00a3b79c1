import type { LinkStats } from '@tsbms/bms-core';
import { errorMessage } from '../config';
import { SupportBundleError } from './support-bundle-error';

/*
 * `npm run support-bundle -- --url …`: what the running daemon answers on its HTTP API (the
 * status, its fault log, the bus counters from /metrics). Reads only.
 */

/** How the CLI logs in: a bearer token, or HTTP Basic (`user:password`). */
export type DaemonCredentials =
  | { readonly token: string }
  | { readonly username: string; readonly password: string }
  | null;

export interface DaemonAnswers {
  readonly status: unknown;
  readonly events: readonly unknown[];
  /** From /metrics; null when it could not be read (the bundle says so). */
  readonly linkStats: LinkStats | null;
  readonly linkStatsProblem: string | null;
}

const REQUEST_TIMEOUT_MS = 10_000;

function authorization(credentials: DaemonCredentials): Record<string, string> {
  if (credentials === null) return {};
  if ('token' in credentials) return { authorization: `Bearer ${credentials.token}` };
  const basic = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
  return { authorization: `Basic ${basic}` };
}

async function get(
  base: URL,
  route: string,
  credentials: DaemonCredentials,
  fetchImpl: typeof fetch,
): Promise<Response> {
  const url = new URL(route, base);
  let response: Response;
  try {
    response = await fetchImpl(url, {
      headers: authorization(credentials),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    const reason = cause === undefined ? errorMessage(error) : errorMessage(cause);
    throw new SupportBundleError('DAEMON_REQUEST', `cannot reach the daemon at ${url.origin}: ${reason}`);
  }
  if (!response.ok) {
    let detail = '';
    try {
      const body = (await response.json()) as { error?: { code?: string; message?: string } };
      detail =
        body.error === undefined ? '' : `: ${body.error.code ?? ''} ${body.error.message ?? ''}`.trimEnd();
    } catch {
      // not the API's JSON error
    }
    throw new SupportBundleError('DAEMON_REQUEST', `GET ${route} answered ${response.status}${detail}`);
  }
  return response;
}

async function getJson(base: URL, route: string, credentials: DaemonCredentials, fetchImpl: typeof fetch) {
  const response = await get(base, route, credentials, fetchImpl);
  try {
    return (await response.json()) as unknown;
  } catch {
    throw new SupportBundleError(
      'DAEMON_REQUEST',
      `GET ${route} did not answer JSON: is ${base.origin} a tsBMS daemon?`,
    );
  }
}

/** `frames_ok` → `framesOk`. */
const camelCase = (name: string) => name.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());

/**
 * The per-module bus counters from /metrics' `tsbms_comms_<counter>_total{address="N"}` lines;
 * the totals come from the status (`comms`).
 */
export function perModuleCounters(metricsText: string): Record<number, Record<string, number>> {
  const perModule: Record<number, Record<string, number>> = {};
  for (const line of metricsText.split('\n')) {
    const match = /^tsbms_comms_([a-z0-9_]+)_total\{address="(\d+)"\} (\S+)$/.exec(line);
    if (match === null) continue;
    const value = Number(match[3]);
    if (!Number.isFinite(value)) continue;
    const address = Number(match[2]);
    perModule[address] = { ...perModule[address], [camelCase(match[1])]: value };
  }
  return perModule;
}

/** GET /api/status, /api/events and /metrics of the daemon at `url`. */
export async function askDaemon(
  url: string,
  credentials: DaemonCredentials,
  fetchImpl: typeof fetch = fetch,
): Promise<DaemonAnswers> {
  const base = new URL(url);
  const status = await getJson(base, '/api/status', credentials, fetchImpl);
  const events = (await getJson(base, '/api/events', credentials, fetchImpl)) as { events?: unknown };
  let linkStats: LinkStats | null = null;
  let linkStatsProblem: string | null = null;
  try {
    const text = await (await get(base, '/metrics', credentials, fetchImpl)).text();
    const comms = (status as { comms?: unknown }).comms;
    linkStats = {
      totals: typeof comms === 'object' && comms !== null ? (comms as LinkStats['totals']) : {},
      perModule: perModuleCounters(text),
    };
  } catch (error) {
    linkStatsProblem = `GET /metrics failed: ${errorMessage(error)}`;
  }
  return {
    status,
    events: Array.isArray(events.events) ? events.events : [],
    linkStats,
    linkStatsProblem,
  };
}
