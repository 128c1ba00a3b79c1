import type { PersistedSoc } from '@tsbms/battery-model';
import type { PersistedFaults } from '@tsbms/fault-engine';

/** The runtime's state file: what must survive a restart (B-6 latched faults, B-36 SoC). */
export interface PersistedRuntimeState {
  readonly version: 1;
  readonly faults: PersistedFaults | null;
  readonly soc: PersistedSoc | null;
}
