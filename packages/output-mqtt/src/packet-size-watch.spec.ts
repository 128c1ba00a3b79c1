import fc from 'fast-check';
import { PacketSizeWatch } from './packet-size-watch';

/** The remaining-length encoding of the MQTT spec (3.1.1 §2.2.3), as the test's own oracle. */
function remainingLengthBytes(length: number): number[] {
  const bytes: number[] = [];
  let rest = length;
  do {
    const digit = rest % 128;
    rest = Math.floor(rest / 128);
    bytes.push(rest > 0 ? digit | 0x80 : digit);
  } while (rest > 0);
  return bytes;
}

function packet(bodyBytes: number): Uint8Array {
  return Uint8Array.from([
    0x30,
    ...remainingLengthBytes(bodyBytes),
    ...new Array<number>(bodyBytes).fill(0x61),
  ]);
}

/** Splits `bytes` at the given fractions of its length (chunks as a socket may deliver them). */
function chunked(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((cut) => Math.floor(cut * bytes.length)))].sort((a, b) => a - b);
  return [0, ...points]
    .map((start, i) => bytes.subarray(start, points[i] ?? bytes.length))
    .filter((c) => c.length > 0);
}

describe('PacketSizeWatch', () => {
  // The boundary rows of the spec's table of remaining-length encodings (3.1.1 table 2.4).
  it.each([
    [0, [0x00]],
    [127, [0x7f]],
    [128, [0x80, 0x01]],
    [16_383, [0xff, 0x7f]],
    [16_384, [0x80, 0x80, 0x01]],
    [2_097_151, [0xff, 0xff, 0x7f]],
    [2_097_152, [0x80, 0x80, 0x80, 0x01]],
    [268_435_455, [0xff, 0xff, 0xff, 0x7f]],
  ])('remaining length %i is encoded %j, and read back from the header alone', (length, encoded) => {
    expect(remainingLengthBytes(length)).toEqual(encoded);
    const header = Uint8Array.from([0x30, ...encoded]);
    const packetBytes = header.length + length;
    expect(new PacketSizeWatch(packetBytes - 1).push(header)).toEqual({ packetBytes });
    expect(new PacketSizeWatch(packetBytes).push(header)).toBeNull();
  });

  it('refuses a fifth length byte as malformed', () => {
    expect(new PacketSizeWatch(1 << 30).push(Uint8Array.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]))).toEqual({
      packetBytes: null,
    });
  });

  it('refuses a header split over chunks, byte by byte', () => {
    const watch = new PacketSizeWatch(100);
    const bytes = packet(200);
    const results = [...bytes.subarray(0, 3)].map((byte) => watch.push(Uint8Array.of(byte)));
    expect(results).toEqual([null, null, { packetBytes: 203 }]);
  });

  it('property: however the stream is chunked, the first packet over the limit is reported, nothing else', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 20_000 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 2, max: 20_010 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 }),
        (bodies, limit, cuts) => {
          const packets = bodies.map(packet);
          const stream = Uint8Array.from(packets.flatMap((p) => [...p]));
          const watch = new PacketSizeWatch(limit);
          const reports = chunked(stream, cuts)
            .map((chunk) => watch.push(chunk))
            .filter((report) => report !== null);
          const firstOver = packets.find((p) => p.length > limit);
          expect(reports[0] ?? null).toEqual(
            firstOver === undefined ? null : { packetBytes: firstOver.length },
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});
