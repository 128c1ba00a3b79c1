/*
 * The one scale of a failed share of transactions, shared by every heat map of the serial loop:
 * the doctor's terminal map (heat-map.ts) and the dashboard's (output-http's GET /api/link-errors
 * sends each cell's level, so the browser never repeats the thresholds).
 */

/** 0 none failed, 1 under 25 %, 2 under 50 %, 3 under 100 %, 4 all. */
export type FailedShareLevel = 0 | 1 | 2 | 3 | 4;

/** Each level in words, by level: a heat map's legend. */
export const FAILED_SHARE_LABELS = ['none', '< 25 %', '< 50 %', '< 100 %', 'all'] as const;

/** The level of `failures` out of `transactions`; null when nothing was asked (no transaction). */
export function failedShareLevel(failures: number, transactions: number): FailedShareLevel | null {
  if (transactions === 0) return null;
  if (failures === 0) return 0;
  if (failures === transactions) return 4;
  const share = failures / transactions;
  return share < 0.25 ? 1 : share < 0.5 ? 2 : 3;
}
