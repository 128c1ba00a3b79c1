import type { CanFrame } from '@tsbms/hal';
import { decodeAlarmPayload, encodeAlarmPayload, type AlarmState, type DecodedAlarms } from './alarms';
import { PayloadReader, PayloadWriter, FrameEncodeError } from '../field-codec';
import { NOT_AVAILABLE_U16, VictronFrameId } from './frame-ids';

const KELVIN_OFFSET = 273.15;

/** 0x351 */
export interface ChargeLimitsMessage {
  readonly kind: 'chargeLimits';
  readonly chargeVoltageLimitV: number;
  readonly chargeCurrentLimitA: number;
  readonly dischargeCurrentLimitA: number;
  readonly dischargeVoltageLimitV: number;
}
/** 0x355 */
export interface StateOfChargeMessage {
  readonly kind: 'stateOfCharge';
  readonly stateOfChargePercent: number;
  readonly stateOfHealthPercent: number;
  /** 0.01 % resolution; undefined when the sender leaves it out (absent or 0 with SoC > 0). */
  readonly stateOfChargeHighResPercent?: number;
}
/** 0x356 */
export interface MeasurementsMessage {
  readonly kind: 'measurements';
  readonly batteryVoltageV: number;
  /** + = charging. */
  readonly batteryCurrentA: number;
  readonly batteryTemperatureC: number;
}
/** 0x35A */
export interface AlarmsMessage extends AlarmState {
  readonly kind: 'alarms';
}
/** 0x35E */
export interface ManufacturerMessage {
  readonly kind: 'manufacturer';
  readonly name: string;
}
/** 0x35F */
export interface IdentityMessage {
  readonly kind: 'identity';
  readonly modelId: number;
  readonly firmwareMajor: number;
  readonly firmwareMinor: number;
  readonly onlineCapacityAh: number;
}
/** 0x372; null = unknown, sent as 0xFFFF (V-10). */
export interface ModuleCountsMessage {
  readonly kind: 'moduleCounts';
  readonly modulesOnline: number;
  readonly modulesBlockingCharge: number | null;
  readonly modulesBlockingDischarge: number | null;
  readonly modulesOffline: number;
}
/** 0x373; null = not available (0xFFFF). */
export interface CellExtremesMessage {
  readonly kind: 'cellExtremes';
  readonly lowestCellVoltageV: number | null;
  readonly highestCellVoltageV: number | null;
  readonly lowestTemperatureC: number | null;
  readonly highestTemperatureC: number | null;
}
/** 0x378 */
export interface EnergyMessage {
  readonly kind: 'energy';
  readonly energyChargedKWh: number;
  readonly energyDischargedKWh: number;
}
/** 0x379 */
export interface InstalledCapacityMessage {
  readonly kind: 'installedCapacity';
  readonly installedCapacityAh: number;
}

/** The ASCII-only frames: one text field of up to 8 characters each. */
export const TEXT_FRAME_IDS = {
  namePart1: VictronFrameId.NAME_PART1,
  namePart2: VictronFrameId.NAME_PART2,
  lowestCellId: VictronFrameId.LOWEST_CELL_ID,
  highestCellId: VictronFrameId.HIGHEST_CELL_ID,
  lowestTemperatureId: VictronFrameId.LOWEST_TEMPERATURE_ID,
  highestTemperatureId: VictronFrameId.HIGHEST_TEMPERATURE_ID,
  serialPart1: VictronFrameId.SERIAL_PART1,
  serialPart2: VictronFrameId.SERIAL_PART2,
  productFamily: VictronFrameId.PRODUCT_FAMILY,
} as const;
export type TextField = keyof typeof TEXT_FRAME_IDS;

/** 0x370/0x371, 0x374..0x377, 0x380/0x381, 0x382 */
export interface TextMessage {
  readonly kind: 'text';
  readonly field: TextField;
  readonly text: string;
}

export type VictronMessage =
  | ChargeLimitsMessage
  | StateOfChargeMessage
  | MeasurementsMessage
  | AlarmsMessage
  | ManufacturerMessage
  | IdentityMessage
  | ModuleCountsMessage
  | CellExtremesMessage
  | EnergyMessage
  | InstalledCapacityMessage
  | TextMessage;

export type DecodedAlarmsMessage = { readonly kind: 'alarms' } & DecodedAlarms;
export interface UnknownFrameMessage {
  readonly kind: 'unknown';
  readonly id: number;
}
/** What the decoder yields: like VictronMessage, but 0x35A is read pair by pair. */
export type DecodedVictronMessage =
  | Exclude<VictronMessage, AlarmsMessage>
  | DecodedAlarmsMessage
  | UnknownFrameMessage;

