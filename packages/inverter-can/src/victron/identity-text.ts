/**
 * Config validation of the text the battery sends about itself (V-2, V-11). Pure: the controller's
 * config schema turns each issue into a config error at `can.<field>`.
 */

/** The identity strings a configuration may set, with their frame capacity in characters. */
export const IDENTITY_TEXT_MAX_LENGTH = {
  manufacturerName: 8,
  batteryName: 16,
  serialNumber: 16,
  productFamily: 8,
} as const;
export type IdentityTextField = keyof typeof IDENTITY_TEXT_MAX_LENGTH;

/**
 * Names Venus recognises in 0x35E/0x382 and then rewrites the limits for (victron-can-bms.md §6):
 * a tsBMS pack taken for one of them would get someone else's CVL and CCL. Matched as a prefix,
 * any case.
 */
export const VENUS_QUIRK_BRANDS: readonly string[] = Object.freeze([
  'PYLON',
  'BYD',
  'LG',
  'DYNESS',
  'PYTES',
  'FREEDOM',
  'BLUENOVA',
]);

export interface IdentityTextIssue {
  readonly field: IdentityTextField;
  readonly reason: string;
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** Every problem with the configured identity strings; absent or null fields are not checked. */
export function identityTextIssues(
  fields: Partial<Record<IdentityTextField, string | null | undefined>>,
): IdentityTextIssue[] {
  const issues: IdentityTextIssue[] = [];
  for (const field of Object.keys(IDENTITY_TEXT_MAX_LENGTH) as IdentityTextField[]) {
    const text = fields[field];
    if (text === null || text === undefined) continue;
    const max = IDENTITY_TEXT_MAX_LENGTH[field];
    // V-2: a longer string would be cut on the wire; refuse it here instead.
    if (text.length > max) issues.push({ field, reason: `at most ${max} characters, got ${text.length}` });
    if (!PRINTABLE_ASCII.test(text)) issues.push({ field, reason: 'printable 7-bit ASCII only' });
    if (field === 'manufacturerName' || field === 'productFamily') {
      const brand = VENUS_QUIRK_BRANDS.find((b) => text.toUpperCase().startsWith(b));
      if (brand !== undefined) {
        issues.push({
          field,
          reason: `must not start with ${brand}: Venus OS rewrites the limits of that brand (V-11)`,
        });
      }
    }
  }
  return issues;
}
