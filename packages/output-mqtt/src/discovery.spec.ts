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
  controls: false,
  softwareVersion: '0.2.0',
  configurationUrl: 'http://bms.local:8080/',
  expireAfterS: 180,
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
      availability: [
        { topic: 'tsbms/status', payload_available: 'online', payload_not_available: 'offline' },
      ],
      device_class: 'battery',
      state_class: 'measurement',
      unit_of_measurement: '%',
      suggested_display_precision: 1,
      device: {
        identifiers: ['garage'],
        name: 'tsBMS garage',
        manufacturer: 'tsBMS',
        model: 'Tesla Model S modules ×2',
        sw_version: '0.2.0',
        configuration_url: 'http://bms.local:8080/',
      },
      origin: { name: 'tsBMS', sw_version: '0.2.0' },
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

  it('a HA device per module, via the pack; its and its cells’ entities disabled by default unless asked for', () => {
    const off = configs(discoveryMessages(options()));
    const perModule = [...off.entries()].filter(([topic]) => topic.includes('/module_'));
    const perCell = [...off.entries()].filter(([topic]) => topic.includes('/cell_'));
    // 2 modules × (voltage, 2 thermistors, comms, balancing); 2 × 6 cells × (voltage, balancing).
    expect(perModule).toHaveLength(10);
    expect(perCell).toHaveLength(24);
    expect([...perModule, ...perCell].every(([, c]) => c.enabled_by_default === false)).toBe(true);
    expect(off.get('homeassistant/sensor/garage/cell_2_6_voltage/config').device).toEqual({
      identifiers: ['garage_module_2'],
      name: 'tsBMS garage module 2',
      manufacturer: 'Tesla',
      model: 'Model S battery module (bq76PL536A board)',
      via_device: 'garage',
    });

    const on = configs(discoveryMessages(options({ perModuleSensors: true, perCellSensors: true })));
    expect(on.size).toBe(23 + 10 + 24);
    expect([...on.values()].some((c) => 'enabled_by_default' in c)).toBe(false);
    expect(on.get('homeassistant/sensor/garage/cell_2_6_voltage/config')).toMatchObject({
      state_topic: 'tsbms/cell/2/6/voltage',
      device_class: 'voltage',
      unit_of_measurement: 'V',
      suggested_display_precision: 3,
    });
    expect(on.get('homeassistant/binary_sensor/garage/module_1_comms/config')).toMatchObject({
      device_class: 'connectivity',
      entity_category: 'diagnostic',
      availability: [{ topic: 'tsbms/status' }],
      expire_after: 180,
    });
    // A silent module's values show unavailable at once (its comms OFF), and expire if they stop.
    expect(on.get('homeassistant/sensor/garage/module_1_voltage/config')).toMatchObject({
      availability: [
        { topic: 'tsbms/status', payload_available: 'online' },
        { topic: 'tsbms/module/1/comms', payload_available: 'ON', payload_not_available: 'OFF' },
      ],
      availability_mode: 'all',
      expire_after: 180,
    });
    const state = stateMessages(topics, statusFixture());
    for (const config of on.values()) expect(state.has(config.state_topic)).toBe(true);
  });

  it('uses the configured discovery prefix and scales with the module count', () => {
    const messages = discoveryMessages(options({ prefix: 'ha', moduleCount: 62, perCellSensors: true }));
    expect(messages.every((m) => m.topic.startsWith('ha/'))).toBe(true);
    expect(messages.filter((m) => m.topic.includes('/cell_') && m.payload !== '')).toHaveLength(62 * 12);
    expect(new Set(messages.map((m) => m.topic)).size).toBe(messages.length);
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

  it('the controls only when switched on: buttons, switches and numbers on their command topics, states on their settings', () => {
    const off = discoveryMessages(options());
    const controlTopics = off.filter((m) => /\/(button|switch|number)\//.test(m.topic));
    expect(controlTopics).toHaveLength(9);
    expect(controlTopics.every((m) => m.payload === '')).toBe(true);

    const on = configs(discoveryMessages(options({ controls: true })));
    expect(on.get('homeassistant/button/garage/acknowledge_faults/config')).toMatchObject({
      command_topic: 'tsbms/ha/acknowledge_faults/set',
      payload_press: 'PRESS',
    });
    expect(on.get('homeassistant/button/garage/acknowledge_faults/config')).not.toHaveProperty('state_topic');
    expect(on.get('homeassistant/button/garage/restart/config')).toMatchObject({
      device_class: 'restart',
      entity_category: 'config',
    });
    expect(on.get('homeassistant/switch/garage/charge_allowed/config')).toMatchObject({
      command_topic: 'tsbms/ha/charge_allowed/set',
      state_topic: 'tsbms/setting/charge_allowed',
      payload_on: 'ON',
      payload_off: 'OFF',
    });
    expect(on.get('homeassistant/number/garage/max_charge_current/config')).toMatchObject({
      command_topic: 'tsbms/ha/max_charge_current/set',
      state_topic: 'tsbms/setting/max_charge_current',
      unit_of_measurement: 'A',
      entity_category: 'config',
      min: 1,
      max: 3000,
    });
    expect(on.get('homeassistant/number/garage/charge_cell_voltage/config')).toMatchObject({
      unit_of_measurement: 'V',
      min: 3.8,
      max: 4.15,
      step: 0.01,
    });
  });
});
