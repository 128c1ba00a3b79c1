/*
 * The result messages of an Isabellenhütte IVT-S shunt in its default CAN format, as pure
 * functions over their data bytes. Where each fact comes from:
 * - [DBC] Isabellenhütte's CAN database `IVT-S_12082020.dbc` (read in eagletrt/can,
 *   networks/bms/IVT-S_12082020.dbc; foxBMS/foxbms-2 ships the same file under
 *   tools/dbc/third-party/isabellenhuette/): messages IVT_Msg_Result_I … _Wh are ids 1313..1320
 *   (0x521..0x528) with 6 data bytes; Motorola (big-endian) signals IVT_ID_Result_x 7|8 (byte 0,
 *   values 0..7), IVT_MsgCount_Result_x 11|4 (low nibble of byte 1), x_OCS 12|1,
 *   x_Channel_Error 13|1, x_Measurement_Error 14|1, x_System_Error 15|1 (bits 4..7 of byte 1) and
 *   IVT_Result_x 23|32 signed (bytes 2..5); units mA, mV, 0.1 °C, W, As, Wh.
 * - [DS] The IVT-S datasheet's CAN chapter (V1.02, 03.11.2020), result message table, as quoted
 *   word for word in public driver code and notes found by code search (the datasheet itself was
 *   not at hand): DB0 is the mux 0x0n for channel n, DB1's low nibble a counter kept per
 *   channel, its high nibble IVT_Result_state: bit 0 OCS (the over-current threshold is
 *   exceeded), bit 1 this result is out of (spec-)range, has reduced precision or a measurement
 *   error, bit 2 any result has a measurement error, bit 3 system error ("sensor functionality is
 *   not ensured"); results are signed 32-bit, big-endian by default.
 * - [FOX] foxBMS 2, src/app/driver/can/cbs/rx/can_cbs_rx_cs_isabellenhuette-ivt-s.c and
 *   can_cfg_rx-message-definitions.h: the same ids, DLC 6, big-endian, and the same bit positions.
 */

/** The eight result channels, in mux order: DB0 of a result message is the channel's index [DBC]. */
export const IVT_S_CHANNELS = [
  'current',
  'voltage1',
  'voltage2',
  'voltage3',
  'temperature',
  'power',
  'charge',
  'energy',
] as const;
export type IvtSChannel = (typeof IVT_S_CHANNELS)[number];

/** The factory CAN ids of the result messages, 0x521 + mux [DBC, FOX]; the shunt can be given others. */
export const IVT_S_DEFAULT_CAN_IDS: Readonly<Record<IvtSChannel, number>> = Object.freeze({
  current: 0x521,
  voltage1: 0x522,
  voltage2: 0x523,
  voltage3: 0x524,
  temperature: 0x525,
  power: 0x526,
  charge: 0x527,
  energy: 0x528,
});

/**
 * Raw counts per SI unit of each channel's value [DBC]: mA per A, mV per V, 0.1 °C per °C, W, As
 * per Ah (the charge counter counts ampere-seconds), Wh.
 */
export const IVT_S_COUNTS_PER_UNIT: Readonly<Record<IvtSChannel, number>> = Object.freeze({
  current: 1000,
  voltage1: 1000,
  voltage2: 1000,
  voltage3: 1000,
  temperature: 10,
  power: 1,
  charge: 3600,
  energy: 1,
});

/** Every result message has exactly these many data bytes [DBC, FOX]. */
export const IVT_S_RESULT_LENGTH = 6;

/** The high nibble of DB1 [DS, DBC]. */
export interface IvtSResultState {
  /** Bit 4: the over-current threshold is exceeded. The value itself is still a measurement. */
  readonly overcurrent: boolean;
  /** Bit 5: this result is out of its specified range, of reduced precision or in error. */
  readonly channelError: boolean;
  /** Bit 6: some result of the shunt has a measurement error. */
  readonly measurementError: boolean;
  /** Bit 7: system error, the sensor's function is not ensured. */
  readonly systemError: boolean;
}

/** One result message, as it is on the wire. */
export interface IvtSResultFrame {
  readonly channel: IvtSChannel;
  /** 0..15, counted per channel by the shunt. */
  readonly messageCounter: number;
  readonly state: IvtSResultState;
  /** The signed 32-bit result in the channel's unit (mA, mV, 0.1 °C, W, As, Wh). */
  readonly rawValue: number;
}

/** Why bytes are not a result message. */
export type IvtSDecodeResult =
  | { readonly ok: true; readonly frame: IvtSResultFrame }
  | { readonly ok: false; readonly reason: string };

const OVERCURRENT = 0x10;
const CHANNEL_ERROR = 0x20;
const MEASUREMENT_ERROR = 0x40;
const SYSTEM_ERROR = 0x80;

export function decodeIvtSResult(data: Uint8Array): IvtSDecodeResult {
  if (data.length !== IVT_S_RESULT_LENGTH)
    return { ok: false, reason: `${data.length} data bytes, a result message has ${IVT_S_RESULT_LENGTH}` };
  const channel = IVT_S_CHANNELS[data[0]];
  if (channel === undefined)
    return { ok: false, reason: `mux byte 0x${data[0].toString(16)} is no result channel (0x00..0x07)` };
  const status = data[1];
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return {
    ok: true,
    frame: Object.freeze({
      channel,
      messageCounter: status & 0x0f,
      state: Object.freeze({
        overcurrent: (status & OVERCURRENT) !== 0,
        channelError: (status & CHANNEL_ERROR) !== 0,
        measurementError: (status & MEASUREMENT_ERROR) !== 0,
        systemError: (status & SYSTEM_ERROR) !== 0,
      }),
      rawValue: view.getInt32(2, false),
    }),
  };
}

/** The 6 data bytes of a result message; `rawValue` must be a signed 32-bit integer, the counter 0..15. */
export function encodeIvtSResult(frame: IvtSResultFrame): Uint8Array {
  const { channel, messageCounter, state, rawValue } = frame;
  if (!Number.isInteger(messageCounter) || messageCounter < 0 || messageCounter > 15)
    throw new RangeError(`IVT-S message counter ${messageCounter} is outside 0..15`);
  if (!Number.isInteger(rawValue) || rawValue < -0x80000000 || rawValue > 0x7fffffff)
    throw new RangeError(`IVT-S result ${rawValue} is not a signed 32-bit integer`);
  const data = new Uint8Array(IVT_S_RESULT_LENGTH);
  data[0] = IVT_S_CHANNELS.indexOf(channel);
  data[1] =
    messageCounter |
    (state.overcurrent ? OVERCURRENT : 0) |
    (state.channelError ? CHANNEL_ERROR : 0) |
    (state.measurementError ? MEASUREMENT_ERROR : 0) |
    (state.systemError ? SYSTEM_ERROR : 0);
  new DataView(data.buffer).setInt32(2, rawValue, false);
  return data;
}
