import { CELLS_PER_MODULE, TEMPERATURES_PER_MODULE } from '@tsbms/pack-reading';
import type { MqttConfig } from './mqtt-config';
import { HOME_ASSISTANT_CONTROLS, PRESS, type HomeAssistantControl } from './ha-controls';
import { OFF, ON } from './state-messages';
import {
  AVAILABILITY_OFFLINE,
  AVAILABILITY_ONLINE,
  mqttTopics,
  type MqttMessage,
  type MqttTopics,
} from './topics';

/*
 * Home Assistant MQTT discovery: the pack's device, whose entities read the value topics of
 * state-messages.ts, and one device per module (`via_device` the pack) holding its own and its
 * cells' entities. Config topics: `<discovery prefix>/<component>/<node id>/<object id>/config`,
 * retained. Module and cell entities are always announced; those the settings leave out are
 * disabled by default (the owner can enable any one in HA). A module's entities are unavailable
 * while it does not answer, and expire when its values stop coming. The controls (ha-controls.ts)
 * are announced only when switched on; otherwise their config topics get an empty payload, which
 * removes what an earlier setting created.
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
  /** Announce Home Assistant's buttons, switches and numbers. */
  readonly controls: boolean;
  /** The device's `sw_version`; null = left out. */
  readonly softwareVersion: string | null;
  /** The device's `configuration_url` (the dashboard); null = left out. */
  readonly configurationUrl: string | null;
  /** A module's or cell's value older than this shows unavailable in HA (`expire_after`). */
  readonly expireAfterS: number;
}

/** Values are re-published at least every full refresh: three missed in a row is a silence. */
const EXPIRY_REFRESHES = 3;

/**
 * The discovery the `mqtt` section describes (whether or not it is enabled), for `moduleCount`
 * modules of a controller at `softwareVersion`.
 */
export function discoveryOptions(
  settings: MqttConfig,
  moduleCount: number,
  softwareVersion: string | null = null,
): DiscoveryOptions {
  const { discovery } = settings;
  return {
    topics: mqttTopics(settings.topicPrefix),
    prefix: discovery.prefix,
    nodeId: discovery.nodeId ?? settings.topicPrefix.replace(/[^A-Za-z0-9_-]/g, '_'),
    moduleCount,
    perModuleSensors: discovery.perModuleSensors,
    perCellSensors: discovery.perCellSensors,
    controls: discovery.controls,
    softwareVersion,
    configurationUrl: discovery.configurationUrl,
    expireAfterS: EXPIRY_REFRESHES * settings.fullRefreshIntervalS,
  };
}

type Component = 'sensor' | 'binary_sensor' | HomeAssistantControl['component'];

interface Entity {
  readonly component: Component;
  readonly objectId: string;
  readonly name: string;
  /** Where its value is read; null for a button. */
  readonly stateTopic: string | null;
  readonly fields: Readonly<Record<string, unknown>>;
  /** The module whose device holds it; absent = the pack's. */
  readonly moduleAddress?: number;
  /** A module's entity that stays available while its module is silent (its comms, which say so). */
  readonly whileSilent?: boolean;
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
      moduleAddress: address,
    }),
  );
  return [
    {
      component: 'sensor',
      objectId: objectId('voltage'),
      name: `Module ${address} voltage`,
      stateTopic: topics.module(address, 'voltage'),
      fields: VOLTAGE,
      moduleAddress: address,
    },
    ...temperatures,
    {
      component: 'binary_sensor',
      objectId: objectId('comms'),
      name: `Module ${address} comms`,
      stateTopic: topics.module(address, 'comms'),
      fields: { ...binary('connectivity'), entity_category: 'diagnostic' },
      moduleAddress: address,
      whileSilent: true,
    },
    {
      component: 'binary_sensor',
      objectId: objectId('balancing'),
      name: `Module ${address} balancing`,
      stateTopic: topics.module(address, 'balancing'),
      fields: binary('running'),
      moduleAddress: address,
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
      moduleAddress: address,
    },
    {
      component: 'binary_sensor',
      objectId: `cell_${address}_${cell}_balancing`,
      name: `Module ${address} cell ${cell} balancing`,
      stateTopic: topics.cell(address, cell, 'balancing'),
      fields: binary('running'),
      moduleAddress: address,
    },
  ]);
}

