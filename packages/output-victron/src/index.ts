export { canConfigSchema, type CanConfig } from './can-config';
export {
  CanOutput,
  GX_SEEN_WITHIN_S,
  victronCanOutput,
  type CanBusSettings,
  type CanOutputBus,
  type CanOutputBusCounters,
  type CanOutputOptions,
  type CanOutputSettings,
} from './can-output';
export {
  firmwareFromVersion,
  toVictronSnapshot,
  victronAlarms,
  victronIdentityOf,
  type VictronIdentitySettings,
  type VictronPackFacts,
} from './victron-snapshot';
