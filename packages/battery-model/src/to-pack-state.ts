import { filter, map, type OperatorFunction, scan } from 'rxjs';
import { type BatteryModelConfig } from './config';
import { initialPackModel, type PackState, updatePackModel } from './pack-state';
import type { PackReading } from '@tsbms/pack-reading';
import type { PersistedSoc } from './soc-estimator';

/**
 * Turns `readings$` into `pack$`, one snapshot per scan. Time comes from each reading's
 * `timestampMs` (the injected clock's `now()` when the scan completed), so no scheduler is needed
 * and a recorded sequence of readings always gives the same states.
 */
export function toPackState(
  config: BatteryModelConfig,
  persisted?: PersistedSoc | null,
): OperatorFunction<PackReading, PackState> {
  return (readings$) =>
    readings$.pipe(
      scan(updatePackModel, initialPackModel(config, persisted)),
      map((model) => model.pack),
      filter((pack): pack is PackState => pack !== null),
    );
}
