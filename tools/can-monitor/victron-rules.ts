import {
  decodeVictronFrame,
  encodeAlarmPayload,
  PylontechFrameId,
  VENUS_QUIRK_BRANDS,
  VictronFrameId,
  type CandumpRecord,
  type DecodedVictronMessage,
} from '@tsbms/inverter-can';
import {
  alarmPairFlags,
  definedAlarmPairMask,
  EVERY_ALARM_ITEM_OK,
  highResSocFlags,
  lengthFlags,
  negativeCurrentLimitFlags,
  textFieldFlags,
  zeroChargeVoltageFlags,
} from './frame-checks';
import { identityFrameText, victronText } from './frame-texts';
import {
  canIdText,
  entryBase,
  quoted,
  undecodedEntry,
  type InverterProfile,
  type MonitorEntry,
} from './monitor';

/** The Victron CAN-bus BMS profile: frames and rules of docs/victron-can-bms.md. */

/** V-1: a Cerbo GX Mk1 folds every id to `id & 0x3FF`. */
const GX_ID_MASK = 0x3ff;

/** V-12: ids of other protocols that must not reach a GX; 0x35B and 0x360 have no constant in the package. */
const NOT_FOR_A_GX = new Map<number, string>([
  [PylontechFrameId.PROTECTION_ALARMS, 'is a Pylontech frame; a Victron GX must not get it'],
  [PylontechFrameId.REQUEST_FLAGS, 'is a Pylontech frame; a Victron GX must not get it'],
  [0x35b, 'must not be sent to a Victron GX'],
  [0x360, 'must not be sent to a Victron GX'],
]);

/** V-9: the pairs Victron defines are the ones its encoder writes for "every item supported". */
const DEFINED_ALARM_PAIRS = definedAlarmPairMask(
  encodeAlarmPayload({ levels: EVERY_ALARM_ITEM_OK, systemOnline: true }),
);

/** V-11: Venus rewrites the limits of a battery whose 0x35E or 0x382 starts with one of these. */
function quirkBrandFlags(frameId: number, name: string): string[] {
  const brand = VENUS_QUIRK_BRANDS.find((b) => name.toUpperCase().startsWith(b));
  return brand === undefined
    ? []
    : [
        `V-11: ${canIdText(frameId)} ${quoted(name)} starts with ${brand}: Venus rewrites that brand's limits`,
      ];
}

function messageFlags(message: DecodedVictronMessage, data: Uint8Array): string[] {
  switch (message.kind) {
    case 'chargeLimits': {
      // CVL 0 has a flag of its own.
      const floorFlags =
        message.chargeVoltageLimitV > 0 && message.chargeVoltageLimitV < message.dischargeVoltageLimitV
          ? [
              `V-7: CVL ${message.chargeVoltageLimitV} V below the DVL ${message.dischargeVoltageLimitV} V, the floor Ns × low cell setpoint`,
            ]
          : [];
      return [
        ...zeroChargeVoltageFlags('V-7', message),
        ...floorFlags,
        ...negativeCurrentLimitFlags('V-8', message),
      ];
    }
    case 'stateOfCharge':
      return highResSocFlags('V-13', message.stateOfChargePercent, message.stateOfChargeHighResPercent);
    case 'alarms':
      return alarmPairFlags('V-9', data, DEFINED_ALARM_PAIRS);
    case 'manufacturer':
      return [
        ...textFieldFlags('V-2', data, 'nul', true),
        ...quirkBrandFlags(VictronFrameId.MANUFACTURER, message.name),
      ];
    case 'text':
      return [
        ...textFieldFlags('V-2', data, 'nul', true),
        ...(message.field === 'productFamily'
          ? quirkBrandFlags(VictronFrameId.PRODUCT_FAMILY, message.text)
          : []),
      ];
    default:
      return [];
  }
}

function describeVictronFrame(record: CandumpRecord): MonitorEntry {
  const { id, data } = record.frame;
  if (record.extended)
    return undecodedEntry(record, 'extended', 'V-1: extended (29-bit) id: Venus ignores it');
  if (id > GX_ID_MASK) {
    return undecodedEntry(
      record,
      'unknown',
      `V-1: id at or above 0x400: a Cerbo GX Mk1 reads it as ${canIdText(id & GX_ID_MASK)}`,
    );
  }
  if (id === VictronFrameId.GX_KEEP_ALIVE || id === VictronFrameId.GX_IDENTITY) {
    const keepAlive = id === VictronFrameId.GX_KEEP_ALIVE;
    return {
      ...entryBase(record),
      kind: keepAlive ? 'gxKeepAlive' : 'gxIdentity',
      text: keepAlive ? 'GX keep-alive' : identityFrameText('GX identity', data),
      flags: [],
      fromInverter: true,
    };
  }
  const otherProtocol = NOT_FOR_A_GX.get(id);
  if (otherProtocol !== undefined)
    return undecodedEntry(record, 'unknown', `V-12: ${canIdText(id)} ${otherProtocol}`);
  const message = decodeVictronFrame(record.frame);
  if (message.kind === 'unknown')
    return undecodedEntry(record, 'unknown', '§2: unknown id, not a frame of the protocol');
  return {
    ...entryBase(record),
    kind: message.kind,
    text: victronText(message),
    flags: [...lengthFlags('V-2', record), ...messageFlags(message, data)],
    fromInverter: false,
    message,
  };
}

export const victronProfile: InverterProfile = {
  name: 'victron',
  document: 'docs/victron-can-bms.md',
  // Every rule here looks at one frame alone.
  createDescriber: () => describeVictronFrame,
  // §4: the fast frames every second, the rest every 5 s; of those, framesForTick always sends
  // these five (0x374-0x378 only when known, 0x370/0x371/0x380-0x382 only when configured).
  schedule: {
    everySecondIds: [
      VictronFrameId.CHARGE_LIMITS,
      VictronFrameId.STATE_OF_CHARGE,
      VictronFrameId.MEASUREMENTS,
      VictronFrameId.ALARMS,
    ],
    maxGapS: 1.2,
    gapRule: 'V-4',
    missingRule: 'V-5',
    slowIds: {
      ids: [
        VictronFrameId.MANUFACTURER,
        VictronFrameId.IDENTITY,
        VictronFrameId.MODULE_COUNTS,
        VictronFrameId.CELL_EXTREMES,
        VictronFrameId.INSTALLED_CAPACITY,
      ],
      periodS: 5,
    },
    // V-4: at most 20 frames/s on average over any 10 s (venus#1072: 300 frames/s broke detection).
    maxRate: { frames: 200, windowS: 10, rule: 'V-4' },
  },
};