const nullableU16 = (writer: PayloadWriter, offset: number, field: string, value: number | null, step = 1) =>
  value === null ? writer.u16(offset, field, NOT_AVAILABLE_U16) : writer.u16(offset, field, value, step);

function frame(id: number, writer: PayloadWriter): CanFrame {
  return Object.freeze({ id, data: writer.bytes });
}

/**
 * Encodes one message as an 8-byte, zero-padded frame (V-2). Values are rounded to the nearest
 * step of their field (V-14); anything outside a field's range throws FrameEncodeError.
 */
export function encodeVictronMessage(message: VictronMessage): CanFrame {
  switch (message.kind) {
    case 'chargeLimits': {
      const id = VictronFrameId.CHARGE_LIMITS;
      // V-7 / V-8: a zero CVL or a negative current limit never reaches the wire.
      // Checked after rounding: 0.04 V would reach the wire as 0.
      if (!(Math.round(message.chargeVoltageLimitV * 10) >= 1)) {
        throw new FrameEncodeError(
          id,
          'chargeVoltageLimitV',
          message.chargeVoltageLimitV,
          'CVL must be above 0',
        );
      }
      for (const field of ['chargeCurrentLimitA', 'dischargeCurrentLimitA'] as const) {
        if (message[field] < 0)
          throw new FrameEncodeError(id, field, message[field], 'current limits are never negative');
      }
      const w = new PayloadWriter(id);
      w.u16(0, 'chargeVoltageLimitV', message.chargeVoltageLimitV, 0.1);
      w.s16(2, 'chargeCurrentLimitA', message.chargeCurrentLimitA, 0.1);
      w.s16(4, 'dischargeCurrentLimitA', message.dischargeCurrentLimitA, 0.1);
      w.u16(6, 'dischargeVoltageLimitV', message.dischargeVoltageLimitV, 0.1);
      return frame(id, w);
    }
    case 'stateOfCharge': {
      const id = VictronFrameId.STATE_OF_CHARGE;
      const w = new PayloadWriter(id)
        .u16(0, 'stateOfChargePercent', message.stateOfChargePercent)
        .u16(2, 'stateOfHealthPercent', message.stateOfHealthPercent);
      if (message.stateOfChargeHighResPercent !== undefined) {
        w.u16(4, 'stateOfChargeHighResPercent', message.stateOfChargeHighResPercent, 0.01);
      }
      return frame(id, w);
    }
    case 'measurements': {
      const id = VictronFrameId.MEASUREMENTS;
      const w = new PayloadWriter(id)
        .s16(0, 'batteryVoltageV', message.batteryVoltageV, 0.01)
        .s16(2, 'batteryCurrentA', message.batteryCurrentA, 0.1)
        .s16(4, 'batteryTemperatureC', message.batteryTemperatureC, 0.1);
      return frame(id, w);
    }
    case 'alarms':
      return Object.freeze({ id: VictronFrameId.ALARMS, data: encodeAlarmPayload(message) });
    case 'manufacturer': {
      const id = VictronFrameId.MANUFACTURER;
      return frame(id, new PayloadWriter(id).ascii(0, 8, 'name', message.name));
    }
    case 'identity': {
      const id = VictronFrameId.IDENTITY;
      const w = new PayloadWriter(id)
        .u16(0, 'modelId', message.modelId)
        .u8(2, 'firmwareMajor', message.firmwareMajor)
        .u8(3, 'firmwareMinor', message.firmwareMinor)
        .u16(4, 'onlineCapacityAh', message.onlineCapacityAh);
      return frame(id, w);
    }
    case 'moduleCounts': {
      const id = VictronFrameId.MODULE_COUNTS;
      const w = new PayloadWriter(id).u16(0, 'modulesOnline', message.modulesOnline);
      nullableU16(w, 2, 'modulesBlockingCharge', message.modulesBlockingCharge);
      nullableU16(w, 4, 'modulesBlockingDischarge', message.modulesBlockingDischarge);
      w.u16(6, 'modulesOffline', message.modulesOffline);
      return frame(id, w);
    }
    case 'cellExtremes': {
      const id = VictronFrameId.CELL_EXTREMES;
      const w = new PayloadWriter(id);
      nullableU16(w, 0, 'lowestCellVoltageV', message.lowestCellVoltageV, 0.001);
      nullableU16(w, 2, 'highestCellVoltageV', message.highestCellVoltageV, 0.001);
      const kelvin = (c: number | null) => (c === null ? null : c + KELVIN_OFFSET);
      nullableU16(w, 4, 'lowestTemperatureC', kelvin(message.lowestTemperatureC));
      nullableU16(w, 6, 'highestTemperatureC', kelvin(message.highestTemperatureC));
      return frame(id, w);
    }
    case 'energy': {
      const id = VictronFrameId.ENERGY;
      const w = new PayloadWriter(id)
        .u32(0, 'energyChargedKWh', message.energyChargedKWh, 0.1)
        .u32(4, 'energyDischargedKWh', message.energyDischargedKWh, 0.1);
      return frame(id, w);
    }
    case 'installedCapacity': {
      const id = VictronFrameId.INSTALLED_CAPACITY;
      return frame(id, new PayloadWriter(id).u16(0, 'installedCapacityAh', message.installedCapacityAh));
    }
    case 'text': {
      const id = TEXT_FRAME_IDS[message.field];
      return frame(id, new PayloadWriter(id).ascii(0, 8, message.field, message.text));
    }
  }
}

