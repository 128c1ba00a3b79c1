import type { CanFrame } from '@tsbms/hal';
import { PayloadReader, PayloadWriter, FrameEncodeError } from '../field-codec';
import {
  encodeVictronMessage,
  type ChargeLimitsMessage,
  type MeasurementsMessage,
} from '../victron/messages';
import {
  decodeSmaAlarmPayload,
  encodeSmaAlarmPayload,
  type DecodedSmaAlarms,
  type SmaAlarmState,
} from './alarms';
import { assertSmaAccepted } from './accepted-ranges';
import { SMA_INVALID_SIGNED, SMA_INVALID_UNSIGNED, SmaFrameId } from './frame-ids';

/** 0x351: Victron's layout and fields (S-2); only the accepted ranges differ (S-3). */
export type SmaChargeLimitsMessage = ChargeLimitsMessage;
/** 0x355. The high-resolution SoC is always sent: the Sunny Island prefers it to the SoC (S-4). */
export interface SmaStateOfChargeMessage {
  readonly kind: 'stateOfCharge';
  readonly stateOfChargePercent: number;
  readonly stateOfHealthPercent: number;
  readonly stateOfChargeHighResPercent: number;
}
/** 0x356: Victron's layout; current + = charging (S-8). */
export type SmaMeasurementsMessage = MeasurementsMessage;
/** 0x35A */
export interface SmaAlarmsMessage extends SmaAlarmState {
  readonly kind: 'alarms';
}
/** 0x35E; up to 8 ASCII characters, sent space-padded (S-7). */
export interface SmaManufacturerMessage {
  readonly kind: 'manufacturer';
  readonly name: string;
}
/** 0x35F, four u16 fields (S-6); null = unknown, sent as SMA's "invalid" 0xFFFF. */
export interface SmaBatteryInfoMessage {
  readonly kind: 'batteryInfo';
  readonly batteryType: number | null;
  readonly bmsVersion: number | null;
  readonly capacityAh: number | null;
  readonly manufacturerId: number | null;
}

export type SmaMessage =
  | SmaChargeLimitsMessage
  | SmaStateOfChargeMessage
  | SmaMeasurementsMessage
  | SmaAlarmsMessage
  | SmaManufacturerMessage
  | SmaBatteryInfoMessage;

/**
 * A decoded numeric field: null where the sender put SMA's "invalid" marker (0xFFFF unsigned,
 * 0x8000 signed: "reset to default"), NaN where the frame was too short to hold it.
 */
type DecodedFields<M> = { readonly [K in keyof M]: M[K] extends number ? number | null : M[K] };

export interface UnknownSmaFrame {
  readonly kind: 'unknown';
  readonly id: number;
}
/** What the decoder yields: the messages with nullable numbers, 0x35A read pair by pair. */
export type DecodedSmaMessage =
  | DecodedFields<SmaChargeLimitsMessage>
  | DecodedFields<SmaStateOfChargeMessage>
  | DecodedFields<SmaMeasurementsMessage>
  | ({ readonly kind: 'alarms' } & DecodedSmaAlarms)
  | SmaManufacturerMessage
  | SmaBatteryInfoMessage
  | UnknownSmaFrame;

/** Bytes 6-7 of 0x355 and 0x356 are unused; SMA wants unused fields "invalid" (S-2). */
const UNUSED_FROM = 6;
const SPACE = ' ';

/** A Victron-encoded frame with its unused tail set to SMA's invalid marker. */
function withInvalidTail(frame: CanFrame): CanFrame {
  const data = Uint8Array.from(frame.data).fill(0xff, UNUSED_FROM);
  return Object.freeze({ id: frame.id, data });
}

function invalidOrU16(
  writer: PayloadWriter,
  canId: number,
  offset: number,
  field: string,
  value: number | null,
) {
  if (value === null) return writer.u16(offset, field, SMA_INVALID_UNSIGNED);
  // A real value of 0xFFFF would read as "invalid" on the Sunny Island.
  if (Math.round(value) === SMA_INVALID_UNSIGNED) {
    throw new FrameEncodeError(canId, field, value, '0xFFFF is the "invalid" marker; send null instead');
  }
  return writer.u16(offset, field, value);
}

/**
 * Encodes one message as an 8-byte frame. Values are rounded to their field's step; a value the
 * Sunny Island would silently ignore, or one outside its field, throws FrameEncodeError (S-3).
 */
