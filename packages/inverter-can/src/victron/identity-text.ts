/**
 * Config validation of the text the battery sends about itself (V-2, V-11). Pure: the output's
 * config schema turns each issue into a config error at `inverter.<field>`.
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

const configuredTexts = (fields: Partial<Record<IdentityTextField, string | null | undefined>>) =>
  (Object.keys(IDENTITY_TEXT_MAX_LENGTH) as IdentityTextField[]).flatMap((field) => {
    const text = fields[field];
    return text === null || text === undefined ? [] : [{ field, text }];
  });

/**
 * Strings that do not fit their frames (V-2) or are not printable ASCII; absent or null fields
 * are not checked. Every profile's 0x35E has the same 8 characters.
 */
export function identityTextFitIssues(
  fields: Partial<Record<IdentityTextField, string | null | undefined>>,
): IdentityTextIssue[] {
  return configuredTexts(fields).flatMap(({ field, text }) => {
    const max = IDENTITY_TEXT_MAX_LENGTH[field];
    const issues: IdentityTextIssue[] = [];
    // A longer string would be cut on the wire; refuse it here instead.
    if (text.length > max) issues.push({ field, reason: `at most ${max} characters, got ${text.length}` });
    if (!PRINTABLE_ASCII.test(text)) issues.push({ field, reason: 'printable 7-bit ASCII only' });
    return issues;
  });
}

/** V-11, the Victron profile's only: a brand name Venus OS rewrites the limits of. */
export function venusQuirkBrandIssues(
  fields: Partial<Record<IdentityTextField, string | null | undefined>>,
): IdentityTextIssue[] {
  return configuredTexts(fields).flatMap(({ field, text }) => {
    if (field !== 'manufacturerName' && field !== 'productFamily') return [];
    const brand = VENUS_QUIRK_BRANDS.find((b) => text.toUpperCase().startsWith(b));
    return brand === undefined
      ? []
      : [
          {
            field,
            reason: `must not start with ${brand}: Venus OS rewrites the limits of that brand (V-11)`,
          },
        ];
  });
}

/** Every problem with the identity strings of the Victron profile: V-2 and V-11, by field. */
export function identityTextIssues(
  fields: Partial<Record<IdentityTextField, string | null | undefined>>,
): IdentityTextIssue[] {
  return [...identityTextFitIssues(fields), ...venusQuirkBrandIssues(fields)];
}
