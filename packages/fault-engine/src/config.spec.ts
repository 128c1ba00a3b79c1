import { ConfigError } from '@tsbms/battery-model';
import { buildFaultEngineConfig, DEFAULT_FAULT_TIMING } from './config';

const rejection = (f: () => unknown): ConfigError => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('accepted');
};

describe('buildFaultEngineConfig', () => {
  it('derives the §2.1 levels from the §1 defaults', () => {
    const { thresholds: t } = buildFaultEngineConfig();
    const round = (l: { info: number; warning: number; fault: number; hysteresis: number }) =>
      [l.info, l.warning, l.fault, l.hysteresis].map((v) => Math.round(v * 1000) / 1000);
    expect(round(t.cellOverVoltageV)).toEqual([4.1, 4.125, 4.15, 0.02]);
    expect(round(t.cellUnderVoltageV)).toEqual([3.6, 3.575, 3.55, 0.02]);
    expect(round(t.overTemperatureC)).toEqual([55, 60, 65, 2]);
    expect(round(t.underTemperatureC)).toEqual([20, 15, 10, 2]);
    expect(round(t.cellImbalanceV)).toEqual([0.1, 0.15, 0.2, 0.02]);
  });

  it('uses the §2.2 timing, with per-level overrides', () => {
    const c = buildFaultEngineConfig({
      timing: { overTemperature: { fault: { setDelayS: 3, clearDelayS: 90, latched: true } } },
    });
    expect(c.timing.cellOverVoltage).toEqual(DEFAULT_FAULT_TIMING.cellOverVoltage);
    expect(c.timing.overTemperature.fault).toEqual({ setDelayS: 3, clearDelayS: 90, latched: true });
    expect(c.timing.overTemperature.warning).toEqual({ setDelayS: 10, clearDelayS: 30, latched: false });
  });

  it.each([
    [{ voltageAlertOffsetV: 0.06 }, 'voltageAlertOffsetV', 'CONFIG_WRONG_ORDER'],
    [{ cellLowVoltageV: 4.2 }, 'cellHighVoltageV', 'CONFIG_WRONG_ORDER'],
    [{ deepDischargeV: 3.56 }, 'deepDischargeV', 'CONFIG_WRONG_ORDER'],
    [{ cellLowVoltageV: 4.0, cellHighVoltageV: 4.03 }, 'cellHighVoltageV', 'CONFIG_WRONG_ORDER'],
    [{ lowTemperatureC: 50 }, 'lowTemperatureC', 'CONFIG_WRONG_ORDER'],
    [{ cellDifferenceWarningOffsetV: 0.1 }, 'cellDifferenceWarningOffsetV', 'CONFIG_WRONG_ORDER'],
    [{ highTemperatureC: Number.NaN }, 'highTemperatureC', 'CONFIG_NOT_A_NUMBER'],
    [{ voltageClearHysteresisV: 0 }, 'voltageClearHysteresisV', 'CONFIG_OUT_OF_RANGE'],
    [{ eventLogSize: 0 }, 'eventLogSize', 'CONFIG_OUT_OF_RANGE'],
    [
      { timing: { cellImbalance: { fault: { setDelayS: -1, clearDelayS: 60, latched: false } } } },
      'timing.cellImbalance.fault.setDelayS',
      'CONFIG_OUT_OF_RANGE',
    ],
    [
      { timing: { prechargeFailure: { info: { setDelayS: 1, clearDelayS: 1, latched: false } } } },
      'timing.prechargeFailure.info',
      'CONFIG_OUT_OF_RANGE',
    ],
  ])('rejects %j at %s', (input, path, code) => {
    const e = rejection(() => buildFaultEngineConfig(input));
    expect(e).toMatchObject({ path, code });
    expect(e.reason.length).toBeGreaterThan(0);
  });
});
