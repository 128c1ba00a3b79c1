import {
  decodeSmaFrame,
  encodeSmaAlarmPayload,
  PayloadReader,
  SMA_ACCEPTED_RANGES,
  SMA_INVALID_UNSIGNED,
  SmaFrameId,
  type CandumpRecord,
  type DecodedSmaMessage,
  type SmaRangedField,
} from '@tsbms/inverter-can';
import {
  alarmPairFlags,
  definedAlarmPairMask,
  EVERY_ALARM_ITEM_OK,
  highResSocFlags,
  lengthFlags,
  textFieldFlags,
} from './frame-checks';
import { smaText } from './frame-texts';
import { canIdText, entryBase, undecodedEntry, type InverterProfile, type MonitorEntry } from './monitor';

/** The SMA Sunny Island profile: frames and rules of docs/sma-sunny-island-can.md. */

type DecodedChargeLimits = Extract<DecodedSmaMessage, { kind: 'chargeLimits' }>;

/** §9: the Sunny Island's own frames (its powers, voltages, battery view); the package has no constant. */
const SUNNY_ISLAND_FIRST_ID = 0x300;
const SUNNY_ISLAND_LAST_ID = 0x30a;

/** S-2: bytes 6-7 of 0x355 and 0x356 are unused, so they carry the "invalid" marker. */
const UNUSED_TAIL_OFFSET = 6;

/** S-5: the pairs SMA defines are the ones its encoder writes for "every item supported". */
const DEFINED_ALARM_PAIRS = definedAlarmPairMask(encodeSmaAlarmPayload({ levels: EVERY_ALARM_ITEM_OK }));

const RANGED_FIELDS = Object.keys(SMA_ACCEPTED_RANGES) as SmaRangedField[];

/** S-3: a value outside what the Sunny Island accepts is dropped without notice. */
function acceptedRangeFlags(message: DecodedSmaMessage): string[] {
  const flags: string[] = [];
  for (const field of RANGED_FIELDS) {
    const value: unknown = Reflect.get(message, field);
    // Not values: null is the "invalid" marker (the Sunny Island takes its default), NaN a field
    // beyond a short frame (flagged by S-2).
    if (typeof value !== 'number' || Number.isNaN(value)) continue;
    const { min, max } = SMA_ACCEPTED_RANGES[field];
    if (value < min || value > max)
      flags.push(`S-3: ${field} ${value} outside ${min}..${max}: the Sunny Island drops it without notice`);
  }
  return flags;
}

function invalidTailFlags(frameId: number, data: Uint8Array): string[] {
  const tail = new PayloadReader(data).u16(UNUSED_TAIL_OFFSET);
  return tail === undefined || tail === SMA_INVALID_UNSIGNED
    ? []
    : [`S-2: ${canIdText(frameId)} bytes 6-7 are not FF FF, the "invalid" marker of unused fields`];
}

function messageFlags(
  message: DecodedSmaMessage,
  data: Uint8Array,
  lastLimits: DecodedChargeLimits | undefined,
): string[] {
  switch (message.kind) {
    case 'chargeLimits':
      return acceptedRangeFlags(message);
    case 'stateOfCharge': {
      const highRes = message.stateOfChargeHighResPercent;
      const missing =
        highRes === null || Number.isNaN(highRes) ? ['S-4: no HiResSOC; it is always sent'] : [];
      return [
        ...acceptedRangeFlags(message),
        ...missing,
        // The Sunny Island takes HiResSOC instead of SOC: a wrong one drives its battery protection.
        ...highResSocFlags('S-4', message.stateOfChargePercent, highRes),
        ...invalidTailFlags(SmaFrameId.STATE_OF_CHARGE, data),
      ];
    }
    case 'measurements': {
      const flags = invalidTailFlags(SmaFrameId.MEASUREMENTS, data);
      // S-10 holds between this frame and the 0x351 before it, sent in the same second (S-9 order).
      const voltageV = message.batteryVoltageV;
      const cvlV = lastLimits?.chargeVoltageLimitV;
      if (
        lastLimits?.chargeCurrentLimitA === 0 &&
        typeof cvlV === 'number' &&
        voltageV !== null &&
        voltageV > cvlV
      )
        flags.push(
          `S-10: battery ${voltageV} V above the CVL ${cvlV} V of the last 0x351 with CCL 0: the Sunny Island discharges ignoring the DCL`,
        );
      return flags;
    }
    case 'alarms':
      return alarmPairFlags('S-5', data, DEFINED_ALARM_PAIRS);
    case 'manufacturer':
      return textFieldFlags('S-7', data, 'space', true);
    default:
      return [];
  }
}

/** One per recording: S-10 compares each 0x356 with the last 0x351. */
function createSmaDescriber() {
  let lastLimits: DecodedChargeLimits | undefined;
  return (record: CandumpRecord): MonitorEntry => {
    const { id, data } = record.frame;
    if (record.extended)
      return undecodedEntry(
        record,
        'extended',
        'S-1: extended (29-bit) id; SMA allows the six 11-bit ids only',
      );
    if (id >= SUNNY_ISLAND_FIRST_ID && id <= SUNNY_ISLAND_LAST_ID)
      return {
        ...entryBase(record),
        kind: 'sunnyIsland',
        text: 'Sunny Island frame',
        flags: [],
        fromInverter: true,
      };
    const message = decodeSmaFrame(record.frame);
    if (message.kind === 'unknown')
      return undecodedEntry(record, 'unknown', `S-1: ${canIdText(id)} is not one of the six ids SMA allows`);
    const flags = [...lengthFlags('S-2', record), ...messageFlags(message, data, lastLimits)];
    if (message.kind === 'chargeLimits') lastLimits = message;
    return {
      ...entryBase(record),
      kind: message.kind,
      text: smaText(message),
      flags,
      fromInverter: false,
      message,
    };
  };
}

export const smaProfile: InverterProfile = {
  name: 'sma-sunny-island',
  document: 'docs/sma-sunny-island-can.md',
  createDescriber: createSmaDescriber,
  // S-9: the six frames every second (smaFrames), none more often than the 200 ms inhibit time.
  schedule: {
    everySecondIds: Object.values(SmaFrameId),
    maxGapS: 1.2,
    gapRule: 'S-9',
    missingRule: 'S-9',
    minGap: { seconds: 0.2, rule: 'S-9' },
  },
};