const TEXT_FIELD_BY_ID = new Map<number, TextField>(
  (Object.entries(TEXT_FRAME_IDS) as Array<[TextField, number]>).map(([field, id]) => [id, field]),
);

const scaled = (raw: number | undefined, step: number): number =>
  raw === undefined ? Number.NaN : Math.round(raw * step * 1e6) / 1e6;
const nullable = (raw: number | undefined, step: number, offset = 0): number | null =>
  raw === undefined || raw === NOT_AVAILABLE_U16 ? null : Math.round((raw * step - offset) * 1e6) / 1e6;

/**
 * Decodes any frame of the protocol, including short frames some batteries send (fields beyond
 * the data length read as NaN or null). Never throws; unknown ids come back as `unknown`.
 */
export function decodeVictronFrame(canFrame: CanFrame): DecodedVictronMessage {
  const r = new PayloadReader(canFrame.data);
  switch (canFrame.id) {
    case VictronFrameId.CHARGE_LIMITS:
      return {
        kind: 'chargeLimits',
        chargeVoltageLimitV: scaled(r.u16(0), 0.1),
        chargeCurrentLimitA: scaled(r.s16(2), 0.1),
        dischargeCurrentLimitA: scaled(r.s16(4), 0.1),
        dischargeVoltageLimitV: scaled(r.u16(6), 0.1),
      };
    case VictronFrameId.STATE_OF_CHARGE: {
      const soc = scaled(r.u16(0), 1);
      const highRes = r.u16(4);
      const highResSent = highRes !== undefined && !(highRes === 0 && soc > 0);
      return {
        kind: 'stateOfCharge',
        stateOfChargePercent: soc,
        stateOfHealthPercent: scaled(r.u16(2), 1),
        ...(highResSent ? { stateOfChargeHighResPercent: scaled(highRes, 0.01) } : {}),
      };
    }
    case VictronFrameId.MEASUREMENTS:
      return {
        kind: 'measurements',
        batteryVoltageV: scaled(r.s16(0), 0.01),
        batteryCurrentA: scaled(r.s16(2), 0.1),
        batteryTemperatureC: scaled(r.s16(4), 0.1),
      };
    case VictronFrameId.ALARMS:
      return { kind: 'alarms', ...decodeAlarmPayload(canFrame.data) };
    case VictronFrameId.MANUFACTURER:
      return { kind: 'manufacturer', name: r.ascii(0, 8) };
    case VictronFrameId.IDENTITY:
      return {
        kind: 'identity',
        modelId: scaled(r.u16(0), 1),
        firmwareMajor: scaled(r.u8(2), 1),
        firmwareMinor: scaled(r.u8(3), 1),
        onlineCapacityAh: scaled(r.u16(4), 1),
      };
    case VictronFrameId.MODULE_COUNTS:
      return {
        kind: 'moduleCounts',
        modulesOnline: scaled(r.u16(0), 1),
        modulesBlockingCharge: nullable(r.u16(2), 1),
        modulesBlockingDischarge: nullable(r.u16(4), 1),
        modulesOffline: scaled(r.u16(6), 1),
      };
    case VictronFrameId.CELL_EXTREMES:
      return {
        kind: 'cellExtremes',
        lowestCellVoltageV: nullable(r.u16(0), 0.001),
        highestCellVoltageV: nullable(r.u16(2), 0.001),
        lowestTemperatureC: nullable(r.u16(4), 1, KELVIN_OFFSET),
        highestTemperatureC: nullable(r.u16(6), 1, KELVIN_OFFSET),
      };
    case VictronFrameId.ENERGY:
      return {
        kind: 'energy',
        energyChargedKWh: scaled(r.u32(0), 0.1),
        energyDischargedKWh: scaled(r.u32(4), 0.1),
      };
    case VictronFrameId.INSTALLED_CAPACITY:
      return { kind: 'installedCapacity', installedCapacityAh: scaled(r.u16(0), 1) };
    default: {
      const field = TEXT_FIELD_BY_ID.get(canFrame.id);
      if (field) return { kind: 'text', field, text: r.ascii(0, 8) };
      return { kind: 'unknown', id: canFrame.id };
    }
  }
}
