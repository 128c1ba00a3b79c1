import fc from 'fast-check';
import {
  decodeIvtSResult,
  encodeIvtSResult,
  IVT_S_CHANNELS,
  IVT_S_DEFAULT_CAN_IDS,
  type IvtSResultFrame,
  type IvtSResultState,
} from './ivt-s-frames';

const hex = (text: string) => Uint8Array.from(text.split(' '), (byte) => parseInt(byte, 16));
const state = (flags: Partial<IvtSResultState> = {}): IvtSResultState => ({
  overcurrent: false,
  channelError: false,
  measurementError: false,
  systemError: false,
  ...flags,
});

// Result messages laid out by hand from Isabellenhütte's IVT-S_12082020.dbc (byte 0 the mux
// IVT_ID_Result_x, byte 1 the counter in its low nibble and OCS, channel, measurement and system
// error in bits 4..7, bytes 2..5 the signed big-endian result) and the datasheet's units; the
// 32-bit values were converted apart from this code (Python struct.pack('>i', …)). None was
// captured from a shunt: none is at hand.
const FIXTURES: [bytes: string, frame: IvtSResultFrame][] = [
  // +100 A: 100000 mA = 0x000186A0, counter 1.
  ['00 01 00 01 86 a0', { channel: 'current', messageCounter: 1, state: state(), rawValue: 100000 }],
  // −42.5 A with the over-current bit (0x10) and counter 15: −42500 = 0xFFFF59FC.
  [
    '00 1f ff ff 59 fc',
    { channel: 'current', messageCounter: 15, state: state({ overcurrent: true }), rawValue: -42500 },
  ],
  // U1 52.41 V: 52410 mV = 0x0000CCBA, counter 3.
  ['01 03 00 00 cc ba', { channel: 'voltage1', messageCounter: 3, state: state(), rawValue: 52410 }],
  // The As counter at −3600 As (−1 Ah) = 0xFFFFF1F0.
  ['06 00 ff ff f1 f0', { channel: 'charge', messageCounter: 0, state: state(), rawValue: -3600 }],
  // 23.5 °C in 0.1 °C: 235 = 0xEB, counter 2.
  ['04 02 00 00 00 eb', { channel: 'temperature', messageCounter: 2, state: state(), rawValue: 235 }],
  // 10 A flagged with a channel error (0x20) and a measurement error (0x40), counter 4.
  [
    '00 64 00 00 27 10',
    {
      channel: 'current',
      messageCounter: 4,
      state: state({ channelError: true, measurementError: true }),
      rawValue: 10000,
    },
  ],
  // The Wh counter at its top with the system error bit (0x80), counter 5.
  [
    '07 85 7f ff ff ff',
    { channel: 'energy', messageCounter: 5, state: state({ systemError: true }), rawValue: 0x7fffffff },
  ],
  // U3 at the bottom of the field with the channel error bit.
  [
    '03 20 80 00 00 00',
    { channel: 'voltage3', messageCounter: 0, state: state({ channelError: true }), rawValue: -0x80000000 },
  ],
];

describe('IVT-S result messages', () => {
  it('are at 0x521 + mux by default, the mux in channel order (DBC, foxBMS)', () => {
    expect(IVT_S_CHANNELS.map((channel) => IVT_S_DEFAULT_CAN_IDS[channel])).toEqual([
      0x521, 0x522, 0x523, 0x524, 0x525, 0x526, 0x527, 0x528,
    ]);
  });

  it.each(FIXTURES)('decode %s', (bytes, frame) => {
    expect(decodeIvtSResult(hex(bytes))).toEqual({ ok: true, frame });
  });

  it.each(FIXTURES)('encode to %s', (bytes, frame) => {
    expect(encodeIvtSResult(frame)).toEqual(hex(bytes));
  });

  it.each([
    ['00 01 00 01 86', /5 data bytes/],
    ['00 01 00 01 86 a0 00 00', /8 data bytes/],
    ['08 01 00 01 86 a0', /mux byte 0x8/],
    ['10 01 00 01 86 a0', /mux byte 0x10/],
  ])('decodes %s as no result message', (bytes, reason) => {
    const decoded = decodeIvtSResult(hex(bytes));
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.reason).toMatch(reason);
  });

  it('reads a frame inside a larger buffer at its own offset', () => {
    const buffer = hex('ff ff 01 03 00 00 cc ba ff');
    expect(decodeIvtSResult(buffer.subarray(2, 8))).toMatchObject({ ok: true, frame: { rawValue: 52410 } });
  });

  it('round-trips every mux, status byte and 32-bit value: bytes → frame → the same bytes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 7 }),
        fc.integer({ min: 0, max: 0xff }),
        fc.integer({ min: -0x80000000, max: 0x7fffffff }),
        (mux, status, value) => {
          const bytes = new Uint8Array(6);
          bytes[0] = mux;
          bytes[1] = status;
          new DataView(bytes.buffer).setInt32(2, value);
          const decoded = decodeIvtSResult(bytes);
          expect(decoded.ok).toBe(true);
          if (decoded.ok) expect(encodeIvtSResult(decoded.frame)).toEqual(bytes);
        },
      ),
    );
  });

  it('round-trips every frame: frame → bytes → the same frame', () => {
    const frames = fc.record({
      channel: fc.constantFrom(...IVT_S_CHANNELS),
      messageCounter: fc.integer({ min: 0, max: 15 }),
      state: fc.record({
        overcurrent: fc.boolean(),
        channelError: fc.boolean(),
        measurementError: fc.boolean(),
        systemError: fc.boolean(),
      }),
      rawValue: fc.integer({ min: -0x80000000, max: 0x7fffffff }),
    });
    fc.assert(
      fc.property(frames, (frame) => {
        expect(decodeIvtSResult(encodeIvtSResult(frame))).toEqual({ ok: true, frame });
      }),
    );
  });

  it('never throws on any bytes, and accepts exactly six with a result mux', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 8 }), (bytes) => {
        expect(decodeIvtSResult(bytes).ok).toBe(bytes.length === 6 && bytes[0] <= 7);
      }),
    );
  });

  it('refuses to encode a counter or a value its field cannot hold', () => {
    const frame = FIXTURES[0][1];
    expect(() => encodeIvtSResult({ ...frame, messageCounter: 16 })).toThrow(RangeError);
    expect(() => encodeIvtSResult({ ...frame, rawValue: 0x80000000 })).toThrow(RangeError);
    expect(() => encodeIvtSResult({ ...frame, rawValue: 1.5 })).toThrow(RangeError);
  });
});
