import { inverterConfigSchema, ownBatteryNames } from './inverter-config';

/** The section's problems as the controller reports them: `inverter.<path>` and the reason. */
const issuesOf = (section: unknown) => {
  const result = inverterConfigSchema.safeParse(section);
  if (result.success) return [];
  // One issue per unknown key, as the controller's parseControllerConfig reports them.
  return result.error.issues.flatMap((issue) =>
    ('keys' in issue ? issue.keys : [null]).map((key) => ({
      configPath: ['inverter', ...issue.path.map(String), ...(key === null ? [] : [key])].join('.'),
      reason: issue.message,
    })),
  );
};

describe('inverter config section', () => {
  it('defaults: the Victron profile, off, 500 kbit/s, tsBMS, nothing optional sent, 1..30 s reconnect', () => {
    const defaults = {
      profile: 'victron',
      interface: null,
      bitRateKbps: 500,
      manufacturerName: 'tsBMS',
      batteryName: null,
      serialNumber: null,
      productFamily: null,
      reconnect: { initialDelayS: 1, maxDelayS: 30 },
    };
    expect(inverterConfigSchema.parse(undefined)).toEqual(defaults);
    // A section without `profile` is Victron's, as every section was before profiles existed.
    expect(inverterConfigSchema.parse({ interface: 'can0' })).toEqual({ ...defaults, interface: 'can0' });
  });

  it("each profile's defaults: PYLON for Pylontech (P-4), 500 kbit/s for both", () => {
    expect(inverterConfigSchema.parse({ profile: 'pylontech', interface: 'can0' })).toEqual({
      profile: 'pylontech',
      interface: 'can0',
      bitRateKbps: 500,
      manufacturerName: 'PYLON',
      reconnect: { initialDelayS: 1, maxDelayS: 30 },
    });
    expect(inverterConfigSchema.parse({ profile: 'sma-sunny-island' })).toEqual({
      profile: 'sma-sunny-island',
      interface: null,
      bitRateKbps: 500,
      manufacturerName: 'tsBMS',
      reconnect: { initialDelayS: 1, maxDelayS: 30 },
    });
  });

  it('rejects an unknown profile with its path and the profiles there are', () => {
    expect(issuesOf({ profile: 'deye' })).toEqual([
      {
        configPath: 'inverter.profile',
        reason: expect.stringMatching(/victron.*pylontech.*sma-sunny-island/),
      },
    ]);
  });

  it('rejects an option of another profile with its path, naming the chosen profile', () => {
    expect(issuesOf({ profile: 'pylontech', batteryName: 'Garage' })).toEqual([
      { configPath: 'inverter.batteryName', reason: 'not an option of the pylontech profile' },
    ]);
    expect(issuesOf({ profile: 'sma-sunny-island', productFamily: 'x', serialNumber: 'y' })).toEqual([
      { configPath: 'inverter.productFamily', reason: 'not an option of the sma-sunny-island profile' },
      { configPath: 'inverter.serialNumber', reason: 'not an option of the sma-sunny-island profile' },
    ]);
    expect(issuesOf({ interface: 'can0', nonsense: 1 })).toEqual([
      { configPath: 'inverter.nonsense', reason: 'not an option of the victron profile' },
    ]);
  });

  it('takes a Victron-only option left at null (not sent) as absent in another profile', () => {
    const everyDefault = { ...inverterConfigSchema.parse({}), profile: 'pylontech' };
    expect(inverterConfigSchema.parse(everyDefault)).toEqual({
      profile: 'pylontech',
      interface: null,
      bitRateKbps: 500,
      manufacturerName: 'tsBMS',
      reconnect: { initialDelayS: 1, maxDelayS: 30 },
    });
  });

  it('takes 250 kbit/s on a shared VE.Can port for Victron only; Pylontech and SMA run at 500', () => {
    expect(inverterConfigSchema.parse({ bitRateKbps: 250 }).bitRateKbps).toBe(250);
    expect(issuesOf({ bitRateKbps: 125 })).toEqual([
      { configPath: 'inverter.bitRateKbps', reason: '500 (BMS-CAN port) or 250 (VE.Can port)' },
    ]);
    expect(issuesOf({ profile: 'pylontech', bitRateKbps: 250 })).toEqual([
      { configPath: 'inverter.bitRateKbps', reason: 'the Pylontech protocol runs at 500 kbit/s only' },
    ]);
    expect(issuesOf({ profile: 'sma-sunny-island', bitRateKbps: 250 })).toEqual([
      { configPath: 'inverter.bitRateKbps', reason: 'the SMA Sunny Island protocol runs at 500 kbit/s only' },
    ]);
  });

  it('refuses brand names Venus rewrites limits for in the Victron profile only (V-11 vs P-4)', () => {
    expect(issuesOf({ manufacturerName: 'Pylon' })).toEqual([
      { configPath: 'inverter.manufacturerName', reason: expect.stringMatching(/PYLON.*V-11/) },
    ]);
    expect(issuesOf({ productFamily: 'BYD' })).toEqual([
      expect.objectContaining({ configPath: 'inverter.productFamily' }),
    ]);
    expect(issuesOf({ profile: 'pylontech', manufacturerName: 'PYLON' })).toEqual([]);
    expect(issuesOf({ profile: 'sma-sunny-island', manufacturerName: 'BYD' })).toEqual([]);
  });

  it('refuses text longer than its frames in every profile (V-2, P-4, S-7), and a backoff that shrinks', () => {
    expect(issuesOf({ batteryName: 'a'.repeat(17), serialNumber: 'x'.repeat(16) })).toEqual([
      { configPath: 'inverter.batteryName', reason: 'at most 16 characters, got 17' },
    ]);
    for (const profile of ['pylontech', 'sma-sunny-island']) {
      expect(issuesOf({ profile, manufacturerName: 'PYLON-LV1' })).toEqual([
        { configPath: 'inverter.manufacturerName', reason: 'at most 8 characters, got 9' },
      ]);
    }
    expect(issuesOf({ reconnect: { initialDelayS: 60 } })).toEqual([
      expect.objectContaining({ configPath: 'inverter.reconnect.initialDelayS' }),
    ]);
  });

  it('names the battery as it calls itself on the bus', () => {
    expect(ownBatteryNames(inverterConfigSchema.parse({ batteryName: 'Garage' }))).toEqual([
      'tsBMS',
      'Garage',
    ]);
    expect(ownBatteryNames(inverterConfigSchema.parse({ profile: 'pylontech' }))).toEqual(['PYLON']);
  });
});
