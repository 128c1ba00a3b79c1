import { bmsStatus, moduleStatus } from '@tsbms/bms-core/testing';
import {
  discoveryMessages,
  discoveryOptions,
  mqttConfigSchema,
  mqttTopics,
  stateMessages,
} from '@tsbms/output-mqtt';

// The `mqtt` section as a config file gives it: what is left out takes its default.
const mqtt = mqttConfigSchema.parse({ url: 'mqtt://192.168.1.10:1883', topicPrefix: 'garage/bms' });
console.log(
  `full refresh every ${mqtt.fullRefreshIntervalS} s, commands ${mqtt.commands.enabled ? 'on' : 'off'}`,
);

// A status snapshot as the BMS core publishes it: one module, its second thermistor unread.
const status = bmsStatus({
  timestampMs: 0,
  modules: [
    moduleStatus({
      address: 1,
      cellsV: [3.921, 3.92, 3.9184, 3.922, 3.921, 3.92],
      temperaturesC: [24.46, null],
    }),
  ],
  packVoltageV: 23.5224,
  currentA: -12.34,
  socPercent: 62.26,
});

// The value topics and payloads the broker holds once this snapshot is published.
const topics = mqttTopics(mqtt.topicPrefix);
const values = stateMessages(topics, status);
for (const topic of [topics.pack('soc'), topics.pack('cellMinVoltage'), topics.moduleTemperature(1, 2)]) {
  console.log(`${topic} ${values.get(topic)}`);
}

// Home Assistant discovery: a retained config per entity of the pack device and of each module's
// device (disabled in HA by default); the controls are off by default, so their configs are empty
// (which removes them from HA).
const discovery = discoveryMessages(discoveryOptions(mqtt, status.discovery.expected));
const announced = discovery.filter((message) => message.payload !== '');
console.log(`${announced.length} entities announced, ${discovery.length - announced.length} removed`);
const soc = announced.find((message) => message.topic.endsWith('/soc/config'));
console.log(`${soc?.topic} reads ${JSON.parse(soc?.payload ?? '{}').state_topic}`);
// → full refresh every 60 s, commands off
// → garage/bms/pack/soc 62.3
// → garage/bms/pack/cellMinVoltage 3.918
// → garage/bms/module/1/temperature/2 None
// → 40 entities announced, 9 removed
// → homeassistant/sensor/garage_bms/soc/config reads garage/bms/pack/soc
