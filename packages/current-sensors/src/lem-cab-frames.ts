/*
 * The current message of a LEM CAB300 or CAB500 fluxgate current sensor, as pure functions over its
 * data bytes. Where each fact comes from:
 * - [OI] openinverter.org wiki, "Mitsubishi Outlander CAB300 current sensor" (CAB300-C/SP2):
 *   standard id 0x3C2, 8 data bytes, zero at 0x80000000 = 0 mA, 0x80000001 = 1 mA,
 *   0x7FFFFFFF = −1 mA, and an error indication (0 normal, 1 error).
 * - [FOX] foxBMS 2, src/app/driver/can/cbs/rx/can_cbs_rx_cs_lem-cab500.c and
 *   can_cfg_rx-message-definitions.h (CAB500): id 0x3C2, big-endian, current in Motorola bits 7|32
 *   (bytes 0..3) minus 0x80000000 in mA, "error indication" bit 32|1 (bit 0 of byte 4) and
 *   "error information" 39|7 (bits 1..7 of byte 4). foxBMS expects 6 data bytes, [OI] saw 8.
 * - [CK] collin80/bms, cab300.cpp (Collin Kidder, CAB300): the same current bytes and error bit,
 *   and the codes in bits 1..7 of byte 4 (see {@link LEM_CAB_ERROR_CODES}).
 */

/** The sensors' factory id [OI, FOX]; some variants use another, and it is configurable. */
export const LEM_CAB_DEFAULT_CAN_ID = 0x3c2;

/** The bytes a message needs: the current (0..3) and the error byte (4). Longer is fine [OI, FOX]. */
export const LEM_CAB_MIN_LENGTH = 5;

/** What {@link encodeLemCabFrame} sends: 8 bytes as [OI] saw them, the last three zero. */
export const LEM_CAB_FRAME_LENGTH = 8;

const ZERO_CURRENT = 0x80000000;

/** The error codes in bits 1..7 of byte 4, as [CK] names them. */
export const LEM_CAB_ERROR_CODES: Readonly<Record<number, string>> = Object.freeze({
  0x41: 'dataflash CRC error',
  0x42: 'fluxgate running at high frequency',
  0x43: 'fluxgate not oscillating',
  0x44: 'failsafe mode',
  0x46: 'signal not available',
  0x47: 'bridge voltage protection',
});

/** One current message, as it is on the wire. */
export interface LemCabFrame {
  /** The current in mA, −2^31..2^31−1, positive in the sensor's own direction. */
  readonly currentMilliA: number;
  /** Bit 0 of byte 4: the sensor flags this message as an error; the current is not a measurement. */
  readonly error: boolean;
  /** Bits 1..7 of byte 4, 0..127: what the error is. */
  readonly errorCode: number;
}

export type LemCabDecodeResult =
  | { readonly ok: true; readonly frame: LemCabFrame }
  | { readonly ok: false; readonly reason: string };

export function decodeLemCabFrame(data: Uint8Array): LemCabDecodeResult {
  if (data.length < LEM_CAB_MIN_LENGTH)
    return {
      ok: false,
      reason: `${data.length} data bytes, the current message needs ${LEM_CAB_MIN_LENGTH}`,
    };
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return {
    ok: true,
    frame: Object.freeze({
      currentMilliA: view.getUint32(0, false) - ZERO_CURRENT,
      error: (data[4] & 0x01) !== 0,
      errorCode: data[4] >> 1,
    }),
  };
}

/** The 8 data bytes of a current message; the current must be an integer in −2^31..2^31−1 mA. */
export function encodeLemCabFrame(frame: LemCabFrame): Uint8Array {
  const { currentMilliA, error, errorCode } = frame;
  if (!Number.isInteger(currentMilliA) || currentMilliA < -ZERO_CURRENT || currentMilliA >= ZERO_CURRENT)
    throw new RangeError(`LEM CAB current ${currentMilliA} mA is outside −2^31..2^31−1`);
  if (!Number.isInteger(errorCode) || errorCode < 0 || errorCode > 0x7f)
    throw new RangeError(`LEM CAB error code ${errorCode} is outside 0..127`);
  const data = new Uint8Array(LEM_CAB_FRAME_LENGTH);
  new DataView(data.buffer).setUint32(0, currentMilliA + ZERO_CURRENT, false);
  data[4] = (errorCode << 1) | (error ? 1 : 0);
  return data;
}

/** The meaning of an error code, for messages. */
export function describeLemCabError(errorCode: number): string {
  return LEM_CAB_ERROR_CODES[errorCode] ?? `error code 0x${errorCode.toString(16)}`;
}
