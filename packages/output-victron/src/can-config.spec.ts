import { canConfigSchema } from './can-config';

/** The section as the controller parses it: under `can`, issues as `{ configPath, reason }`. */
const parseControllerConfig = (file: { can?: unknown }, source: string) => ({
  source,
  can: canConfigSchema.parse(file.can),
});
const issuesOf = (can: unknown) => {
  const result = canConfigSchema.safeParse(can);
  if (result.success) return [];
  return result.error.issues.map((issue) => ({
    configPath: ['can', ...issue.path.map(String)].join('.'),
    reason: issue.message,
  }));
};

describe('can config section', () => {
  it('defaults: off, tsBMS, nothing optional sent, 1..30 s reconnect', () => {
    expect(parseControllerConfig({}, 'test').can).toEqual({
      interface: null,
      manufacturerName: 'tsBMS',
      batteryName: null,
      serialNumber: null,
      productFamily: null,
      reconnect: { initialDelayS: 1, maxDelayS: 30 },
    });
  });

  it('rejects brand names Venus rewrites limits for, with the config path (V-11)', () => {
    expect(issuesOf({ manufacturerName: 'Pylon' })).toEqual([
      expect.objectContaining({ configPath: 'can.manufacturerName', reason: expect.stringMatching(/PYLON/) }),
    ]);
    expect(issuesOf({ productFamily: 'BYD' })).toEqual([
      expect.objectContaining({ configPath: 'can.productFamily' }),
    ]);
  });

  it('rejects strings longer than their frames (V-2) and a backoff that shrinks', () => {
    expect(issuesOf({ batteryName: 'a'.repeat(17), serialNumber: 'x'.repeat(16) })).toEqual([
      expect.objectContaining({ configPath: 'can.batteryName', reason: 'at most 16 characters, got 17' }),
    ]);
    expect(issuesOf({ reconnect: { initialDelayS: 60 } })).toEqual([
      expect.objectContaining({ configPath: 'can.reconnect.initialDelayS' }),
    ]);
  });
});
