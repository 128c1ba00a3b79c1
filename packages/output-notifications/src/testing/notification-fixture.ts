import type { Notification } from '../notification';

/**
 * A raised fault as the output words it, with text beyond ASCII ("°C", "–") that every channel
 * must carry unchanged; `overrides` replace fields.
 */
export function notificationFixture(overrides: Partial<Notification> = {}): Notification {
  return {
    key: 'cellOverTemperature@M2C3',
    event: 'raised',
    level: 'fault',
    title: 'tsBMS garage: cell over-temperature (M2C3) raised – 61.5 °C',
    message:
      'Cell M2C3 is at 61.5 °C, the limit is 60.0 °C – since 12:03:10.\n' +
      'Charging and discharging are stopped until it cools down.',
    priority: 'urgent',
    atMs: Date.UTC(2025, 0, 2, 12, 3, 10),
    ...overrides,
  };
}
