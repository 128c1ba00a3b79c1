import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { usableWindowFraction } from '@tsbms/battery-model';
import { silentLogger } from '@tsbms/hal';
import { readCanBitRate, SocketCanBus } from '@tsbms/hal-linux';
import { outputService } from '@tsbms/bms-core';
import {
  inverterCanOutput,
  type CanBusSettings,
  type CanOutputBus,
  type CanOutputSettings,
  type VictronPackFacts,
} from '@tsbms/output-inverter-can';
import { libraryConfigs, type ConfigPath, type ControllerConfig } from '../config';
import { MQTT_SECRET_CONFIG_PATHS, startMqttOutput, type MqttOutputSettings } from '@tsbms/output-mqtt';
import {
  HTTP_SECRET_CONFIG_PATHS,
  startHttpOutputWith,
  type BackupDownload,
  type HistoryArchive,
  type HttpOutputSettings,
  type SupportBundleDownload,
} from '@tsbms/output-http';
import {
  NOTIFICATIONS_SECRET_CONFIG_PATHS,
  startNotificationsOutput,
  type NotificationsOutputSettings,
} from '@tsbms/output-notifications';
import {
  INFLUXDB_SECRET_CONFIG_PATHS,
  startInfluxDbOutput,
  type InfluxDbOutputSettings,
} from '@tsbms/output-influxdb';
import type { ControllerServiceFactory } from './controller-context';

/*
 * Each output's settings: its section of the configuration under its own name, and the few facts of
 * other sections it needs. This is all an output reads of the configuration to run.
 */

/** The fixed pack facts the inverter frames carry, from the pack, cell and contactor settings. */
export function victronPackFacts(config: ControllerConfig): VictronPackFacts {
  const batteryModel = libraryConfigs(config).batteryModel;
  return {
    moduleCount: config.pack.moduleCount,
    parallelStringCount: config.pack.parallelStringCount,
    stringUsableAh: config.pack.moduleCapacityAh * usableWindowFraction(batteryModel),
    contactorControl: config.contactorControl,
    currentSensorRequired: config.currentSensorRequired,
    currentSensorFitted: config.currentSensor.type !== 'none',
    cellLowVoltageV: config.cells.cellLowVoltageV,
    cellHighVoltageV: config.cells.cellHighVoltageV,
  };
}

/** The `inverter` section, and the pack facts its frames carry. */
export function canOutputSettings(config: ControllerConfig): CanOutputSettings {
  return { inverter: config.inverter, packFacts: victronPackFacts(config) };
}

/** The `mqtt` section and the version HA shows (the module count for discovery comes from the status). */
export function mqttOutputSettings(config: ControllerConfig): MqttOutputSettings {
  return { mqtt: config.mqtt, softwareVersion: controllerVersion() };
}

/** The `http` section, and the scan interval its /healthz measures by. */
export function httpOutputSettings(config: ControllerConfig): HttpOutputSettings {
  return { http: config.http, pollIntervalS: config.pollIntervalS };
}

/** The `notifications` section. */
export function notificationsOutputSettings(config: ControllerConfig): NotificationsOutputSettings {
  return { notifications: config.notifications };
}

/** The `influxdb` section. */
export function influxDbOutputSettings(config: ControllerConfig): InfluxDbOutputSettings {
  return { influxdb: config.influxdb };
}

/** What the HTTP API never shows (GET and PUT /api/config): the outputs' secrets beside HTTP's own. */
export const SECRET_CONFIG_PATHS = [
  ...MQTT_SECRET_CONFIG_PATHS,
  ...HTTP_SECRET_CONFIG_PATHS,
  ...NOTIFICATIONS_SECRET_CONFIG_PATHS,
  ...INFLUXDB_SECRET_CONFIG_PATHS,
] as const satisfies readonly ConfigPath[];

/**
 * The controller's version (0x35F firmware, the start-up log line): the package.json beside the
 * production bundle's main.js, or apps/controller/package.json from the sources.
 */
export function controllerVersion(): string {
  for (const up of ['.', '../..']) {
    try {
      return (
        JSON.parse(readFileSync(path.join(__dirname, up, 'package.json'), 'utf8')) as { version: string }
      ).version;
    } catch {
      // try the next candidate
    }
  }
  return '0.0.0';
}

/** The inverter output's bus: SocketCAN, retrying with the section's backoff by itself. */
const socketCanBus = (settings: CanBusSettings): CanOutputBus =>
  // The bus logs every retry; the output logs the changes of state instead.
  new SocketCanBus({ ...settings, logger: silentLogger });

/** What only the running daemon knows: where its backup comes from (GET /api/backup), its history file. */
export interface OutputServiceOptions {
  /** The backup download; absent without a config file (the demo). */
  readonly backup?: () => BackupDownload;
  /** The support bundle download (GET /api/support-bundle), made from the live state when asked for. */
  readonly supportBundle?: () => SupportBundleDownload;
  /** The history on disk (GET /api/history/rows, /events); absent without one. */
  readonly archive?: HistoryArchive;
}

/** Every output the daemon starts beside the relays, in start order. */
export const outputServices = (options: OutputServiceOptions = {}): readonly ControllerServiceFactory[] => [
  outputService(
    inverterCanOutput({
      openBus: socketCanBus,
      firmwareVersion: controllerVersion(),
      readBitRate: (iface) => readCanBitRate(iface),
    }),
    canOutputSettings,
  ),
  outputService(startMqttOutput, mqttOutputSettings),
  outputService(
    startHttpOutputWith({
      secretConfigPaths: SECRET_CONFIG_PATHS,
      ...(options.backup === undefined ? {} : { backup: options.backup }),
      ...(options.supportBundle === undefined ? {} : { supportBundle: options.supportBundle }),
      ...(options.archive === undefined ? {} : { archive: options.archive }),
    }),
    httpOutputSettings,
  ),
  outputService(startNotificationsOutput(), notificationsOutputSettings),
  outputService(startInfluxDbOutput(), influxDbOutputSettings),
];
