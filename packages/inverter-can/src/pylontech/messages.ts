import type { CanFrame } from '@tsbms/hal';
import { PayloadReader, PayloadWriter } from '../field-codec';
import {
  decodeVictronFrame,
  encodeVictronMessage,
  type ChargeLimitsMessage,
  type MeasurementsMessage,
  type StateOfChargeMessage,
  type UnknownFrameMessage,
} from '../victron/messages';
import {
  PYLONTECH_ALARM_BITS,
  PYLONTECH_PROTECTION_BITS,
  PYLONTECH_REQUEST_BITS,
  readPylontechFlags,
  writePylontechFlags,
  type PylontechAlarmFlags,
  type PylontechProtectionFlags,
  type PylontechRequestFlags,
} from './flags';
import { PylontechFrameId } from './frame-ids';

/**
 * 0x351, 0x356: the same fields, offsets and steps as Victron's (pylontech-can.md P-2), so the
 * Victron encoder and decoder are used for them, CVL > 0 and CCL/DCL ≥ 0 checks included.
 */
export type PylontechChargeLimitsMessage = ChargeLimitsMessage;
export type PylontechMeasurementsMessage = MeasurementsMessage;

/** 0x355: Victron's layout without the high-resolution SoC, which Pylontech does not define. */
export interface PylontechStateOfChargeMessage {
  readonly kind: 'stateOfCharge';
  readonly stateOfChargePercent: number;
  readonly stateOfHealthPercent: number;
}
/** 0x359 */
export interface PylontechProtectionAlarmsMessage {
  readonly kind: 'protectionAlarms';
  readonly protection: PylontechProtectionFlags;
  readonly alarms: PylontechAlarmFlags;
  /** Battery modules in the stack (byte 4). */
  readonly moduleCount: number;
}
/** 0x35C */
export interface PylontechRequestFlagsMessage {
  readonly kind: 'requestFlags';
  readonly requests: PylontechRequestFlags;
}
/** 0x35E */
export interface PylontechManufacturerMessage {
  readonly kind: 'manufacturer';
  readonly name: string;
}

export type PylontechMessage =
  | PylontechChargeLimitsMessage
  | PylontechStateOfChargeMessage
  | PylontechMeasurementsMessage
  | PylontechProtectionAlarmsMessage
  | PylontechRequestFlagsMessage
  | PylontechManufacturerMessage;

/** 0x359 as read: also the two ASCII bytes 5–6, "PN" from a Pylontech ("PY" from Pytes, none from JK). */
export interface DecodedPylontechProtectionAlarmsMessage extends PylontechProtectionAlarmsMessage {
  readonly productCode: string;
}
/** 0x305 from the inverter; its contents are not parsed (P-9). */
export interface PylontechInverterReplyMessage {
  readonly kind: 'inverterReply';
}
/** What the decoder yields: the messages, 0x359 with its product code, the inverter's reply, or unknown. */
export type DecodedPylontechMessage =
  | Exclude<PylontechMessage, PylontechProtectionAlarmsMessage>
  | DecodedPylontechProtectionAlarmsMessage
  | PylontechInverterReplyMessage
  | UnknownFrameMessage;

/** 0x359 bytes 5–6 (P-4). */
const PRODUCT_CODE = 'PN';
const SPACE = 0x20;

function frame(id: number, writer: PayloadWriter): CanFrame {
  return Object.freeze({ id, data: writer.bytes });
}

/**
 * Encodes one message as an 8-byte, zero-padded frame (P-1). Values are rounded to the nearest step
 * of their field; anything outside a field, a CVL that would be 0 on the wire or a negative current
 * limit throws FrameEncodeError naming the field (P-3).
 */
export function encodePylontechMessage(message: PylontechMessage): CanFrame {
  switch (message.kind) {
    case 'chargeLimits':
    case 'measurements':
      return encodeVictronMessage(message);
    case 'stateOfCharge':
      // Only the two fields Pylontech defines reach the shared encoder: bytes 4–7 stay 0.
      return encodeVictronMessage({
        kind: 'stateOfCharge',
        stateOfChargePercent: message.stateOfChargePercent,
        stateOfHealthPercent: message.stateOfHealthPercent,
      });
    case 'protectionAlarms': {
      const id = PylontechFrameId.PROTECTION_ALARMS;
      const w = new PayloadWriter(id);
      writePylontechFlags(w, PYLONTECH_PROTECTION_BITS, message.protection);
      writePylontechFlags(w, PYLONTECH_ALARM_BITS, message.alarms);
      w.u8(4, 'moduleCount', message.moduleCount).ascii(5, 2, 'productCode', PRODUCT_CODE);
      return frame(id, w);
    }
    case 'requestFlags': {
      const id = PylontechFrameId.REQUEST_FLAGS;
      return frame(id, writePylontechFlags(new PayloadWriter(id), PYLONTECH_REQUEST_BITS, message.requests));
    }
    case 'manufacturer': {
      const id = PylontechFrameId.MANUFACTURER;
      return frame(id, new PayloadWriter(id).ascii(0, 8, 'name', message.name, SPACE));
    }
  }
}

const orNaN = (raw: number | undefined): number => (raw === undefined ? Number.NaN : raw);

/**
 * Decodes any frame of the profile, including the short frames real batteries send (0x355 in 4
 * bytes, 0x356 in 6, 0x359 in 7, 0x35C in 2): a number beyond the data reads as NaN, a flag as not
 * set. Never throws; ids outside the profile come back as `unknown` (P-10).
 */
export function decodePylontechFrame(canFrame: CanFrame): DecodedPylontechMessage {
  const r = new PayloadReader(canFrame.data);
  switch (canFrame.id) {
    // The Victron decoder yields exactly these kinds for these ids (P-2).
    case PylontechFrameId.CHARGE_LIMITS:
      return decodeVictronFrame(canFrame) as ChargeLimitsMessage;
    case PylontechFrameId.MEASUREMENTS:
      return decodeVictronFrame(canFrame) as MeasurementsMessage;
    case PylontechFrameId.STATE_OF_CHARGE: {
      const { stateOfChargePercent, stateOfHealthPercent } = decodeVictronFrame(
        canFrame,
      ) as StateOfChargeMessage;
      return { kind: 'stateOfCharge', stateOfChargePercent, stateOfHealthPercent };
    }
    case PylontechFrameId.PROTECTION_ALARMS:
      return {
        kind: 'protectionAlarms',
        protection: readPylontechFlags(r, PYLONTECH_PROTECTION_BITS),
        alarms: readPylontechFlags(r, PYLONTECH_ALARM_BITS),
        moduleCount: orNaN(r.u8(4)),
        productCode: r.ascii(5, 2),
      };
    case PylontechFrameId.REQUEST_FLAGS:
      return { kind: 'requestFlags', requests: readPylontechFlags(r, PYLONTECH_REQUEST_BITS) };
    case PylontechFrameId.MANUFACTURER:
      return { kind: 'manufacturer', name: r.ascii(0, 8).replace(/ +$/, '') };
    case PylontechFrameId.INVERTER_REPLY:
      return { kind: 'inverterReply' };
    default:
      return { kind: 'unknown', id: canFrame.id };
  }
}
