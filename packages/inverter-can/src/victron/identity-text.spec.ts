import fc from 'fast-check';
import { encodeVictronMessage } from './messages';
import {
  identityTextFitIssues,
  identityTextIssues,
  IDENTITY_TEXT_MAX_LENGTH,
  VENUS_QUIRK_BRANDS,
  venusQuirkBrandIssues,
} from './identity-text';

describe('identityTextIssues', () => {
  it('accepts the default and typical identities', () => {
    expect(identityTextIssues({ manufacturerName: 'tsBMS' })).toEqual([]);
    expect(
      identityTextIssues({
        manufacturerName: 'tsBMS',
        batteryName: 'Garage pack 2024',
        serialNumber: 'TS-0001-A',
        productFamily: 'Model S',
      }),
    ).toEqual([]);
    expect(identityTextIssues({ batteryName: null, serialNumber: undefined })).toEqual([]);
  });

  it.each(['PYLON', 'pylonTS', 'Pylon', 'BYD', 'byd-box', 'LG', 'lgchem', 'DYNESS', 'Pytes'])(
    'rejects the brand name %s Venus applies quirks to (V-11)',
    (name) => {
      const issues = identityTextIssues({ manufacturerName: name });
      expect(issues).toHaveLength(1);
      expect(issues[0].field).toBe('manufacturerName');
      expect(issues[0].reason).toMatch(/Venus OS rewrites/);
    },
  );

  it('leaves brand names to the Victron profile: the fit check alone takes PYLON (P-4)', () => {
    expect(identityTextFitIssues({ manufacturerName: 'PYLON' })).toEqual([]);
    expect(identityTextFitIssues({ manufacturerName: 'PYLON-LV-X' })).toEqual([
      { field: 'manufacturerName', reason: 'at most 8 characters, got 10' },
    ]);
    expect(venusQuirkBrandIssues({ manufacturerName: 'PYLON' })).toHaveLength(1);
  });

  it('rejects a brand in the product family too (Venus reads 0x382 as well)', () => {
    expect(identityTextIssues({ productFamily: 'PYLON' })).toEqual([
      expect.objectContaining({ field: 'productFamily' }),
    ]);
    // The battery name and serial are not brand-matched.
    expect(identityTextIssues({ batteryName: 'LG garage', serialNumber: 'BYD1' })).toEqual([]);
  });

  it('rejects text longer than its frames, and non-ASCII (V-2)', () => {
    expect(identityTextIssues({ manufacturerName: 'tsBMS-abc' })).toEqual([
      { field: 'manufacturerName', reason: 'at most 8 characters, got 9' },
    ]);
    expect(identityTextIssues({ batteryName: 'x'.repeat(17), serialNumber: 'é' })).toEqual([
      { field: 'batteryName', reason: 'at most 16 characters, got 17' },
      { field: 'serialNumber', reason: 'printable 7-bit ASCII only' },
    ]);
    expect(identityTextIssues({ productFamily: 'a\u0000b' })).toEqual([
      { field: 'productFamily', reason: 'printable 7-bit ASCII only' },
    ]);
  });

  it('accepts exactly what the encoder can send, for any string (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), (text) => {
        const accepted = identityTextIssues({ manufacturerName: text }).length === 0;
        const brand = VENUS_QUIRK_BRANDS.some((b) => text.toUpperCase().startsWith(b));
        if (accepted) {
          expect(text.length).toBeLessThanOrEqual(IDENTITY_TEXT_MAX_LENGTH.manufacturerName);
          expect(() => encodeVictronMessage({ kind: 'manufacturer', name: text })).not.toThrow();
        } else {
          expect(brand || text.length > 8 || /[^\x20-\x7e]/.test(text)).toBe(true);
        }
      }),
    );
  });
});
