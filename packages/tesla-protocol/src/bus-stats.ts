/** Link health of one address (T-5 counts the three failure classes separately per module). */
export interface ModuleLinkStats {
  readonly framesOk: number;
  readonly crcErrors: number;
  readonly badFrames: number;
  readonly echoMismatches: number;
  readonly timeouts: number;
  readonly noSuchModule: number;
  readonly retries: number;
}

export interface BusStats extends ModuleLinkStats {
  readonly linkErrors: number;
  readonly bytesSent: number;
  readonly bytesReceived: number;
  /** Garbage, rejected frames and stray input discarded. */
  readonly droppedBytes: number;
  /** Keyed by address: 0 = unaddressed, 1..62 modules, 63 = broadcast. */
  readonly perModule: Readonly<Record<number, ModuleLinkStats>>;
}

export type ModuleCounter = keyof ModuleLinkStats;

export const EMPTY_MODULE_STATS: ModuleLinkStats = Object.freeze({
  framesOk: 0,
  crcErrors: 0,
  badFrames: 0,
  echoMismatches: 0,
  timeouts: 0,
  noSuchModule: 0,
  retries: 0,
});

/** Mutable tally behind the bus's immutable snapshots. */
export class BusStatsTally {
  private readonly totals: Record<ModuleCounter, number> = {
    ...EMPTY_MODULE_STATS,
  };
  private readonly modules = new Map<number, Record<ModuleCounter, number>>();
  linkErrors = 0;
  bytesSent = 0;
  bytesReceived = 0;

  count(address: number, counter: ModuleCounter): void {
    this.totals[counter] += 1;
    let module = this.modules.get(address);
    if (!module) {
      module = { ...EMPTY_MODULE_STATS };
      this.modules.set(address, module);
    }
    module[counter] += 1;
  }

  snapshot(droppedBytes: number): BusStats {
    const perModule: Record<number, ModuleLinkStats> = {};
    for (const [address, counts] of [...this.modules].sort(([a], [b]) => a - b))
      perModule[address] = Object.freeze({ ...counts });
    return Object.freeze({
      ...this.totals,
      linkErrors: this.linkErrors,
      bytesSent: this.bytesSent,
      bytesReceived: this.bytesReceived,
      droppedBytes,
      perModule: Object.freeze(perModule),
    });
  }
}
