export {
  INVERTER_PROFILES,
  inverterConfigSchema,
  ownBatteryNames,
  type InverterConfig,
  type InverterProfile,
  type VictronInverterConfig,
} from './inverter-config';
export {
  CanOutput,
  inverterCanOutput,
  PEER_SEEN_WITHIN_S,
  type CanBusSettings,
  type CanOutputBus,
  type CanOutputBusCounters,
  type CanOutputOptions,
  type CanOutputSettings,
} from './can-output';
export { checkInverterSettings } from './inverter-settings-check';
export { PEER_NAME, PROFILE_TITLE, profileFrameSchedule } from './profile-schedule';
export {
  batteryIdentityOf,
  firmwareFromVersion,
  toVictronSnapshot,
  victronAlarms,
  type VictronPackFacts,
} from './victron-snapshot';