export function encodeSmaMessage(message: SmaMessage): CanFrame {
  switch (message.kind) {
    case 'chargeLimits': {
      for (const field of [
        'chargeVoltageLimitV',
        'chargeCurrentLimitA',
        'dischargeCurrentLimitA',
        'dischargeVoltageLimitV',
      ] as const) {
        assertSmaAccepted(SmaFrameId.CHARGE_LIMITS, field, message[field]);
      }
      return encodeVictronMessage(message);
    }
    case 'stateOfCharge': {
      for (const field of [
        'stateOfChargePercent',
        'stateOfHealthPercent',
        'stateOfChargeHighResPercent',
      ] as const) {
        assertSmaAccepted(SmaFrameId.STATE_OF_CHARGE, field, message[field]);
      }
      return withInvalidTail(encodeVictronMessage(message));
    }
    case 'measurements': {
      const signed = [
        ['batteryVoltageV', 0.01],
        ['batteryCurrentA', 0.1],
        ['batteryTemperatureC', 0.1],
      ] as const;
      for (const [field, step] of signed) {
        // -327.68 V would be 0x8000 on the wire: "invalid", not a measurement.
        if (Math.round(message[field] / step) === SMA_INVALID_SIGNED) {
          throw new FrameEncodeError(
            SmaFrameId.MEASUREMENTS,
            field,
            message[field],
            '0x8000 is the "invalid" marker',
          );
        }
      }
      return withInvalidTail(encodeVictronMessage(message));
    }
    case 'alarms':
      return Object.freeze({ id: SmaFrameId.ALARMS, data: encodeSmaAlarmPayload(message) });
    case 'manufacturer': {
      const id = SmaFrameId.MANUFACTURER;
      const w = new PayloadWriter(id).ascii(0, 8, 'name', message.name.padEnd(8, SPACE));
      return Object.freeze({ id, data: w.bytes });
    }
    case 'batteryInfo': {
      const id = SmaFrameId.BATTERY_INFO;
      const w = new PayloadWriter(id);
      invalidOrU16(w, id, 0, 'batteryType', message.batteryType);
      invalidOrU16(w, id, 2, 'bmsVersion', message.bmsVersion);
      invalidOrU16(w, id, 4, 'capacityAh', message.capacityAh);
      invalidOrU16(w, id, 6, 'manufacturerId', message.manufacturerId);
      return Object.freeze({ id, data: w.bytes });
    }
  }
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;
const unsignedField = (raw: number | undefined, step: number): number | null =>
  raw === undefined ? Number.NaN : raw === SMA_INVALID_UNSIGNED ? null : round6(raw * step);
const signedField = (raw: number | undefined, step: number): number | null =>
  raw === undefined ? Number.NaN : raw === SMA_INVALID_SIGNED ? null : round6(raw * step);

/**
 * Decodes any frame of the profile, including short frames (fields beyond the data length read as
 * NaN). Never throws; other ids come back as `unknown` (S-12).
 */
export function decodeSmaFrame(canFrame: CanFrame): DecodedSmaMessage {
  const r = new PayloadReader(canFrame.data);
  switch (canFrame.id) {
    case SmaFrameId.CHARGE_LIMITS:
      return {
        kind: 'chargeLimits',
        chargeVoltageLimitV: unsignedField(r.u16(0), 0.1),
        chargeCurrentLimitA: signedField(r.s16(2), 0.1),
        dischargeCurrentLimitA: signedField(r.s16(4), 0.1),
        dischargeVoltageLimitV: unsignedField(r.u16(6), 0.1),
      };
    case SmaFrameId.STATE_OF_CHARGE:
      return {
        kind: 'stateOfCharge',
        stateOfChargePercent: unsignedField(r.u16(0), 1),
        stateOfHealthPercent: unsignedField(r.u16(2), 1),
        stateOfChargeHighResPercent: unsignedField(r.u16(4), 0.01),
      };
    case SmaFrameId.MEASUREMENTS:
      return {
        kind: 'measurements',
        batteryVoltageV: signedField(r.s16(0), 0.01),
        batteryCurrentA: signedField(r.s16(2), 0.1),
        batteryTemperatureC: signedField(r.s16(4), 0.1),
      };
    case SmaFrameId.ALARMS:
      return { kind: 'alarms', ...decodeSmaAlarmPayload(canFrame.data) };
    case SmaFrameId.MANUFACTURER:
      // Space padding is not part of the name (S-7).
      return { kind: 'manufacturer', name: r.ascii(0, 8).replace(/ +$/, '') };
    case SmaFrameId.BATTERY_INFO:
      return {
        kind: 'batteryInfo',
        batteryType: unsignedField(r.u16(0), 1),
        bmsVersion: unsignedField(r.u16(2), 1),
        capacityAh: unsignedField(r.u16(4), 1),
        manufacturerId: unsignedField(r.u16(6), 1),
      };
    default:
      return { kind: 'unknown', id: canFrame.id };
  }
}
