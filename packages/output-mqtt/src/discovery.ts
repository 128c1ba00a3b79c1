import { CELLS_PER_MODULE, TEMPERATURES_PER_MODULE } from '@tsbms/pack-reading';
import type { MqttConfig } from './mqtt-config';
import { OFF, ON } from './state-messages';
import {
  AVAILABILITY_OFFLINE,
  AVAILABILITY_ONLINE,
  mqttTopics,
  type MqttMessage,
  type MqttTopics,
} from './topics';

/*
 * Home Assistant MQTT discovery: one device (the pack) whose entities read the value topics of
 * state-messages.ts. Config topics: `<discovery prefix>/<component>/<node id>/<object id>/config`,
 * retained. Per-module and per-cell entities are optional; switched off, their config topics get
 * an empty payload, which removes entities an earlier setting created.
 */

export interface DiscoveryOptions {
  readonly topics: MqttTopics;
  /** HA's discovery prefix, `homeassistant` by default. */
  readonly prefix: string;
  /** Node id, device identifier and unique_id prefix. */
  readonly nodeId: string;
  readonly moduleCount: number;
  readonly perModuleSensors: boolean;
  readonly perCellSensors: boolean;
}

/** The discovery the `mqtt` section describes (whether or not it is enabled), for `moduleCount` modules. */
export function discoveryOptions(settings: MqttConfig, moduleCount: number): DiscoveryOptions {
  const { discovery } = settings;
  return {
    topics: mqttTopics(settings.topicPrefix),
    prefix: discovery.prefix,
    nodeId: discovery.nodeId ?? settings.topicPrefix.replace(/[^A-Za-z0-9_-]/g, '_'),
    moduleCount,
    perModuleSensors: discovery.perModuleSensors,
    perCellSensors: discovery.perCellSensors,
  };
}

type Component = 'sensor' | 'binary_sensor';

