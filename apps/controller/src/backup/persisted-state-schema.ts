import { z } from 'zod';
import { FAULT_KINDS } from '@tsbms/fault-engine';
import { CHIP_FLAG_MEANINGS, type ModuleHardwareFlag } from '@tsbms/pack-reading';
import type { PersistedBmsState } from '@tsbms/bms-core';

/*
 * The state file's content, checked value by value: the state file itself is only ever written by
 * the controller, but a backup passes through people's hands, so each value is refused with its
 * path before it can become a latched fault, a SoC or a counter.
 */

const milliseconds = z.number().int().min(0).max(8.64e15);
const location = z.strictObject({
  moduleAddress: z.number().int().min(1).max(62).optional(),
  cellIndex: z.number().int().min(0).max(5).optional(),
  sensorIndex: z.number().int().min(0).max(1).optional(),
  quantity: z.enum(['cellVoltage', 'temperature', 'moduleVoltage']).optional(),
  contactor: z.string().min(1).max(40).optional(),
});
const counter = z.number().min(0).max(1e12);
const chipFlags = Object.keys(CHIP_FLAG_MEANINGS) as [ModuleHardwareFlag, ...ModuleHardwareFlag[]];

export const persistedStateSchema = z.strictObject({
  version: z.literal(1),
  faults: z
    .strictObject({
      version: z.literal(1),
      faults: z
        .array(
          z.strictObject({
            kind: z.enum(FAULT_KINDS),
            level: z.enum(['fault', 'warning', 'info']),
            location,
            // What raised the fault (issue 17); `threshold` is absent from files written before it.
            value: z.number().nullable(),
            threshold: z.number().optional(),
            detail: z.string().max(500).optional(),
            chipFlags: z.array(z.enum(chipFlags)).optional(),
            sinceMs: milliseconds,
          }),
        )
        .max(1000),
    })
    .nullable(),
  soc: z
    .strictObject({
      socPercent: z.number().min(0).max(100),
      sohPercent: z.number().min(0).max(100),
      timestampMs: milliseconds,
    })
    .nullable(),
  energy: z
    .strictObject({ chargedAh: counter, dischargedAh: counter, chargedWh: counter, dischargedWh: counter })
    .nullable()
    .optional(),
}) satisfies z.ZodType<PersistedBmsState>;
