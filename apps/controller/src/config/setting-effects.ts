import { BMS_SETTING_EFFECTS, type BmsSettings, type SettingEffect } from '@tsbms/bms-core';
import type { ControllerConfig } from './schema';

/** The controller's own sections, each classified as a whole; a new section does not compile until it is. */
const CONTROLLER_SECTION_EFFECTS: Readonly<
  Record<Exclude<keyof ControllerConfig, keyof BmsSettings>, SettingEffect>
> = {
  // The serial loop is opened once and its boards set up at discovery.
  serial: 'restart',
  programHardwareThresholds: 'restart',
  gpio: 'restart',
  stateFile: 'restart',
  recordFile: 'restart',
  // Opened once at the daemon's start, like the state file.
  history: 'restart',
  // Read only when the next remote change is checked.
  remoteChanges: 'live',
  currentSensor: 'restart',
  currentSensorCheck: 'restart',
  // Each output reads its section when it starts; the core never does.
  inverter: 'outputs',
  mqtt: 'outputs',
  notifications: 'outputs',
  influxdb: 'outputs',
  http: 'outputs',
  // The demo's emulated pack is built with the session.
  emulator: 'restart',
};

/**
 * What each setting of the controller takes to apply (issue 15): the core's table (bms-core), the
 * hardware offset, which the running loop writes into the boards (T-18), and the controller's
 * sections. The supervisor applies a change by the widest effect of its paths.
 */
export const CONTROLLER_SETTING_EFFECTS: Readonly<Record<string, SettingEffect>> = Object.freeze({
  ...BMS_SETTING_EFFECTS,
  'cells.voltageHardwareOffsetV': 'live',
  ...CONTROLLER_SECTION_EFFECTS,
});
