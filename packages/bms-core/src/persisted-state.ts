import type { PersistedSoc } from '@tsbms/battery-model';
import type { PersistedFaults } from '@tsbms/fault-engine';

/** What must survive a restart (B-6 latched faults, B-36 SoC); JSON-serialisable, for the app's state file. */
export interface PersistedBmsState {
  readonly version: 1;
  readonly faults: PersistedFaults | null;
  readonly soc: PersistedSoc | null;
}
