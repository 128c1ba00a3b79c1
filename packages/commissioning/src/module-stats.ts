import {
  failuresOf,
  sumLinkCounters,
  transactionsOf,
  type LinkCounters,
  type ModuleObservation,
} from './observations';
import { median } from './words';

/** What one module's scans add up to. */
export interface ModuleStats {
  readonly address: number;
  /** Scans in which the module was asked (its scan broadcast came back). */
  readonly asked: number;
  /** Scans with a valid reading. */
  readonly readings: number;
  /** Scans where every transaction succeeded but the reading was refused: conversion not ready (T-20). */
  readonly notReady: number;
  readonly link: LinkCounters;
  readonly transactions: number;
  readonly failures: number;
  /** Replies that arrived damaged: CRC errors, garbled frames, wrong echoes. */
  readonly damaged: number;
  /** Requests that got no reply: silence, or the request back. */
  readonly lost: number;
  readonly errorRate: number;
  /** Medians over the scans with a reading; null when never read. */
  readonly cellsV: readonly (number | null)[];
  readonly thermistorsC: readonly (number | null)[];
  readonly moduleVoltageV: number | null;
  readonly cellSumV: number | null;
}

export function moduleStats(module: ModuleObservation): ModuleStats {
  const asked = module.scans.filter((s) => transactionsOf(s.link) > 0);
  const read = module.scans.filter((s) => s.commsOk);
  const link = sumLinkCounters(module.scans.map((s) => s.link));
  const transactions = transactionsOf(link);
  const failures = failuresOf(link);
  const column = (pick: (index: number) => (number | null)[], count: number) =>
    Array.from({ length: count }, (_, i) => median(pick(i).filter((v): v is number => v !== null)));
  const cellCount = Math.max(0, ...read.map((s) => s.cellsV.length));
  const thermistorCount = Math.max(0, ...read.map((s) => s.thermistorsC.length));
  const sums = read
    .filter((s) => s.cellsV.length > 0 && s.cellsV.every((v) => v !== null))
    .map((s) => (s.cellsV as number[]).reduce((a, b) => a + b, 0));
  return {
    address: module.address,
    asked: asked.length,
    readings: read.length,
    notReady: asked.filter((s) => !s.commsOk && failuresOf(s.link) === 0).length,
    link,
    transactions,
    failures,
    damaged: link.crcErrors + link.badFrames + link.echoMismatches,
    lost: link.timeouts + link.noSuchModule,
    errorRate: transactions === 0 ? 0 : failures / transactions,
    cellsV: column((i) => read.map((s) => s.cellsV[i] ?? null), cellCount),
    thermistorsC: column((i) => read.map((s) => s.thermistorsC[i] ?? null), thermistorCount),
    moduleVoltageV: median(read.map((s) => s.moduleVoltageV).filter((v): v is number => v !== null)),
    cellSumV: median(sums),
  };
}
