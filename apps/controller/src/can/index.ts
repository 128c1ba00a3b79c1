export { CanOutput, GX_SEEN_WITHIN_S, startCanOutput } from './can-output';
export type { CanBusSettings, CanOutputBus, CanOutputOptions, CanOutputSettings } from './can-output';
export {
  firmwareFromVersion,
  toVictronSnapshot,
  victronAlarms,
  victronIdentity,
  victronIdentityOf,
  victronPackFacts,
} from './victron-snapshot';
export type { VictronIdentitySettings, VictronPackFacts } from './victron-snapshot';
