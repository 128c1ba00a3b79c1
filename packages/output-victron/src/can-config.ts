import { z } from 'zod';
import type { ReconnectPolicy } from '@tsbms/hal';
import { identityTextIssues } from '@tsbms/victron-can';

/*
 * The output's own section of the controller's configuration, `can`. The application puts this
 * schema under its `can` key, so issue paths read `can.manufacturerName`, `can.reconnect.…`.
 */

/** One wait of the backoff; its bound is how late an interface that is back is used again. */
const reconnectDelayS = z
  .number()
  .positive()
  .max(3600, 'at most 3600 s: a link that is back is used again within the hour');

/** Interface missing or down: retried after initialDelayS, the wait doubling up to maxDelayS. */
const canReconnectSchema = z
  .strictObject({
    initialDelayS: reconnectDelayS.default(1),
    maxDelayS: reconnectDelayS.default(30),
  })
  .prefault({})
  .refine((r) => r.initialDelayS <= r.maxDelayS, {
    path: ['initialDelayS'],
    message: 'must not exceed can.reconnect.maxDelayS',
  });

/** Victron GX over SocketCAN: the `can` section of the configuration. */
export const canConfigSchema = z
  .strictObject({
    /** SocketCAN interface on the GX's BMS-CAN port, e.g. `can0`; null = no Victron output. */
    interface: z.string().min(1).nullable().default(null),
    /** 0x35E, at most 8 characters; brand names Venus rewrites limits for are refused (V-11). */
    manufacturerName: z.string().min(1).default('tsBMS'),
    /** 0x370/0x371 when longer than 8 characters (up to 16); null = not sent. */
    batteryName: z.string().min(1).nullable().default(null),
    /** 0x380/0x381, up to 16 characters; null = not sent. */
    serialNumber: z.string().min(1).nullable().default(null),
    /** 0x382, up to 8 characters; null = not sent. */
    productFamily: z.string().min(1).nullable().default(null),
    /** Interface missing or down: retry after initialDelayS, doubling up to maxDelayS. */
    reconnect: canReconnectSchema,
  })
  .prefault({})
  .superRefine((can, ctx) => {
    for (const issue of identityTextIssues(can)) {
      ctx.addIssue({ code: 'custom', path: [issue.field], message: issue.reason });
    }
  });

/** The `can` section as validated (defaults filled in). */
export type CanConfig = z.output<typeof canConfigSchema>;

/** The section's seconds as hal's policy (whose `reconnectDelayMs` does the doubling). */
export function canReconnectPolicy(reconnect: CanConfig['reconnect']): ReconnectPolicy {
  return { initialDelayMs: reconnect.initialDelayS * 1000, maxDelayMs: reconnect.maxDelayS * 1000 };
}