/** The controls as entities: buttons send PRESS, switches and numbers show their setting's value. */
function controlEntities(topics: MqttTopics): Entity[] {
  return HOME_ASSISTANT_CONTROLS.map((control) => {
    const command = { command_topic: topics.homeAssistantControl(control.objectId) };
    const fields =
      control.component === 'button'
        ? { ...command, payload_press: PRESS }
        : control.component === 'switch'
          ? { ...command, payload_on: ON, payload_off: OFF }
          : command;
    return {
      component: control.component,
      objectId: control.objectId,
      name: control.name,
      stateTopic: control.component === 'button' ? null : topics.setting(control.objectId),
      fields: { ...fields, ...control.fields },
    };
  });
}

export function discoveryTopic(options: DiscoveryOptions, component: Component, objectId: string): string {
  return `${options.prefix}/${component}/${options.nodeId}/${objectId}/config`;
}

/** The pack's device, or a module's (`via_device` the pack). */
function deviceOf(options: DiscoveryOptions, moduleAddress: number | undefined): Record<string, unknown> {
  const { nodeId, moduleCount } = options;
  if (moduleAddress !== undefined) {
    return {
      identifiers: [`${nodeId}_module_${moduleAddress}`],
      name: `tsBMS ${nodeId} module ${moduleAddress}`,
      manufacturer: 'Tesla',
      model: 'Model S battery module (bq76PL536A board)',
      via_device: nodeId,
    };
  }
  return {
    identifiers: [nodeId],
    name: `tsBMS ${nodeId}`,
    manufacturer: 'tsBMS',
    model: `Tesla Model S modules ×${moduleCount}`,
    ...(options.softwareVersion === null ? {} : { sw_version: options.softwareVersion }),
    ...(options.configurationUrl === null ? {} : { configuration_url: options.configurationUrl }),
  };
}

/**
 * Available while the controller is online and, for a module's values, while the module answers;
 * those also expire when they stop coming (a controller that hangs without its last will).
 */
function availabilityOf(options: DiscoveryOptions, entity: Entity): Record<string, unknown> {
  const { topics } = options;
  const controller = {
    topic: topics.availability,
    payload_available: AVAILABILITY_ONLINE,
    payload_not_available: AVAILABILITY_OFFLINE,
  };
  const { moduleAddress } = entity;
  if (moduleAddress === undefined) return { availability: [controller] };
  const expiry = { expire_after: options.expireAfterS };
  if (entity.whileSilent === true) return { availability: [controller], ...expiry };
  const answering = {
    topic: topics.module(moduleAddress, 'comms'),
    payload_available: ON,
    payload_not_available: OFF,
  };
  return { availability: [controller, answering], availability_mode: 'all', ...expiry };
}

function configPayload(options: DiscoveryOptions, entity: Entity, enabledByDefault: boolean): string {
  const { softwareVersion } = options;
  return JSON.stringify({
    name: entity.name,
    unique_id: `${options.nodeId}_${entity.objectId}`,
    ...(entity.stateTopic === null ? {} : { state_topic: entity.stateTopic }),
    ...availabilityOf(options, entity),
    ...entity.fields,
    ...(enabledByDefault ? {} : { enabled_by_default: false }),
    device: deviceOf(options, entity.moduleAddress),
    origin: { name: 'tsBMS', ...(softwareVersion === null ? {} : { sw_version: softwareVersion }) },
  });
}
/**
 * The retained discovery messages, in publish order: the pack's entities, each module's and its
 * cells' (disabled by default unless the settings ask for them), and the controls (an empty
 * payload, which removes them, unless switched on).
 */
export function discoveryMessages(options: DiscoveryOptions): MqttMessage[] {
  const addresses = Array.from({ length: options.moduleCount }, (_, i) => i + 1);
  const message = (entity: Entity, payload: string): MqttMessage => ({
    topic: discoveryTopic(options, entity.component, entity.objectId),
    payload,
  });
  const announce = (entities: readonly Entity[], enabledByDefault: boolean) =>
    entities.map((entity) => message(entity, configPayload(options, entity, enabledByDefault)));
  const controls = controlEntities(options.topics);
  return [
    ...announce(packEntities(options.topics), true),
    ...announce(
      addresses.flatMap((a) => moduleEntities(options.topics, a)),
      options.perModuleSensors,
    ),
    ...announce(
      addresses.flatMap((a) => cellEntities(options.topics, a)),
      options.perCellSensors,
    ),
    ...(options.controls ? announce(controls, true) : controls.map((entity) => message(entity, ''))),
  ];
}