interface Entity {
  readonly component: Component;
  readonly objectId: string;
  readonly name: string;
  readonly stateTopic: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

const measurement = (deviceClass: string, unit: string, precision: number) => ({
  device_class: deviceClass,
  state_class: 'measurement',
  unit_of_measurement: unit,
  suggested_display_precision: precision,
});
const VOLTAGE = measurement('voltage', 'V', 2);
const CELL_VOLTAGE = measurement('voltage', 'V', 3);
const CURRENT = measurement('current', 'A', 1);
const TEMPERATURE = measurement('temperature', '°C', 1);
const BATTERY = measurement('battery', '%', 1);
const POWER = measurement('power', 'W', 0);
/** Hours: Home Assistant shows a duration in h as `2h 5m`, one in s as a bare number of seconds. */
const TIME_TO_GO = measurement('duration', 'h', 2);
/** What the Energy dashboard takes as a battery's "energy going in" and "energy going out". */
const LIFETIME_ENERGY = {
  device_class: 'energy',
  state_class: 'total_increasing',
  unit_of_measurement: 'kWh',
  suggested_display_precision: 2,
};
const binary = (deviceClass: string) => ({ device_class: deviceClass, payload_on: ON, payload_off: OFF });

function packEntities(topics: MqttTopics): Entity[] {
  const sensor = (field: string, name: string, fields: Record<string, unknown>): Entity => ({
    component: 'sensor',
    objectId: field,
    name,
    stateTopic: topics.pack(field),
    fields,
  });
  const binarySensor = (field: string, name: string, fields: Record<string, unknown>): Entity => ({
    ...sensor(field, name, fields),
    component: 'binary_sensor',
  });
  // The fault lists are JSON arrays; HA attributes must be an object.
  const listAttributes = (field: string) => ({
    json_attributes_topic: topics.pack(field),
    json_attributes_template: `{{ {'${field}': value_json} | tojson }}`,
  });
  return [
    sensor('voltage', 'Pack voltage', VOLTAGE),
    sensor('current', 'Pack current', CURRENT),
    sensor('soc', 'State of charge', BATTERY),
    sensor('power', 'Pack power', POWER),
    sensor('energyCharged', 'Energy charged', LIFETIME_ENERGY),
    sensor('energyDischarged', 'Energy discharged', LIFETIME_ENERGY),
    // measurement, not total_increasing: a new capacity setting rescales it, which HA would take
    // as a meter reset.
    sensor('equivalentCycles', 'Equivalent full cycles', {
      state_class: 'measurement',
      suggested_display_precision: 2,
    }),
    sensor('timeToEmpty', 'Time to empty', TIME_TO_GO),
    sensor('timeToFull', 'Time to full', TIME_TO_GO),
    sensor('cellMinVoltage', 'Lowest cell voltage', CELL_VOLTAGE),
    sensor('cellMaxVoltage', 'Highest cell voltage', CELL_VOLTAGE),
    sensor('temperatureMin', 'Lowest temperature', TEMPERATURE),
    sensor('temperatureMax', 'Highest temperature', TEMPERATURE),
    sensor('chargeVoltageLimit', 'Charge voltage limit', VOLTAGE),
    sensor('chargeCurrentLimit', 'Charge current limit', CURRENT),
    sensor('dischargeCurrentLimit', 'Discharge current limit', CURRENT),
    sensor('contactors', 'Contactors', { icon: 'mdi:electric-switch' }),
    sensor('modulesOnline', 'Modules online', { state_class: 'measurement', entity_category: 'diagnostic' }),
    binarySensor('fault', 'Fault', { ...binary('problem'), ...listAttributes('faults') }),
    binarySensor('alert', 'Alert', { ...binary('problem'), ...listAttributes('alerts') }),
    binarySensor('contactorsClosed', 'Contactors closed', binary('power')),
    binarySensor('balancing', 'Balancing', binary('running')),
    binarySensor('heater', 'Heater', binary('heat')),
  ];
}

function moduleEntities(topics: MqttTopics, address: number): Entity[] {
  const objectId = (field: string) => `module_${address}_${field}`;
  const temperatures = Array.from(
    { length: TEMPERATURES_PER_MODULE },
    (_, i): Entity => ({
      component: 'sensor',
      objectId: objectId(`temperature_${i + 1}`),
      name: `Module ${address} temperature ${i + 1}`,
      stateTopic: topics.moduleTemperature(address, i + 1),
      fields: TEMPERATURE,
    }),
  );
  return [
    {
      component: 'sensor',
      objectId: objectId('voltage'),
      name: `Module ${address} voltage`,
      stateTopic: topics.module(address, 'voltage'),
      fields: VOLTAGE,
    },
    ...temperatures,
    {
      component: 'binary_sensor',
      objectId: objectId('comms'),
      name: `Module ${address} comms`,
      stateTopic: topics.module(address, 'comms'),
      fields: { ...binary('connectivity'), entity_category: 'diagnostic' },
    },
    {
      component: 'binary_sensor',
      objectId: objectId('balancing'),
      name: `Module ${address} balancing`,
      stateTopic: topics.module(address, 'balancing'),
      fields: binary('running'),
    },
  ];
}

function cellEntities(topics: MqttTopics, address: number): Entity[] {
  return Array.from({ length: CELLS_PER_MODULE }, (_, i) => i + 1).flatMap((cell): Entity[] => [
    {
      component: 'sensor',
      objectId: `cell_${address}_${cell}_voltage`,
      name: `Module ${address} cell ${cell} voltage`,
      stateTopic: topics.cell(address, cell, 'voltage'),
      fields: CELL_VOLTAGE,
    },
    {
      component: 'binary_sensor',
      objectId: `cell_${address}_${cell}_balancing`,
      name: `Module ${address} cell ${cell} balancing`,
      stateTopic: topics.cell(address, cell, 'balancing'),
      fields: binary('running'),
    },
  ]);
}

export function discoveryTopic(options: DiscoveryOptions, component: Component, objectId: string): string {
  return `${options.prefix}/${component}/${options.nodeId}/${objectId}/config`;
}

function configPayload(options: DiscoveryOptions, entity: Entity): string {
  const { topics, nodeId, moduleCount } = options;
  return JSON.stringify({
    name: entity.name,
    unique_id: `${nodeId}_${entity.objectId}`,
    state_topic: entity.stateTopic,
    availability_topic: topics.availability,
    payload_available: AVAILABILITY_ONLINE,
    payload_not_available: AVAILABILITY_OFFLINE,
    ...entity.fields,
    device: {
      identifiers: [nodeId],
      name: `tsBMS ${nodeId}`,
      manufacturer: 'tsBMS',
      model: `Tesla Model S modules ×${moduleCount}`,
    },
    origin: { name: 'tsBMS' },
  });
}

/** The retained discovery messages for the pack device, in publish order. */
export function discoveryMessages(options: DiscoveryOptions): MqttMessage[] {
  const addresses = Array.from({ length: options.moduleCount }, (_, i) => i + 1);
  const groups: [Entity[], boolean][] = [
    [packEntities(options.topics), true],
    [addresses.flatMap((a) => moduleEntities(options.topics, a)), options.perModuleSensors],
    [addresses.flatMap((a) => cellEntities(options.topics, a)), options.perCellSensors],
  ];
  return groups.flatMap(([entities, enabled]) =>
    entities.map((entity) => ({
      topic: discoveryTopic(options, entity.component, entity.objectId),
      payload: enabled ? configPayload(options, entity) : '',
    })),
  );
}
