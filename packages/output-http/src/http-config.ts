import { z } from 'zod';
import { scryptHashSchema } from '@tsbms/credentials';
import { atMost } from '@tsbms/bms-core';

/*
 * The output's own section of the application's configuration, `http`; off the loopback address
 * only with credentials, so a fresh install exposes nothing. The application puts this schema under
 * its `http` key, so issue paths read `http.host`, `http.auth.…`.
 */

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

/** The `http` section as validated (defaults filled in). */
export type HttpConfig = z.output<typeof httpConfigSchema>;
