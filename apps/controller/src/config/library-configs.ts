import {
  attemptBuild,
  collectBmsConfig,
  withoutRepeats,
  type BmsConfig,
  type ConfigBindings,
  type LibraryRejection,
} from '@tsbms/bms-core';
import type { FaultEngineConfig } from '@tsbms/fault-engine';
import {
  encodeHardwareThresholds,
  hardwareThresholdsFromFaultLevels,
  isTeslaProtocolError,
  type HardwareThresholds,
} from '@tsbms/tesla-protocol';
import { ControllerConfigError, type ConfigIssue } from './errors';
import type { ConfigPath, ControllerConfig } from './schema';

/** What the core's libraries and the Tesla loop need, built (and so checked) by their own builders. */
export interface LibraryConfigs extends BmsConfig {
  readonly hardwareThresholds: HardwareThresholds;
}

/** The hardware levels follow from these settings (T-18): name them when a level is rejected. */
const HARDWARE_BINDINGS = {
  'hardwareThresholds.covV': 'cells.cellHighVoltageV',
  'hardwareThresholds.cuvV': 'cells.cellLowVoltageV',
  'hardwareThresholds.otC': 'temperature.highTemperatureC',
} as const satisfies ConfigBindings<string, ConfigPath>;

/**
 * Builds every library's configuration from the controller's and throws one ControllerConfigError
 * listing what the libraries rejected, each under the config path that caused it.
 */
export function libraryConfigs(config: ControllerConfig): LibraryConfigs {
  const issues: ConfigIssue[] = [];
  const { batteryModel, faultEngine, control } = collectBmsConfig(config, issues);
  const hardwareThresholds =
    faultEngine &&
    attemptBuild(
      issues,
      'tesla-protocol',
      HARDWARE_BINDINGS,
      () => checkedHardwareThresholds(config, faultEngine),
      hardwareRejections,
    );
  if (issues.length > 0 || !batteryModel || !faultEngine || !control || !hardwareThresholds) {
    throw new ControllerConfigError('INVALID_CONFIG', withoutRepeats(issues));
  }
  return Object.freeze({ batteryModel, faultEngine, control, hardwareThresholds });
}

/** T-18 levels from the fault levels, with the §1 hardware voltage offset; rejected as the boards would be. */
function checkedHardwareThresholds(
  config: ControllerConfig,
  faultEngine: FaultEngineConfig,
): HardwareThresholds {
  const levels = faultEngine.thresholds;
  const offsetV = config.cells.voltageHardwareOffsetV;
  const thresholds: HardwareThresholds = Object.freeze({
    ...hardwareThresholdsFromFaultLevels({
      cellOverVoltageFaultV: levels.cellOverVoltageV.fault,
      cellUnderVoltageFaultV: levels.cellUnderVoltageV.fault,
      overTemperatureFaultC: levels.overTemperatureC.fault,
    }),
    // The library applies T-18's fixed 50 mV; §1 makes the offset a setting.
    covV: roundToMicro(levels.cellOverVoltageV.fault + offsetV),
    cuvV: roundToMicro(levels.cellUnderVoltageV.fault - offsetV),
  });
  // Throws for a COV above 4.25 V and for levels the registers cannot hold.
  encodeHardwareThresholds(thresholds, 'hardwareThresholds');
  return thresholds;
}

/** 4.199999999999999 → 4.2 for logs and read-back reports; far below a register step. */
function roundToMicro(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

function hardwareRejections(error: unknown): readonly LibraryRejection[] | undefined {
  if (!isTeslaProtocolError(error, 'INVALID_CONFIG')) return undefined;
  const libraryPath = error.configPath ?? '(root)';
  const message = error.message.replace(` (config ${libraryPath})`, '');
  return [{ libraryPath, reason: `hardware threshold (T-18): ${message}` }];
}
