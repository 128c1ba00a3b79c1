import { buildControlConfig, ControlConfigError, seriesCellCount, type ControlConfigInput } from './config';

function rejection(input: ControlConfigInput): ControlConfigError {
  try {
    buildControlConfig(input);
  } catch (error) {
    if (error instanceof ControlConfigError) return error;
    throw error;
  }
  throw new Error('config was accepted');
}

describe('buildControlConfig', () => {
  it('fills in the §1 defaults and freezes the result', () => {
    const config = buildControlConfig({
      moduleCount: 4,
      parallelStringCount: 2,
    });
    expect(config).toMatchObject({
      cellHighVoltageV: 4.1,
      cellLowVoltageV: 3.6,
      maxChargeCurrentA: 100,
      chargeHysteresisTimeS: 30,
      balanceVoltageV: 3.9,
      balanceDifferenceV: 0.04,
      contactorNegativeTimeS: 1,
      contactorPrechargeTimeS: 5,
      contactorOverlapS: 1,
      heatingOnBelowC: 16,
      heatingOffAtC: 18,
      chargeAllowed: true,
      dischargeAllowed: true,
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(seriesCellCount(config)).toBe(12);
  });

  it('keeps values that are given', () => {
    expect(buildControlConfig({ moduleCount: 2, maxChargeCurrentA: 50 }).maxChargeCurrentA).toBe(50);
    expect(buildControlConfig({ moduleCount: 2, chargeAllowed: false })).toMatchObject({
      chargeAllowed: false,
      dischargeAllowed: true,
    });
    expect(buildControlConfig({ moduleCount: 2, dischargeAllowed: false })).toMatchObject({
      chargeAllowed: true,
      dischargeAllowed: false,
    });
  });

  it.each<[string, ControlConfigInput, string, RegExp]>([
    ['a missing module count', {} as ControlConfigInput, 'moduleCount', /number/i],
    ['a negative current', { moduleCount: 2, maxChargeCurrentA: -1 }, 'maxChargeCurrentA', /0/],
    ['NaN', { moduleCount: 2, cellHighVoltageV: NaN }, 'cellHighVoltageV', /./],
    ['an unknown key', { moduleCount: 2, cellHighVolts: 4 } as ControlConfigInput, '(root)', /cellHighVolts/],
    [
      'strings that do not divide the modules',
      { moduleCount: 3, parallelStringCount: 2 },
      'parallelStringCount',
      /divide/,
    ],
    ['low setpoint above high', { moduleCount: 2, cellLowVoltageV: 4.2 }, 'cellLowVoltageV', /below/],
    [
      'warning beyond fault (B-20)',
      { moduleCount: 2, voltageAlertOffsetV: 0.06 },
      'voltageAlertOffsetV',
      /beyond the fault/,
    ],
    [
      'charge temperature beyond the fault (B-20)',
      { moduleCount: 2, chargeMaxTemperatureC: 70 },
      'chargeMaxTemperatureC',
      /highTemperatureC/,
    ],
    ['overlapping voltage tapers', { moduleCount: 2, currentTaperV: 0.3 }, 'currentTaperV', /overlap/],
    [
      'crossing temperature levels',
      { moduleCount: 2, temperatureWarningOffsetC: 20 },
      'temperatureWarningOffsetC',
      /cross/,
    ],
    ['heating off below on', { moduleCount: 2, heatingOffAtC: 15 }, 'heatingOffAtC', /above heatingOnBelowC/],
    [
      'heating limit below off',
      { moduleCount: 2, heatingMaxTemperatureC: 17 },
      'heatingMaxTemperatureC',
      /above heatingOffAtC/,
    ],
    [
      'a non-boolean chargeAllowed',
      { moduleCount: 2, chargeAllowed: 'false' as unknown as boolean },
      'chargeAllowed',
      /boolean/,
    ],
    [
      'a non-boolean dischargeAllowed',
      { moduleCount: 2, dischargeAllowed: 0 as unknown as boolean },
      'dischargeAllowed',
      /boolean/,
    ],
    ['a watchdog shorter than two polls', { moduleCount: 2, commsTimeoutS: 1 }, 'commsTimeoutS', /two poll/],
    [
      'a table out of order',
      {
        moduleCount: 2,
        chargeSocTable: [
          { input: 90, factor: 1 },
          { input: 80, factor: 0 },
        ],
      },
      'chargeSocTable.1.input',
      /increase/,
    ],
    [
      'a factor above 1',
      { moduleCount: 2, dischargeSocTable: [{ input: 0, factor: 1.5 }] },
      'dischargeSocTable.0.factor',
      /1/,
    ],
    [
      'an empty table',
      { moduleCount: 2, dischargeLowTemperatureTable: [] },
      'dischargeLowTemperatureTable',
      /./,
    ],
  ])('rejects %s with the path and the reason', (_name, input, path, reason) => {
    const error = rejection(input);
    expect(error.code).toBe('CONTROL_CONFIG_INVALID');
    expect(error.path).toBe(path);
    expect(error.reason).toMatch(reason);
    expect(error.message).toContain(path);
    expect(error.issues.length).toBeGreaterThanOrEqual(1);
  });
});
