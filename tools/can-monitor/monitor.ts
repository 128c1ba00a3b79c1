import type {
  CandumpRecord,
  DecodedPylontechMessage,
  DecodedSmaMessage,
  DecodedVictronMessage,
} from '@tsbms/inverter-can';

/*
 * What can-monitor makes of a candump -L recording: one entry per frame, decoded with one inverter
 * profile's decoder and flagged against that profile's rules, and the timing the profile asks for.
 * Pure; can-monitor.ts does the reading and writing.
 */

/** One decoded frame, for people (`text`) or machines (`--json`). */
export interface MonitorEntry {
  readonly timestampS: number;
  readonly iface: string;
  /** `0x351`; 8 hex digits for an extended id. */
  readonly id: string;
  /** The decoder's message kind, or what the monitor recognised without one (`extended`, `gxKeepAlive`). */
  readonly kind: string;
  readonly text: string;
  /**
   * What breaks the profile's rules, each starting with the rule id of the profile's document
   * (`V-12: …`), or with its section where no numbered rule covers the case (`§2: …`).
   */
  readonly flags: readonly string[];
  /** Sent by the inverter (keep-alive, identity): no rule of the battery's schedule counts it. */
  readonly fromInverter: boolean;
  readonly message?: DecodedVictronMessage | DecodedPylontechMessage | DecodedSmaMessage;
}

/**
 * Turns records into entries for one recording. Some rules span frames (P-5, S-10), so a describer
 * remembers what it has seen: one per recording.
 */
export type FrameDescriber = (record: CandumpRecord) => MonitorEntry;

/** The timing a profile's battery keeps (V-4/V-5, P-8, S-9), checked over a whole recording. */
export interface ProfileSchedule {
  /** Sent every second: each must be seen, and never more than `maxGapS` apart. */
  readonly everySecondIds: readonly number[];
  readonly maxGapS: number;
  readonly gapRule: string;
  readonly missingRule: string;
  /** Sent every `periodS`; missing only counts in a recording that spans a period and a tick more. */
  readonly slowIds?: { readonly ids: readonly number[]; readonly periodS: number };
  /** The shortest gap allowed between two frames of one every-second id. */
  readonly minGap?: { readonly seconds: number; readonly rule: string };
  /** At most `frames` battery frames in any window of `windowS`. */
  readonly maxRate?: { readonly frames: number; readonly windowS: number; readonly rule: string };
}

export interface InverterProfile {
  /** The `--profile` value. */
  readonly name: string;
  /** Where its rule ids are defined. */
  readonly document: string;
  readonly createDescriber: () => FrameDescriber;
  readonly schedule: ProfileSchedule;
}

/** `0x351`, or 8 hex digits for an extended id, as candump writes them. */
export const canIdText = (id: number, extended = false) =>
  `0x${id
    .toString(16)
    .toUpperCase()
    .padStart(extended ? 8 : 3, '0')}`;

/** `DE AD BE EF` */
export const dataText = (data: Uint8Array) =>
  Array.from(data, (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');

/** Quoted and escaped: a control character in a name must not break the one line per frame. */
export const quoted = (text: string) => JSON.stringify(text);

/** The fields every entry takes from its record. */
export const entryBase = (record: CandumpRecord) => ({
  timestampS: record.timestampS,
  iface: record.iface,
  id: canIdText(record.frame.id, record.extended),
});

/** A frame no decoder reads (an unknown or extended id), shown as its bytes. */
export const undecodedEntry = (record: CandumpRecord, kind: string, flag: string): MonitorEntry => ({
  ...entryBase(record),
  kind,
  text: `[${dataText(record.frame.data)}]`,
  flags: [flag],
  fromInverter: false,
});

export function formatEntry(entry: MonitorEntry): string {
  const flags = entry.flags.length > 0 ? `  !! ${entry.flags.join('; ')}` : '';
  return `${entry.timestampS.toFixed(6)} ${entry.iface} ${entry.id} ${entry.text}${flags}`;
}
