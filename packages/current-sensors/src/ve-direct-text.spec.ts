import fc from 'fast-check';
import { encodeVeDirectBlock, VeDirectTextParser } from './ve-direct-text';

// A SmartShunt main block and a history block in the field layout of Victron's "VE.Direct
// Protocol" document (PID 0xA389 = SmartShunt 500A/50mV). Not captured from a device: the
// checksum bytes (0xBC, 0xB7) were computed apart from this code, with
// python3 -c "body=…; print((-sum(body)) & 0xff)".
const MAIN_BLOCK_HEX =
  '0d0a504944093078413338390d0a560932363230310d0a565309300d0a49092d31323530300d0a50092d3332380d0a4345092d34333231300d0a534f43093831320d0a54544709313233340d0a416c61726d094f46460d0a52656c6179094f46460d0a415209300d0a424d5609536d6172745368756e7420353030412f35306d560d0a465709303431330d0a4d4f4e09300d0a436865636b73756d09bc';
const HISTORY_BLOCK_HEX =
  '0d0a4831092d3130323334350d0a4832092d34333231300d0a48313709313536330d0a48313809323039350d0a436865636b73756d09b7';
const MAIN_FIELDS: [string, string][] = [
  ['PID', '0xA389'],
  ['V', '26201'],
  ['VS', '0'],
  ['I', '-12500'],
  ['P', '-328'],
  ['CE', '-43210'],
  ['SOC', '812'],
  ['TTG', '1234'],
  ['Alarm', 'OFF'],
  ['Relay', 'OFF'],
  ['AR', '0'],
  ['BMV', 'SmartShunt 500A/50mV'],
  ['FW', '0413'],
  ['MON', '0'],
];
const HISTORY_FIELDS: [string, string][] = [
  ['H1', '-102345'],
  ['H2', '-43210'],
  ['H17', '1563'],
  ['H18', '2095'],
];
/*
 * A block captured from a real BMV-712 Smart (FW 4.08), as quoted in the sources of
 * norbert-walter/LoRa-Boat-Monitor (src/vedirect.h, "Real data output on VE.direct port"). Its
 * checksum character is printable ('/', 0x2F), and the bytes as quoted add up to 0 mod 256 with it:
 * a real device's frame, byte for byte.
 */
const BMV712_TEXT =
  '\r\nPID\t0xA381\r\nV\t12341\r\nT\t---\r\nI\t0\r\nP\t0\r\nCE\t0\r\nSOC\t1000\r\nTTG\t-1\r\n' +
  'Alarm\tOFF\r\nRelay\tOFF\r\nAR\t0\r\nBMV\t712 Smart\r\nFW\t0408\r\nMON\t0\r\nChecksum\t/';
const BMV712_FIELDS: [string, string][] = [
  ['PID', '0xA381'],
  ['V', '12341'],
  ['T', '---'],
  ['I', '0'],
  ['P', '0'],
  ['CE', '0'],
  ['SOC', '1000'],
  ['TTG', '-1'],
  ['Alarm', 'OFF'],
  ['Relay', 'OFF'],
  ['AR', '0'],
  ['BMV', '712 Smart'],
  ['FW', '0408'],
  ['MON', '0'],
];
const bytesOf = (hex: string) => Uint8Array.from(Buffer.from(hex, 'hex'));
const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

