import {
  decodePylontechFrame,
  PylontechFrameId,
  VictronFrameId,
  type CandumpRecord,
  type DecodedPylontechMessage,
  type PylontechChargeLimitsMessage,
} from '@tsbms/inverter-can';
import {
  lengthFlags,
  negativeCurrentLimitFlags,
  textFieldFlags,
  zeroChargeVoltageFlags,
} from './frame-checks';
import { identityFrameText, pylontechText } from './frame-texts';
import {
  canIdText,
  entryBase,
  quoted,
  undecodedEntry,
  type InverterProfile,
  type MonitorEntry,
} from './monitor';

/** The Pylontech low-voltage profile: frames and rules of docs/pylontech-can.md. */

/** P-4: 0x359 bytes 5-6, as the real battery and our encoder send them (the package keeps it private). */
const PRODUCT_CODE = 'PN';

/** P-4: newer US5000 firmware ("V1.3") sends these instead of 0x359/0x35C; we send the V1.2 set. */
const NEWER_FIRMWARE_IDS: readonly number[] = [VictronFrameId.ALARMS, VictronFrameId.IDENTITY];

/** P-2: 0x355 has no high-resolution SoC; bytes 4-7 are 0. */
const SOC_UNUSED_FROM = 4;

function messageFlags(
  message: DecodedPylontechMessage,
  data: Uint8Array,
  lastLimits: PylontechChargeLimitsMessage | undefined,
): string[] {
  switch (message.kind) {
    case 'chargeLimits':
      return [...zeroChargeVoltageFlags('P-3', message), ...negativeCurrentLimitFlags('P-3', message)];
    case 'stateOfCharge':
      return data.subarray(SOC_UNUSED_FROM).some((b) => b !== 0)
        ? ['P-2: 0x355 bytes 4-7 are not 0: the protocol has no high-resolution SoC']
        : [];
    case 'protectionAlarms':
      return message.productCode === PRODUCT_CODE
        ? []
        : [`P-4: 0x359 bytes 5-6 are ${quoted(message.productCode)}, expected ${quoted(PRODUCT_CODE)}`];
    case 'requestFlags': {
      const { chargeEnable, dischargeEnable, forceChargeI, forceChargeII, fullCharge } = message.requests;
      const flags: string[] = [];
      // P-5 holds between this frame and the 0x351 before it, sent in the same second (P-8 order).
      if (lastLimits !== undefined) {
        const { chargeCurrentLimitA: ccl, dischargeCurrentLimitA: dcl } = lastLimits;
        if (!Number.isNaN(ccl) && chargeEnable !== ccl > 0)
          flags.push(`P-5: charge enable ${chargeEnable ? 'set' : 'clear'} while the last CCL is ${ccl} A`);
        if (!Number.isNaN(dcl) && dischargeEnable !== dcl > 0)
          flags.push(
            `P-5: discharge enable ${dischargeEnable ? 'set' : 'clear'} while the last DCL is ${dcl} A`,
          );
      }
      const requests = Object.entries({ forceChargeI, forceChargeII, fullCharge }).filter(([, set]) => set);
      if (requests.length > 0)
        flags.push(
          `P-6: ${requests.map(([name]) => name).join(', ')} set: the inverter would charge outside our limits`,
        );
      return flags;
    }
    case 'manufacturer':
      return textFieldFlags('P-1', data, 'space', false);
    default:
      return [];
  }
}

/** One per recording: P-5 compares each 0x35C with the last 0x351. */
function createPylontechDescriber() {
  let lastLimits: PylontechChargeLimitsMessage | undefined;
  return (record: CandumpRecord): MonitorEntry => {
    const { id, data } = record.frame;
    if (record.extended)
      return undecodedEntry(record, 'extended', '§1: extended (29-bit) id; the protocol has 11-bit ids only');
    // §5: a Victron GX's identity frame, on the bus when a GX drives the Pylontech-speaking battery.
    if (id === VictronFrameId.GX_IDENTITY) {
      return {
        ...entryBase(record),
        kind: 'inverterIdentity',
        text: identityFrameText('inverter identity', data),
        flags: [],
        fromInverter: true,
      };
    }
    if (NEWER_FIRMWARE_IDS.includes(id)) {
      return undecodedEntry(
        record,
        'unknown',
        `P-4: ${canIdText(id)} is a frame of newer Pylontech firmware; this profile sends 0x359 and 0x35C`,
      );
    }
    const message = decodePylontechFrame(record.frame);
    if (message.kind === 'unknown')
      return undecodedEntry(record, 'unknown', '§2: unknown id, not a frame of the protocol');
    if (message.kind === 'inverterReply')
      return {
        ...entryBase(record),
        kind: message.kind,
        text: pylontechText(message),
        flags: [],
        fromInverter: true,
      };
    const flags = [...lengthFlags('P-1', record), ...messageFlags(message, data, lastLimits)];
    if (message.kind === 'chargeLimits') lastLimits = message;
    return {
      ...entryBase(record),
      kind: message.kind,
      text: pylontechText(message),
      flags,
      fromInverter: false,
      message,
    };
  };
}

export const pylontechProfile: InverterProfile = {
  name: 'pylontech',
  document: 'docs/pylontech-can.md',
  createDescriber: createPylontechDescriber,
  // P-8: the six frames every second (pylontechFrames).
  schedule: {
    everySecondIds: Object.values(PylontechFrameId).filter((id) => id !== PylontechFrameId.INVERTER_REPLY),
    maxGapS: 1.2,
    gapRule: 'P-8',
    missingRule: 'P-8',
  },
};
