import type { z } from 'zod';

/**
 * A setting's physical upper bound, refused as `at most 60 s: <why>` so the message says what the
 * limit protects. Bounds also keep every timer a setting arms far below Node's 2^31 − 1 ms, past
 * which setTimeout fires after 1 ms instead (a 1e12 s delay would be no delay at all).
 */
export function atMost(schema: z.ZodNumber, max: number, unit: string, reason: string): z.ZodNumber {
  return schema.max(max, `at most ${max} ${unit}: ${reason}`);
}
