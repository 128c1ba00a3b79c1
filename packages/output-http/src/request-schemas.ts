import { z } from 'zod';
import { FAULT_KINDS } from '@tsbms/fault-engine';
import { formatConfigPath } from '@tsbms/bms-core';
import type { ApiIssue } from './api-errors';

/** POST /api/faults/ack: no kind = every kind; `location` as in the status (cellIndex from 0). */
export const faultsAckBodySchema = z.strictObject({
  kind: z.enum(FAULT_KINDS).optional(),
  location: z
    .strictObject({
      moduleAddress: z.number().int().min(1).max(62).optional(),
      cellIndex: z.number().int().min(0).optional(),
      sensorIndex: z.number().int().min(0).optional(),
      quantity: z.enum(['cellVoltage', 'temperature', 'moduleVoltage']).optional(),
      contactor: z.string().min(1).optional(),
    })
    .optional(),
});

/** POST /api/restart: an optional reason for the log. */
export const restartBodySchema = z.strictObject({
  reason: z.string().min(1).max(200).optional(),
});

/** POST /api/balance: no fields. */
export const balanceBodySchema = z.strictObject({});

export function zodIssues(error: z.ZodError): ApiIssue[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: formatConfigPath([...issue.path, key]), reason: 'unknown key' }))
      : [{ path: formatConfigPath(issue.path), reason: issue.message }],
  );
}
