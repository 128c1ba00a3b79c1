export { CanOutput, GX_SEEN_WITHIN_S, startCanOutput } from './can-output';
export type { CanBusSettings, CanOutputBus, CanOutputOptions } from './can-output';
export {
  firmwareFromVersion,
  toVictronSnapshot,
  victronAlarms,
  victronIdentity,
  victronPackFacts,
} from './victron-snapshot';
export type { VictronPackFacts } from './victron-snapshot';
