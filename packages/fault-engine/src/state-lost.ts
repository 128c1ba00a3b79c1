import type { PersistedFaults } from './types';

/**
 * The latched `stateLost` fault to add to the `persisted` faults when the state file that keeps
 * latched faults across restarts (B-6) is missing or unreadable: latched faults may have been lost,
 * so the pack stays stopped until an operator has checked it and acknowledges.
 * `detail` names the file and why it could not be read.
 */
export function stateLostFault(detail: string, sinceMs: number): PersistedFaults['faults'][number] {
  return { kind: 'stateLost', level: 'fault', location: {}, value: null, detail, sinceMs };
}
