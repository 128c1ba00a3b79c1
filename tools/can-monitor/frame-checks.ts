import {
  ALARM_ITEM_POSITIONS,
  type AlarmLevel,
  type CandumpRecord,
  type VictronAlarmItem,
} from '@tsbms/inverter-can';

/*
 * Checks more than one profile makes, each under its own rule id: the same wording of a rule in
 * victron-can-bms.md, pylontech-can.md and sma-sunny-island-can.md gets the same check. Each
 * returns the flags it raises, none for a frame that keeps the rule.
 */

const FRAME_LENGTH = 8;
const NUL = 0x00;
const SPACE = 0x20;
const PRINTABLE_FIRST = 0x20;
const PRINTABLE_LAST = 0x7e;

/** Every frame is a data frame of 8 bytes (V-2, P-1, S-2). */
export function lengthFlags(rule: string, record: CandumpRecord): string[] {
  if (record.remote) return [`${rule}: remote request, expected a data frame of ${FRAME_LENGTH} bytes`];
  const length = record.frame.data.length;
  return length === FRAME_LENGTH ? [] : [`${rule}: length ${length}, expected ${FRAME_LENGTH}`];
}

interface LimitsFields {
  readonly chargeVoltageLimitV: number;
  readonly chargeCurrentLimitA: number;
  readonly dischargeCurrentLimitA: number;
}

/** CVL 0 asks the inverter to drain the pack towards it (V-7, P-3). */
export function zeroChargeVoltageFlags(rule: string, limits: LimitsFields): string[] {
  return limits.chargeVoltageLimitV === 0 ? [`${rule}: CVL 0 V on the wire`] : [];
}

/** Current limits are never negative (V-8, P-3). */
export function negativeCurrentLimitFlags(rule: string, limits: LimitsFields): string[] {
  const flags: string[] = [];
  if (limits.chargeCurrentLimitA < 0) flags.push(`${rule}: CCL ${limits.chargeCurrentLimitA} A is negative`);
  if (limits.dischargeCurrentLimitA < 0)
    flags.push(`${rule}: DCL ${limits.dischargeCurrentLimitA} A is negative`);
  return flags;
}

/** The high-resolution SoC is the SoC in 0.01 %; 1 % apart means other units (pyBMS, SimpBMS) or none. */
const HIGH_RES_SOC_TOLERANCE_PERCENT = 1;

/** V-13, S-4: a high-resolution SoC that disagrees with the SoC; one not sent is not compared. */
export function highResSocFlags(
  rule: string,
  socPercent: number | null,
  highResPercent: number | null | undefined,
): string[] {
  if (socPercent === null || highResPercent === null || highResPercent === undefined) return [];
  return Math.abs(highResPercent - socPercent) >= HIGH_RES_SOC_TOLERANCE_PERCENT
    ? [`${rule}: high-resolution SoC ${highResPercent} % disagrees with SoC ${socPercent} %; it is in 0.01 %`]
    : [];
}

/**
 * An 8-byte name field: the name, then padding, Victron's 0x00 (V-2) or Pylontech's and SMA's
 * spaces (P-1, S-7). `printable` checks the name's characters as well (V-2, S-7).
 */
export function textFieldFlags(
  rule: string,
  data: Uint8Array,
  padding: 'nul' | 'space',
  printable: boolean,
): string[] {
  const flags: string[] = [];
  const firstNul = data.indexOf(NUL);
  const name = firstNul === -1 ? data : data.subarray(0, firstNul);
  if (padding === 'space' && firstNul !== -1) flags.push(`${rule}: padded with 0x00, expected spaces`);
  if (padding === 'nul') {
    if (data.subarray(name.length).some((b) => b !== NUL))
      flags.push(`${rule}: bytes after the first 0x00 are not 0x00`);
    if (name.length > 0 && name[name.length - 1] === SPACE)
      flags.push(`${rule}: padded with spaces, expected 0x00`);
  }
  if (printable && name.some((b) => b < PRINTABLE_FIRST || b > PRINTABLE_LAST))
    flags.push(`${rule}: not printable ASCII`);
  return flags;
}

/** 0x35A levels with every item supported (Victron's 13, which SMA shares at the same bits, S-5). */
export const EVERY_ALARM_ITEM_OK = Object.fromEntries(
  Object.keys(ALARM_ITEM_POSITIONS).map((item) => [item, 'ok' satisfies AlarmLevel]),
) as Record<VictronAlarmItem, AlarmLevel>;

/**
 * The bits of the pairs a 0x35A encoder writes when told every item is supported: the pairs the
 * profile defines, its reserved bits being the rest.
 */
export function definedAlarmPairMask(allSupportedPayload: Uint8Array): Uint8Array {
  return allSupportedPayload.map((byte) => {
    let mask = 0;
    for (let bit = 0; bit < 8; bit += 2) if (((byte >> bit) & 3) !== 0) mask |= 3 << bit;
    return mask;
  });
}

/**
 * 0x35A (V-9, S-5): a pair is 0 (unsupported), 1 (active) or 2 (OK), never 3; reserved bits are 0.
 */
export function alarmPairFlags(rule: string, data: Uint8Array, definedPairs: Uint8Array): string[] {
  const flags: string[] = [];
  data.forEach((byte, index) => {
    const mask = definedPairs[index] ?? 0;
    const reserved = byte & ~mask;
    if (reserved !== 0) {
      const bits = reserved.toString(16).toUpperCase().padStart(2, '0');
      flags.push(`${rule}: reserved bits 0x${bits} set in byte ${index}`);
    }
    for (let bit = 0; bit < 8; bit += 2) {
      if (((mask >> bit) & 3) !== 0 && ((byte >> bit) & 3) === 3)
        flags.push(`${rule}: byte ${index} bits ${bit}-${bit + 1} are 3; a pair is 0, 1 (active) or 2 (OK)`);
    }
  });
  return flags;
}
