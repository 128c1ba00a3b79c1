import type { Observable } from 'rxjs';
import type { PackReading } from './reading';

/** Bleed-FET masks by module address: bit n set = cell n+1 bleeds (T-22). */
export type BalanceMasks = ReadonlyMap<number, number>;

/** One scan as a source delivers it. */
export interface SourceReading {
  readonly reading: PackReading;
  /**
   * How many modules the source's latest complete discovery found; null before its first. A
   * discovery that failed or was cut short is no count (the module-count fault it would raise
   * latches). A source without discovery (a fixed chain) reports the configured count. The core
   * raises the module-count fault when it differs from the configuration.
   */
  readonly discoveredModules: number | null;
}

/**
 * Where readings come from: the Tesla scan loop, a replayed recording, another module type. The
 * core listens to `readings$`, then calls `start()`; it hands each balancing decision back with
 * `setBalancing` (applied from the next scan on) and calls `stop()` when it shuts down.
 */
export interface PackSource {
  /** Hot: one value per scan, timestamps strictly increasing. Completes after `stop()`; errors only when the source fails for good. */
  readonly readings$: Observable<SourceReading>;
  /** Begins producing readings. Idempotent. */
  start(): void;
  /** The masks to apply from the next scan on; an absent address is not balanced. */
  setBalancing(masks: BalanceMasks): void;
  /** Stops producing readings and stops every bleed FET (best effort); resolves when done. Idempotent. */
  stop(): Promise<void>;
  /** Link counters for the status (e.g. frames, CRC errors, timeouts), totals since start. */
  linkCounters?(): Readonly<Record<string, number>>;
}
