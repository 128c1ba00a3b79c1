import { ConfigChangeError } from '@tsbms/bms-core';
import { checkInverterSettings } from './inverter-settings-check';
import { TWO_BY_TWO_FACTS, twoByTwoSettings } from './testing/pack-status';

const sma = (moduleCount: number, parallelStringCount: number, interfaceName: string | null = 'can0') => ({
  ...twoByTwoSettings({ profile: 'sma-sunny-island', interface: interfaceName }),
  packFacts: { ...TWO_BY_TWO_FACTS, moduleCount, parallelStringCount },
});
const issuesOf = (settings: ReturnType<typeof sma>) => {
  try {
    checkInverterSettings(settings);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigChangeError)) throw error;
    return error.issues;
  }
};

describe('checkInverterSettings', () => {
  it('takes a 48 V pack (12S: 49.2 V charged, 43.2 V empty) on a Sunny Island', () => {
    expect(issuesOf(sma(4, 2))).toEqual([]);
    expect(issuesOf(sma(2, 1))).toEqual([]);
  });

  it('refuses an 18S pack on a Sunny Island at inverter.profile: its CVL would be clamped below the pack (S-3, S-10)', () => {
    expect(issuesOf(sma(3, 1))).toEqual([
      {
        configPath: 'inverter.profile',
        reason: expect.stringMatching(/^a 18S pack charges to 73\.8 V .* 41–63 V only/),
      },
      {
        configPath: 'inverter.profile',
        reason: expect.stringMatching(/stops discharging at 64\.8 V .* 41–48 V/),
      },
    ]);
    // A 6S pack is too low for it as well.
    expect(issuesOf(sma(1, 1)).map((issue) => issue.reason)).toEqual([
      expect.stringMatching(/charges to 24\.6 V/),
      expect.stringMatching(/stops discharging at 21\.6 V/),
    ]);
  });

  it('checks nothing while the output is off, nor for the other profiles', () => {
    expect(issuesOf(sma(3, 1, null))).toEqual([]);
    expect(() =>
      checkInverterSettings({
        ...twoByTwoSettings({ profile: 'pylontech' }),
        packFacts: { ...TWO_BY_TWO_FACTS, moduleCount: 3, parallelStringCount: 1 },
      }),
    ).not.toThrow();
  });
});
