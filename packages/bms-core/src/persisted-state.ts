import type { EnergyTotals, PersistedSoc } from '@tsbms/battery-model';
import type { PersistedFaults } from '@tsbms/fault-engine';

/** What must survive a restart (B-6 latched faults, B-36 SoC, the energy counters); JSON-serialisable, for the app's state file. */
export interface PersistedBmsState {
  readonly version: 1;
  readonly faults: PersistedFaults | null;
  readonly soc: PersistedSoc | null;
  /** Lifetime charged/discharged Ah and Wh; absent in files from before the counters existed. */
  readonly energy?: EnergyTotals | null;
}