describe('VE.Direct text blocks', () => {
  it('decodes the main and the history block, in order, with their checksums', () => {
    const parser = new VeDirectTextParser();
    const blocks = parser.push(Uint8Array.of(...bytesOf(MAIN_BLOCK_HEX), ...bytesOf(HISTORY_BLOCK_HEX)));
    expect(blocks.map((b) => [...b])).toEqual([MAIN_FIELDS, HISTORY_FIELDS]);
    expect(parser.counters()).toEqual({ blocks: 2, checksumErrors: 0, malformedBlocks: 0, hexMessages: 0 });
  });

  it("a real BMV-712's block: decoded, encoded to the same bytes, and refused with one character changed", () => {
    const parser = new VeDirectTextParser();
    expect(parser.push(ascii(BMV712_TEXT)).map((b) => [...b])).toEqual([BMV712_FIELDS]);
    expect(Buffer.from(encodeVeDirectBlock(BMV712_FIELDS)).toString('latin1')).toBe(BMV712_TEXT);
    // V 12341 → 12351: the same length, 1 off in the sum
    expect(parser.push(ascii(BMV712_TEXT.replace('12341', '12351')))).toEqual([]);
    expect(parser.counters()).toMatchObject({ blocks: 1, checksumErrors: 1 });
  });

  it('encodes to the same bytes', () => {
    expect(Buffer.from(encodeVeDirectBlock(MAIN_FIELDS)).toString('hex')).toBe(MAIN_BLOCK_HEX);
    expect(Buffer.from(encodeVeDirectBlock(HISTORY_FIELDS)).toString('hex')).toBe(HISTORY_BLOCK_HEX);
  });

  it('round-trips any fields, however the bytes are split', () => {
    const label = fc.stringMatching(/^[A-Z][A-Za-z0-9#]{0,8}$/).filter((l) => l !== 'Checksum');
    const value = fc.stringMatching(/^[ -9;-~]{0,33}$/); // printable ASCII without ':'
    const fields = fc.uniqueArray(fc.tuple(label, value), {
      selector: ([l]) => l,
      minLength: 1,
      maxLength: 20,
    });
    fc.assert(
      fc.property(fc.array(fields, { minLength: 1, maxLength: 3 }), fc.array(fc.nat(40)), (blocks, cuts) => {
        const stream = Uint8Array.from(blocks.flatMap((b) => [...encodeVeDirectBlock(b)]));
        const parser = new VeDirectTextParser();
        const decoded = [];
        let at = 0;
        for (const cut of [...cuts, stream.length]) {
          const end = Math.min(stream.length, at + cut);
          decoded.push(...parser.push(stream.subarray(at, end)));
          at = end;
        }
        expect(decoded.map((b) => [...b])).toEqual(blocks);
      }),
    );
  });

  it('drops and counts a block with one byte changed, and reads the next one', () => {
    const corrupted = bytesOf(MAIN_BLOCK_HEX);
    corrupted[20] ^= 0x01; // one digit of V
    const parser = new VeDirectTextParser();
    const blocks = parser.push(Uint8Array.of(...corrupted, ...bytesOf(HISTORY_BLOCK_HEX)));
    expect(blocks.map((b) => [...b])).toEqual([HISTORY_FIELDS]);
    expect(parser.counters()).toMatchObject({ blocks: 1, checksumErrors: 1 });
  });

  it('resynchronises after garbage and a cut-off block, and skips HEX messages between blocks', () => {
    const parser = new VeDirectTextParser();
    const main = bytesOf(MAIN_BLOCK_HEX);
    // Opened mid-block: the rest of that block fails its checksum at its own Checksum field, and
    // every block after it is read whole.
    const blocks = parser.push(
      Uint8Array.of(
        ...ascii('\x00\xff garbage'),
        ...main.subarray(60),
        ...main,
        ...ascii(':A0102000543\n'),
        ...main,
        ...ascii(':7F0ED0071\n'),
      ),
    );
    expect(blocks.map((b) => [...b])).toEqual([MAIN_FIELDS, MAIN_FIELDS]);
    expect(parser.counters()).toMatchObject({ blocks: 2, checksumErrors: 1, hexMessages: 2 });
  });

  it('abandons a block with an overlong value, never throwing', () => {
    const parser = new VeDirectTextParser();
    const long = ascii(`\r\nBMV\t${'x'.repeat(40)}`);
    expect(parser.push(Uint8Array.of(...long, ...bytesOf(HISTORY_BLOCK_HEX))).map((b) => [...b])).toEqual([
      HISTORY_FIELDS,
    ]);
    expect(parser.counters().malformedBlocks).toBe(1);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 500 }), (noise) => void new VeDirectTextParser().push(noise)),
    );
  });

  it('refuses to encode what the protocol cannot carry', () => {
    expect(() => encodeVeDirectBlock([['Checksum', '1']])).toThrow(RangeError);
    expect(() => encodeVeDirectBlock([['V', 'x'.repeat(34)]])).toThrow(RangeError);
    expect(() => encodeVeDirectBlock([['TOOLONGLABEL', '1']])).toThrow(RangeError);
  });
});
