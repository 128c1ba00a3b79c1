import { buildBatteryModelConfig, usableWindowFraction } from './config';
import { ConfigError } from './config-error';

function rejection(f: () => unknown): ConfigError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('accepted');
}

describe('buildBatteryModelConfig', () => {
  it('fills the §1 defaults', () => {
    const c = buildBatteryModelConfig({ moduleCount: 4, parallelStringCount: 2 });
    expect(c).toMatchObject({
      moduleCapacityAh: 232,
      cellHighVoltageV: 4.1,
      cellLowVoltageV: 3.6,
      commsTimeoutS: 10,
    });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('B-31: usable window 0.554 → 2 × 232 Ah × 0.554 = 257 Ah', () => {
    const c = buildBatteryModelConfig({ moduleCount: 4, parallelStringCount: 2 });
    expect(usableWindowFraction(c)).toBeCloseTo(0.554, 3);
    expect(2 * 232 * usableWindowFraction(c)).toBeCloseTo(257, 0);
  });

  it('rejects a string count that does not divide the module count', () => {
    expect(
      rejection(() => buildBatteryModelConfig({ moduleCount: 5, parallelStringCount: 2 })),
    ).toMatchObject({
      code: 'CONFIG_STRING_COUNT',
      path: 'parallelStringCount',
    });
  });

  it('rejects setpoints in the wrong order', () => {
    const e = rejection(() =>
      buildBatteryModelConfig({
        moduleCount: 2,
        parallelStringCount: 1,
        cellLowVoltageV: 4.2,
        cellHighVoltageV: 4.1,
      }),
    );
    expect(e).toMatchObject({ code: 'CONFIG_WRONG_ORDER', path: 'cellHighVoltageV' });
    expect(e.message).toContain('cellHighVoltageV');
  });

  it('rejects a table with no window between the setpoints', () => {
    const ocvTable = [
      { voltageV: 3.0, socPercent: 50 },
      { voltageV: 3.1, socPercent: 50 },
    ];
    expect(
      rejection(() => buildBatteryModelConfig({ moduleCount: 2, parallelStringCount: 1, ocvTable })),
    ).toMatchObject({
      code: 'CONFIG_OCV_NOT_MONOTONIC',
      path: 'ocvTable',
    });
  });

  it.each([
    ['moduleCount', { moduleCount: 0, parallelStringCount: 1 }, 'CONFIG_OUT_OF_RANGE'],
    ['moduleCount', { moduleCount: 2.5, parallelStringCount: 1 }, 'CONFIG_OUT_OF_RANGE'],
    [
      'moduleCapacityAh',
      { moduleCount: 2, parallelStringCount: 1, moduleCapacityAh: Number.NaN },
      'CONFIG_NOT_A_NUMBER',
    ],
    ['socResetHoldS', { moduleCount: 2, parallelStringCount: 1, socResetHoldS: -1 }, 'CONFIG_OUT_OF_RANGE'],
  ])('rejects a bad %s', (path, input, code) => {
    expect(rejection(() => buildBatteryModelConfig(input))).toMatchObject({ code, path });
  });
});
