import { parseControllerConfig, type ControllerConfig } from '../../config';
import { SECRET_CONFIG_PATHS } from '../../services/output-services';
import { included, notIncluded, type SupportBundleInput } from '../bundle-input';

/** A running configuration with an MQTT password and an InfluxDB token configured. */
export const MQTT_PASSWORD = 'mqtt-pass-cf81e2';
export const INFLUX_TOKEN = 'influx-token-5b7d0e';

export function runningConfig(): ControllerConfig {
  return parseControllerConfig(
    {
      pack: { moduleCount: 2 },
      mqtt: { url: 'mqtt://broker.local:1883', username: 'bms', password: MQTT_PASSWORD },
      influxdb: {
        enabled: true,
        url: 'http://influxdb.local:8086',
        org: 'home',
        bucket: 'battery',
        token: INFLUX_TOKEN,
      },
    },
    'bms.yaml',
  );
}

/** 2026-12-06T06:15:00Z */
export const CREATED_AT_MS = Date.UTC(2026, 11, 6, 6, 15, 0);

/** A bundle's input with every part there but the recording; `overrides` replace parts. */
export function bundleInput(overrides: Partial<SupportBundleInput> = {}): SupportBundleInput {
  return {
    createdAtMs: CREATED_AT_MS,
    madeBy: 'a test',
    config: runningConfig(),
    secretPaths: SECRET_CONFIG_PATHS,
    env: {},
    status: included({ timestampMs: CREATED_AT_MS, comms: { framesOk: 10 }, outputs: {} }),
    faultLog: included({ source: 'a fault log', events: [{ type: 'raise', kind: 'cellOverVoltage' }] }),
    history: notIncluded('there is no history file'),
    linkStats: included({ totals: { framesOk: 10 }, perModule: { 1: { framesOk: 5 }, 2: { framesOk: 5 } } }),
    versions: {
      controller: '0.1.0',
      node: 'v20.0.0',
      platform: 'linux',
      arch: 'arm64',
      kernel: '6.1.0',
      osRelease: 'Debian GNU/Linux 12 (bookworm)',
      packages: {},
    },
    recording: notIncluded('recordFile is not set, so no readings are recorded'),
    ...overrides,
  };
}
