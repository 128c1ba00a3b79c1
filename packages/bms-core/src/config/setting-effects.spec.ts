import { BMS_SETTING_EFFECTS, changeEffect } from './setting-effects';

describe('changeEffect: what a change of settings takes', () => {
  const table = {
    ...BMS_SETTING_EFFECTS,
    'mqtt.host': 'outputs',
    'mqtt.port': 'outputs',
    'notifications.ntfy.url': 'outputs',
    'notifications.ntfy.topic': 'outputs',
  } as const;

  it.each([
    [['limits.maxChargeCurrentA', 'cells.cellHighVoltageV'], 'live'],
    [['limits.maxChargeCurrentA', 'mqtt.port'], 'outputs'],
    [['mqtt.port', 'pack.moduleCount'], 'restart'],
    [['pollIntervalS'], 'restart'],
    // A nullable section set from null changes as a whole.
    [['notifications.ntfy'], 'outputs'],
    // A key of one variant of a union (not in the table) takes its section's widest effect.
    [['mqtt.tls.ca'], 'outputs'],
    // A section the table does not know always restarts.
    [['serial.path'], 'restart'],
  ] as const)('%j → %s', (changed, effect) => {
    expect(changeEffect(table, changed)).toBe(effect);
  });

  it('classifies only the pack layout, the poll interval and contactor control of the core as restarts', () => {
    const restarts = Object.entries(BMS_SETTING_EFFECTS)
      .filter(([, effect]) => effect === 'restart')
      .map(([path]) => path);
    expect(restarts.sort()).toEqual(
      ['contactorControl', 'pack.moduleCount', 'pack.parallelStringCount', 'pollIntervalS'].sort(),
    );
  });
});
