import { z } from 'zod';
import type { ReconnectPolicy } from '@tsbms/hal';
import { atMost } from './upper-bound';

/** One wait of a reconnect backoff; its bound is how late a link that is back is used again. */
const reconnectDelayS = atMost(
  z.number().positive(),
  3600,
  's',
  'a link that is back is used again within the hour',
);

/**
 * An output's `reconnect` setting: a lost interface or broker is retried after initialDelayS, the
 * wait doubling up to maxDelayS. `section` names the output's section in the refusal message.
 */
export function reconnectSettingsSchema(section: string, maxDelayDefaultS: number) {
  return z
    .strictObject({
      initialDelayS: reconnectDelayS.default(1),
      maxDelayS: reconnectDelayS.default(maxDelayDefaultS),
    })
    .prefault({})
    .refine((r) => r.initialDelayS <= r.maxDelayS, {
      path: ['initialDelayS'],
      message: `must not exceed ${section}.reconnect.maxDelayS`,
    });
}

/** The validated `reconnect` setting. */
export type ReconnectSettings = z.output<ReturnType<typeof reconnectSettingsSchema>>;

/** The setting's seconds as hal's policy, whose `reconnectDelayMs` does the doubling. */
export function reconnectPolicy(settings: ReconnectSettings): ReconnectPolicy {
  return { initialDelayMs: settings.initialDelayS * 1000, maxDelayMs: settings.maxDelayS * 1000 };
}
