import { discoveryMessages, discoveryOptions, type DiscoveryOptions } from './discovery';
import { mqttConfigSchema } from './mqtt-config';
import { stateMessages } from './state-messages';
import { statusFixture } from './testing/status-fixture';
import { mqttTopics } from './topics';

const topics = mqttTopics('tsbms');
const options = (overrides: Partial<DiscoveryOptions> = {}): DiscoveryOptions => ({
  topics,
  prefix: 'homeassistant',
  nodeId: 'garage',
  moduleCount: 2,
  perModuleSensors: false,
  perCellSensors: false,
  ...overrides,
});

const configs = (messages: { topic: string; payload: string }[]) =>
  new Map(messages.filter((m) => m.payload !== '').map((m) => [m.topic, JSON.parse(m.payload)]));

describe('Home Assistant discovery', () => {
  it('describes the pack as one device with typed, unit-bearing sensors', () => {
    const pack = configs(discoveryMessages(options()));
    const soc = pack.get('homeassistant/sensor/garage/soc/config');
    expect(soc).toEqual({
      name: 'State of charge',
      unique_id: 'garage_soc',
      state_topic: 'tsbms/pack/soc',
      availability_topic: 'tsbms/status',
      payload_available: 'online',
      payload_not_available: 'offline',
      device_class: 'battery',
      state_class: 'measurement',
      unit_of_measurement: '%',
      suggested_display_precision: 1,
      device: {
        identifiers: ['garage'],
        name: 'tsBMS garage',
        manufacturer: 'tsBMS',
        model: 'Tesla Model S modules ×2',
      },
      origin: { name: 'tsBMS' },
    });
    const classes = (id: string) => {
      const c = pack.get(id);
      return [c.device_class, c.state_class, c.unit_of_measurement];
    };
    expect(classes('homeassistant/sensor/garage/voltage/config')).toEqual(['voltage', 'measurement', 'V']);
    expect(classes('homeassistant/sensor/garage/current/config')).toEqual(['current', 'measurement', 'A']);
    expect(classes('homeassistant/sensor/garage/temperatureMax/config')).toEqual([
      'temperature',
      'measurement',
      '°C',
    ]);
    expect(classes('homeassistant/sensor/garage/dischargeCurrentLimit/config')).toEqual([
      'current',
      'measurement',
      'A',
    ]);
    expect(classes('homeassistant/sensor/garage/power/config')).toEqual(['power', 'measurement', 'W']);
    expect(classes('homeassistant/sensor/garage/timeToEmpty/config')).toEqual([
      'duration',
      'measurement',
      'h',
    ]);
    expect(classes('homeassistant/sensor/garage/timeToFull/config')).toEqual([
      'duration',
      'measurement',
      'h',
    ]);
    expect(pack.get('homeassistant/sensor/garage/equivalentCycles/config')).toMatchObject({
      name: 'Equivalent full cycles',
      state_topic: 'tsbms/pack/equivalentCycles',
      state_class: 'measurement',
    });
    expect(pack.get('homeassistant/sensor/garage/equivalentCycles/config')).not.toHaveProperty(
      'unit_of_measurement',
    );
    const fault = pack.get('homeassistant/binary_sensor/garage/fault/config');
    expect(fault).toMatchObject({
      device_class: 'problem',
      payload_on: 'ON',
      payload_off: 'OFF',
      json_attributes_topic: 'tsbms/pack/faults',
    });
    expect(pack.get('homeassistant/binary_sensor/garage/contactorsClosed/config').device_class).toBe('power');
    // Every entity is unique and reads a topic the state actually publishes.
    const state = stateMessages(topics, statusFixture());
    const ids = [...pack.values()].map((c) => c.unique_id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const config of pack.values()) expect(state.has(config.state_topic)).toBe(true);
  });

  it("offers the lifetime energy as HA's Energy dashboard takes a battery's energy in and out", () => {
    const pack = configs(discoveryMessages(options()));
    const lifetime = {
      device_class: 'energy',
      state_class: 'total_increasing',
      unit_of_measurement: 'kWh',
    };
    expect(pack.get('homeassistant/sensor/garage/energyCharged/config')).toMatchObject({
      ...lifetime,
      name: 'Energy charged',
      unique_id: 'garage_energyCharged',
      state_topic: 'tsbms/pack/energyCharged',
    });
    expect(pack.get('homeassistant/sensor/garage/energyDischarged/config')).toMatchObject({
      ...lifetime,
      name: 'Energy discharged',
      state_topic: 'tsbms/pack/energyDischarged',
    });
  });

  it('per-module and per-cell entities only when asked; otherwise their configs are cleared', () => {
    const off = discoveryMessages(options());
    const perModule = off.filter((m) => m.topic.includes('/module_'));
    const perCell = off.filter((m) => m.topic.includes('/cell_'));
    // 2 modules × (voltage, 2 thermistors, comms, balancing); 2 × 6 cells × (voltage, balancing).
    expect(perModule).toHaveLength(10);
    expect(perCell).toHaveLength(24);
    expect([...perModule, ...perCell].every((m) => m.payload === '')).toBe(true);

    const on = configs(discoveryMessages(options({ perModuleSensors: true, perCellSensors: true })));
    expect(on.size).toBe(23 + 10 + 24);
    expect(on.get('homeassistant/sensor/garage/cell_2_6_voltage/config')).toMatchObject({
      state_topic: 'tsbms/cell/2/6/voltage',
      device_class: 'voltage',
      unit_of_measurement: 'V',
      suggested_display_precision: 3,
    });
    expect(on.get('homeassistant/binary_sensor/garage/module_1_comms/config')).toMatchObject({
      device_class: 'connectivity',
      entity_category: 'diagnostic',
    });
    const state = stateMessages(topics, statusFixture());
    for (const config of on.values()) expect(state.has(config.state_topic)).toBe(true);
  });

  it('uses the configured discovery prefix and scales with the module count', () => {
    const messages = discoveryMessages(options({ prefix: 'ha', moduleCount: 62, perCellSensors: true }));
    expect(messages.every((m) => m.topic.startsWith('ha/'))).toBe(true);
    expect(messages.filter((m) => m.topic.includes('/cell_') && m.payload !== '')).toHaveLength(62 * 12);
  });

  it('takes its options from the mqtt section: the node id defaults to the topic prefix with / as _', () => {
    const section = (fields: Record<string, unknown>) =>
      mqttConfigSchema.parse({ topicPrefix: 'garage/bms', ...fields });
    expect(discoveryOptions(section({}), 4)).toMatchObject({
      prefix: 'homeassistant',
      nodeId: 'garage_bms',
      moduleCount: 4,
      perModuleSensors: false,
      perCellSensors: false,
    });
    expect(
      discoveryOptions(section({ discovery: { nodeId: 'shed', perCellSensors: true } }), 2),
    ).toMatchObject({
      nodeId: 'shed',
      perCellSensors: true,
    });
    expect(discoveryOptions(section({}), 1).topics.pack('soc')).toBe('garage/bms/pack/soc');
  });
});
