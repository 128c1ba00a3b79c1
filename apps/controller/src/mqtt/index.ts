export { checkMqttSettings, startMqttOutput, MqttOutput } from './mqtt-output';
export type { MqttOutputSettings } from './mqtt-output';
export { mqttTopics, AVAILABILITY_OFFLINE, AVAILABILITY_ONLINE } from './topics';
export type { MqttTopics, MqttMessage } from './topics';
export { stateMessages, formatValue } from './state-messages';
export { ChangeDetector } from './change-detector';
export { discoveryMessages } from './discovery';
export type { DiscoveryOptions } from './discovery';
export { commandHandlers, runCommand } from './commands';
export type {
  CommandAuthorisation,
  CommandContext,
  CommandResponse,
  CommandError,
  CommandId,
} from './commands';
