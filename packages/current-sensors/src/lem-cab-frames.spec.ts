import fc from 'fast-check';
import {
  decodeLemCabFrame,
  describeLemCabError,
  encodeLemCabFrame,
  LEM_CAB_DEFAULT_CAN_ID,
  type LemCabFrame,
} from './lem-cab-frames';

const hex = (text: string) => Uint8Array.from(text.split(' '), (byte) => parseInt(byte, 16));
const ok = (currentMilliA: number): LemCabFrame => ({ currentMilliA, error: false, errorCode: 0 });

// Current messages as 8 bytes, the length the openinverter wiki's CAB300 page gives.
const FIXTURES: [bytes: string, frame: LemCabFrame][] = [
  // The wiki's own values: 0x80000000 = 0 mA, 0x80000001 = 1 mA, 0x7FFFFFFF = −1 mA.
  ['80 00 00 00 00 00 00 00', ok(0)],
  ['80 00 00 01 00 00 00 00', ok(1)],
  ['7f ff ff ff 00 00 00 00', ok(-1)],
  // −123.456 A and +250 A, offset by hand (Python: struct.pack('>I', mA + 0x80000000)).
  ['7f fe 1d c0 00 00 00 00', ok(-123456)],
  ['80 03 d0 90 00 00 00 00', ok(250000)],
  // The ends of the field.
  ['ff ff ff ff 00 00 00 00', ok(0x7fffffff)],
  ['00 00 00 00 00 00 00 00', ok(-0x80000000)],
  // Byte 4 = code << 1 | error bit (foxBMS's bit layout, collin80/bms's codes): 0x87 is error 0x43
  // (fluxgate not oscillating), 0x8D error 0x46 (signal not available).
  ['80 00 00 00 87 00 00 00', { currentMilliA: 0, error: true, errorCode: 0x43 }],
  ['80 00 27 10 8d 00 00 00', { currentMilliA: 10000, error: true, errorCode: 0x46 }],
];

describe('LEM CAB current messages', () => {
  it('are at 0x3C2 by default (openinverter wiki, foxBMS)', () => {
    expect(LEM_CAB_DEFAULT_CAN_ID).toBe(0x3c2);
  });

  it.each(FIXTURES)('decode %s', (bytes, frame) => {
    expect(decodeLemCabFrame(hex(bytes))).toEqual({ ok: true, frame });
  });

  it.each(FIXTURES)('encode to %s', (bytes, frame) => {
    expect(encodeLemCabFrame(frame)).toEqual(hex(bytes));
  });

  it('reads the 6-byte message foxBMS expects and a bare 5-byte one; 4 bytes are no message', () => {
    expect(decodeLemCabFrame(hex('7f fe 1d c0 00 00'))).toEqual({ ok: true, frame: ok(-123456) });
    expect(decodeLemCabFrame(hex('7f fe 1d c0 00'))).toEqual({ ok: true, frame: ok(-123456) });
    expect(decodeLemCabFrame(hex('7f fe 1d c0'))).toEqual({
      ok: false,
      reason: '4 data bytes, the current message needs 5',
    });
  });

  it('names the error codes collin80/bms knows, and shows the others in hex', () => {
    expect(describeLemCabError(0x43)).toBe('fluxgate not oscillating');
    expect(describeLemCabError(0x10)).toBe('error code 0x10');
  });

  it('round-trips every current and error byte: bytes → frame → the same bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 5, maxLength: 5 }), (head) => {
        const bytes = new Uint8Array(8);
        bytes.set(head);
        const decoded = decodeLemCabFrame(bytes);
        expect(decoded.ok).toBe(true);
        if (decoded.ok) expect(encodeLemCabFrame(decoded.frame)).toEqual(bytes);
      }),
    );
  });

  it('round-trips every frame: frame → bytes → the same frame', () => {
    const frames = fc.record({
      currentMilliA: fc.integer({ min: -0x80000000, max: 0x7fffffff }),
      error: fc.boolean(),
      errorCode: fc.integer({ min: 0, max: 0x7f }),
    });
    fc.assert(
      fc.property(frames, (frame) => {
        expect(decodeLemCabFrame(encodeLemCabFrame(frame))).toEqual({ ok: true, frame });
      }),
    );
  });

  it('never throws on any bytes, and needs five', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 8 }), (bytes) => {
        expect(decodeLemCabFrame(bytes).ok).toBe(bytes.length >= 5);
      }),
    );
  });

  it('refuses to encode what its fields cannot hold', () => {
    expect(() => encodeLemCabFrame(ok(0x80000000))).toThrow(RangeError);
    expect(() => encodeLemCabFrame(ok(0.5))).toThrow(RangeError);
    expect(() => encodeLemCabFrame({ ...ok(0), errorCode: 0x80 })).toThrow(RangeError);
  });
});
