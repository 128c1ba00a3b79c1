import type { ManualClock } from '@tsbms/hal';
import type { BusStats } from '@tsbms/tesla-protocol';
import {
  CONTROLLER_SETTING_EFFECTS,
  ConfigStore,
  configFileError,
  type ControllerConfig,
} from '../../config';
import { changeEffect, type BmsStatus, type ConfigurationAccess, type LinkStats } from '@tsbms/bms-core';
import { FakeOutputContext } from '@tsbms/bms-core/testing';
import type { CanOutputSettings } from '@tsbms/output-inverter-can';
import type { NotificationsOutputSettings } from '@tsbms/output-notifications';
import type { MqttOutputSettings } from '@tsbms/output-mqtt';
import type { HttpOutputSettings } from '@tsbms/output-http';
import type { InfluxDbOutputSettings } from '@tsbms/output-influxdb';
import type { ControllerConfigUpdate } from '../controller-context';
import { linkStatsOf } from '../../runtime';
import {
  canOutputSettings,
  httpOutputSettings,
  mqttOutputSettings,
  influxDbOutputSettings,
  notificationsOutputSettings,
} from '../output-services';
import { REMOTE_CHANGE_CHECKS } from '../output-settings-checks';

/** The settings of every output at once: one fake context serves each output's tests. */
export type EveryOutputSettings = CanOutputSettings &
  MqttOutputSettings &
  HttpOutputSettings &
  NotificationsOutputSettings &
  InfluxDbOutputSettings;

export interface FakeContextOptions {
  /**
   * A ConfigStore over a real file (validated, persisted atomically, INVALID_CONFIG / CONFIG_FILE
   * errors), or a fixed config: a controller started without --config.
   */
  readonly config: ConfigStore | ControllerConfig;
  /** The snapshot `status()` returns until the test publishes another. */
  readonly status: BmsStatus;
  /**
   * The serial loop's counters, which `linkStats()` answers as the controller converts them;
   * absent = an output that must not ask.
   */
  readonly commsStats?: BusStats;
  /** Default: a ManualClock at 0. */
  readonly clock?: ManualClock;
}

/**
 * The OutputContext the controller gives an output, for the outputs' tests: bms-core's fake, with
 * `settings()` taken from a real config as the controller takes them (output-services.ts), and
 * `configuration` through the real store and remote-change checks; every accepted change is
 * recorded and requests a restart. Status and fault events are published by the test.
 */
export class FakeControllerContext extends FakeOutputContext<EveryOutputSettings> {
  readonly configChanges: { patch: unknown; source: string }[] = [];

  constructor(private readonly given: FakeContextOptions) {
    super({ settings: settingsOf(configOf(given)), status: given.status, clock: given.clock });
  }

  /** The config file, null without one. */
  get configFile(): string | null {
    return this.given.config instanceof ConfigStore ? this.given.config.file : null;
  }

  /** The running configuration. */
  config(): ControllerConfig {
    return configOf(this.given);
  }

  override settings(): EveryOutputSettings {
    return settingsOf(this.config());
  }

  override readonly configuration: ConfigurationAccess = {
    current: () => this.config(),
    update: (patch, source) => this.updateConfig(patch, source),
  };

  /** Through the real store and the real remote-change checks; a no-op changes and restarts nothing. */
  updateConfig(patch: unknown, source: string): ControllerConfigUpdate {
    if (!(this.given.config instanceof ConfigStore)) {
      throw configFileError('(none)', 'no config file to save to: start the controller with --config FILE');
    }
    const { config, changedPaths } = this.given.config.update(patch, REMOTE_CHANGE_CHECKS);
    if (changedPaths.length === 0) return { config, changedPaths, effect: null, restart: null };
    this.configChanges.push({ patch, source });
    // Applied as the supervisor would: by the controller's table of setting effects.
    const effect = changeEffect(CONTROLLER_SETTING_EFFECTS, changedPaths);
    return {
      config,
      changedPaths,
      effect,
      restart: effect === 'restart' ? this.requestRestart('configuration changed', source) : null,
    };
  }

  override linkStats(): LinkStats {
    if (this.given.commsStats === undefined) throw new Error('linkStats() is not for this output');
    return linkStatsOf(this.given.commsStats);
  }
}

function configOf(given: FakeContextOptions): ControllerConfig {
  return given.config instanceof ConfigStore ? given.config.config : given.config;
}

function settingsOf(config: ControllerConfig): EveryOutputSettings {
  return {
    ...canOutputSettings(config),
    ...mqttOutputSettings(config),
    ...httpOutputSettings(config),
    ...notificationsOutputSettings(config),
    ...influxDbOutputSettings(config),
  };
}
