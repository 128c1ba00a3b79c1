import { buildBatteryModelConfig } from '@tsbms/battery-model';
import { buildFaultEngineConfig } from '@tsbms/fault-engine';
import { buildControlConfig } from '@tsbms/control';
import { encodeHardwareThresholds } from '@tsbms/tesla-protocol';
import {
  ControllerConfigError,
  DEFAULT_CONTROLLER_CONFIG,
  libraryConfigs,
  parseControllerConfig,
} from './index';

describe('libraryConfigs', () => {
  it('gives each library its own defaults when the config is the default', () => {
    const configs = libraryConfigs(DEFAULT_CONTROLLER_CONFIG);
    expect(configs.batteryModel).toEqual(buildBatteryModelConfig({ moduleCount: 4, parallelStringCount: 1 }));
    expect(configs.faultEngine).toEqual(buildFaultEngineConfig());
    expect(configs.control).toEqual(buildControlConfig({ moduleCount: 4 }));
  });

  it('derives the T-18 hardware thresholds: COV 4.20 V, CUV 3.50 V, OT 70 °C', () => {
    const { hardwareThresholds } = libraryConfigs(DEFAULT_CONTROLLER_CONFIG);
    expect(hardwareThresholds).toEqual({
      covV: 4.2,
      cuvV: 3.5,
      otC: 70,
      covDelayMs: 1000,
      cuvDelayMs: 1000,
      otDelayMs: 2550,
    });
    // COV, COVT, UV, UVT, OT, OTT as T-18 gives them.
    expect(encodeHardwareThresholds(hardwareThresholds)).toEqual([0x2c, 0x8a, 0x1c, 0x8a, 0x77, 0xff]);
  });

  it('passes every setting to the library that uses it', () => {
    const config = parseControllerConfig(
      {
        pack: { moduleCount: 8, parallelStringCount: 2, moduleCapacityAh: 200 },
        pollIntervalS: 1,
        commsTimeoutS: 12,
        contactorControl: false,
        currentSensorRequired: true,
        cells: { cellHighVoltageV: 4.05, overVoltageDelayS: 7, voltageHardwareOffsetV: 0.1 },
        temperature: { highTemperatureC: 60 },
        limits: {
          maxChargeCurrentA: 50,
          dischargeSocTable: [
            { input: 10, factor: 0 },
            { input: 20, factor: 1 },
          ],
        },
        balancing: { enabled: false, balanceVoltageV: 3.95 },
        contactors: { contactorPrechargeTimeS: 3 },
        heating: { heatingOnBelowC: 12, heatingOffAtC: 14 },
        soc: {
          ocvTable: [
            { voltageV: 3, socPercent: 0 },
            { voltageV: 4.2, socPercent: 100 },
          ],
        },
      },
      'x',
    );
    const { batteryModel, faultEngine, control, hardwareThresholds } = libraryConfigs(config);
    expect(batteryModel).toMatchObject({
      moduleCount: 8,
      parallelStringCount: 2,
      moduleCapacityAh: 200,
      commsTimeoutS: 12,
    });
    expect(batteryModel.ocvTable).toEqual([
      { voltageV: 3, socPercent: 0 },
      { voltageV: 4.2, socPercent: 100 },
    ]);
    expect(faultEngine).toMatchObject({
      cellHighVoltageV: 4.05,
      currentSensorRequired: true,
      maxChargeCurrentA: 50,
    });
    expect(faultEngine.timing.cellOverVoltage.fault).toEqual({ setDelayS: 7, clearDelayS: 0, latched: true });
    // The other levels keep their §2.2 timing.
    expect(faultEngine.timing.cellOverVoltage.warning).toEqual(
      buildFaultEngineConfig().timing.cellOverVoltage.warning,
    );
    expect(control).toMatchObject({
      pollIntervalS: 1,
      contactorControl: false,
      balancingEnabled: false,
      balanceVoltageV: 3.95,
      contactorPrechargeTimeS: 3,
      heatingOnBelowC: 12,
      heatingOffAtC: 14,
    });
    expect(control.dischargeSocTable).toEqual([
      { input: 10, factor: 0 },
      { input: 20, factor: 1 },
    ]);
    // Fault level 4.05 + 0.05; hardware offset 0.1; OT = 60 + 5.
    expect(hardwareThresholds).toMatchObject({ covV: 4.2, cuvV: 3.45, otC: 65 });
  });

  it('rejects a config changed after parsing (e.g. by CLI options) with the config path, without a file', () => {
    const changed = {
      ...DEFAULT_CONTROLLER_CONFIG,
      pack: { ...DEFAULT_CONTROLLER_CONFIG.pack, moduleCount: 0 },
    };
    expect(() => libraryConfigs(changed)).toThrow(ControllerConfigError);
    try {
      libraryConfigs(changed);
    } catch (error) {
      expect(error).toMatchObject({
        file: undefined,
        configPath: 'pack.moduleCount',
        code: 'INVALID_CONFIG',
      });
      expect((error as Error).message.split('\n')[0]).toBe('pack.moduleCount: must be > 0, got 0');
    }
  });

  it('names a library key the file does not expose by its library', () => {
    // 0.15 V between the setpoints: control's fixed 0.1 V tapers overlap.
    const changed = {
      ...DEFAULT_CONTROLLER_CONFIG,
      cells: { ...DEFAULT_CONTROLLER_CONFIG.cells, cellHighVoltageV: 3.75 },
    };
    expect(() => libraryConfigs(changed)).toThrow(
      'control.currentTaperV: charge and discharge voltage tapers overlap',
    );
  });
});
