import { z } from 'zod';
import { reconnectSettingsSchema } from '@tsbms/bms-core';
import { identityTextIssues } from '@tsbms/inverter-can';

/*
 * The output's own section of the controller's configuration, `can`. The application puts this
 * schema under its `can` key, so issue paths read `can.manufacturerName`, `can.reconnect.…`.
 */

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
    reconnect: reconnectSettingsSchema('can', 30),
  })
  .prefault({})
  .superRefine((can, ctx) => {
    for (const issue of identityTextIssues(can)) {
      ctx.addIssue({ code: 'custom', path: [issue.field], message: issue.reason });
    }
  });

/** The `can` section as validated (defaults filled in). */
export type CanConfig = z.output<typeof canConfigSchema>;
