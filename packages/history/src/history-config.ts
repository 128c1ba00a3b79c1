import { z } from 'zod';
import { atMost } from '@tsbms/bms-core';

/*
 * The `history` section of an application's configuration: where the history file is, how large
 * it may grow and how often it is written. The application opens the store once per process.
 */

const MiB = 1024 * 1024;

export const historyConfigSchema = z
  .strictObject({
    /** The SQLite file; null = `<config file>.history.sqlite` when there is a config file, else none. */
    file: z.string().min(1).nullable().default(null),
    /**
     * The file stays under this (the oldest rows go first, finest tier first). 256 MiB keeps a
     * month of 1 min rows with per-cell statistics for a 4-module pack, and years of 15 min rows.
     */
    maxMegabytes: atMost(
      z.number().min(1),
      65_536,
      'MiB',
      'an SD card or small disk is the usual home; 64 GiB is ten times what ten years of any pack need',
    ).default(256),
    /**
     * Single scans are kept this long at full resolution (ahead of the 10 s tier): the minutes
     * before a fault as the core saw them. 0 keeps none.
     */
    scanRingMinutes: atMost(
      z.number().min(0),
      1440,
      'min',
      'every scan of a day at 1 s polls is ~130 MB for a 96-cell pack, written again each day to an SD card',
    ).default(10),
    /** At most one write every this many seconds (an SD card wears with every write). */
    flushIntervalS: atMost(
      z.number().min(1),
      300,
      's',
      'a killed controller loses what was not yet written: five minutes of rows at most',
    ).default(5),
  })
  .prefault({});

export type HistoryConfig = z.output<typeof historyConfigSchema>;

/** The store's scan ring in ms. */
export function historyScanRingMs(config: HistoryConfig): number {
  return config.scanRingMinutes * 60_000;
}

/** The store's size bound in bytes. */
export function historyMaxBytes(config: HistoryConfig): number {
  return config.maxMegabytes * MiB;
}
