import { PayloadReader, PayloadWriter, FrameEncodeError } from '../field-codec';
import {
  PYLONTECH_ALARM_BITS,
  PYLONTECH_PROTECTION_BITS,
  PYLONTECH_REQUEST_BITS,
  readPylontechFlags,
  writePylontechFlags,
  type PylontechBitTable,
} from './flags';

const hex = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');

const allClear = <K extends string>(table: PylontechBitTable<K>) =>
  Object.fromEntries(Object.keys(table).map((k) => [k, false])) as Record<K, boolean>;

// Each item alone, as Pylontech's "CAN Bus Protocol" V1.2 (2018-04-08) tables 1–5 place it:
// built from the document (pylontech-can.md §3), not from a capture.
const singleBits: Array<[string, PylontechBitTable<string>, string, string]> = [
  ['protection', PYLONTECH_PROTECTION_BITS, 'overVoltage', '02 00 00 00'],
  ['protection', PYLONTECH_PROTECTION_BITS, 'underVoltage', '04 00 00 00'],
  ['protection', PYLONTECH_PROTECTION_BITS, 'overTemperature', '08 00 00 00'],
  ['protection', PYLONTECH_PROTECTION_BITS, 'underTemperature', '10 00 00 00'],
  ['protection', PYLONTECH_PROTECTION_BITS, 'dischargeOverCurrent', '80 00 00 00'],
  ['protection', PYLONTECH_PROTECTION_BITS, 'chargeOverCurrent', '00 01 00 00'],
  ['protection', PYLONTECH_PROTECTION_BITS, 'systemError', '00 08 00 00'],
  ['alarm', PYLONTECH_ALARM_BITS, 'highVoltage', '00 00 02 00'],
  ['alarm', PYLONTECH_ALARM_BITS, 'lowVoltage', '00 00 04 00'],
  ['alarm', PYLONTECH_ALARM_BITS, 'highTemperature', '00 00 08 00'],
  ['alarm', PYLONTECH_ALARM_BITS, 'lowTemperature', '00 00 10 00'],
  ['alarm', PYLONTECH_ALARM_BITS, 'dischargeHighCurrent', '00 00 80 00'],
  ['alarm', PYLONTECH_ALARM_BITS, 'chargeHighCurrent', '00 00 00 01'],
  ['alarm', PYLONTECH_ALARM_BITS, 'internalCommunicationFail', '00 00 00 08'],
  ['request', PYLONTECH_REQUEST_BITS, 'chargeEnable', '80 00 00 00'],
  ['request', PYLONTECH_REQUEST_BITS, 'dischargeEnable', '40 00 00 00'],
  ['request', PYLONTECH_REQUEST_BITS, 'forceChargeI', '20 00 00 00'],
  ['request', PYLONTECH_REQUEST_BITS, 'forceChargeII', '10 00 00 00'],
  ['request', PYLONTECH_REQUEST_BITS, 'fullCharge', '08 00 00 00'],
];

describe('Pylontech flag bits (document tables 1–5)', () => {
  it.each(singleBits)('%s %s sits where the document puts it', (_group, table, name, expected) => {
    const writer = writePylontechFlags(new PayloadWriter(0x359), table, { ...allClear(table), [name]: true });
    expect(hex(writer.bytes.subarray(0, 4))).toBe(expected);
    const read = readPylontechFlags(new PayloadReader(writer.bytes), table);
    expect(read).toEqual({ ...allClear(table), [name]: true });
  });

  it('clears a bit it was asked to clear, and leaves bits of other tables alone', () => {
    const writer = new PayloadWriter(0x359);
    writer.bytes.fill(0xff);
    writePylontechFlags(writer, PYLONTECH_PROTECTION_BITS, allClear(PYLONTECH_PROTECTION_BITS));
    // Bytes 0–1 keep only the bits the document leaves unassigned: 0x61 = bits 0, 5, 6; 0xF6 = all but 0 and 3.
    expect(hex(writer.bytes.subarray(0, 3))).toBe('61 F6 FF');
  });

  it('refuses a value that is not a boolean, naming the flag', () => {
    const flags = { ...allClear(PYLONTECH_REQUEST_BITS), chargeEnable: 1 as unknown as boolean };
    expect(() => writePylontechFlags(new PayloadWriter(0x35c), PYLONTECH_REQUEST_BITS, flags)).toThrow(
      FrameEncodeError,
    );
    expect(() => writePylontechFlags(new PayloadWriter(0x35c), PYLONTECH_REQUEST_BITS, flags)).toThrow(
      /0x35C chargeEnable/,
    );
  });

  it('reads a bit beyond the end of a short frame as not set', () => {
    const read = readPylontechFlags(new PayloadReader(Uint8Array.of(0xff, 0xff)), PYLONTECH_ALARM_BITS);
    expect(read).toEqual(allClear(PYLONTECH_ALARM_BITS));
  });
});
