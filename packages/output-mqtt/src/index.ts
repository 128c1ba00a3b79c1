export {
  MQTT_SECRET_CONFIG_PATHS,
  mqttConfigSchema,
  type MqttConfig,
  type MqttOutputSettings,
} from './mqtt-config';
export { MqttOutput, startMqttOutput } from './mqtt-output';
export { checkMqttSettings } from './client-options';
export {
  AVAILABILITY_OFFLINE,
  AVAILABILITY_ONLINE,
  mqttTopics,
  type MqttMessage,
  type MqttTopics,
} from './topics';
export { formatValue, stateMessages } from './state-messages';
export { ChangeDetector } from './change-detector';
export { discoveryMessages, discoveryOptions, type DiscoveryOptions } from './discovery';
export {
  HOME_ASSISTANT_CONTROLS,
  homeAssistantHandlers,
  PRESS,
  settingMessages,
  type HomeAssistantControl,
} from './ha-controls';
export {
  commandHandlers,
  runCommand,
  type CommandAuthorisation,
  type CommandContext,
  type CommandError,
  type CommandHandler,
  type CommandId,
  type CommandResponse,
} from './commands';
