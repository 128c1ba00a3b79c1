// The emulated chips are in the main entry too (the demo runs on them); tests take them from here.
export { EmulatedAds1115 } from '../emulated-ads1115';
export { EmulatedIna226 } from '../emulated-ina226';
export { EmulatedIna228 } from '../emulated-ina228';
export { EmulatedMcp3421 } from '../emulated-mcp3421';
export { EmulatedIvtS } from '../emulated-ivt-s';
export { EmulatedLemCab } from '../emulated-lem-cab';
// Only tests and examples run a GX in memory.
export { EmulatedGxMqtt, type EmulatedGxBattery, type EmulatedGxMqttOptions } from '../emulated-gx-mqtt';
export { MemoryMqttBroker, MemoryMqttClient, mqttTopicMatches } from '../memory-mqtt-broker';
