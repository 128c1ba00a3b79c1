import fc from 'fast-check';
import { crc8 } from './crc';
import { TeslaProtocolError } from './errors';
import {
  broadcastWrite,
  decodeReadReply,
  decodeReply,
  decodeRequest,
  decodeWriteEcho,
  encodeFrame,
  MAX_REGISTER,
  readRequest,
  writeRequest,
  type Frame,
  type ReadReply,
  type WriteEcho,
} from './frames';

const bytes = (...b: number[]) => Uint8Array.from(b);

describe('request fixtures: encode, decode, round trip', () => {
  const fixtures: ReadonlyArray<readonly [string, Frame, Uint8Array]> = [
    ['read 0x00..0x12 from module 1', readRequest(1, 0x00, 0x13), bytes(0x02, 0x00, 0x13, 0xaf)],
    ['read DEVICE_STATUS at address 0', readRequest(0, 0x00, 1), bytes(0x00, 0x00, 0x01, 0x07)],
    ['3-byte read (T-3 fallback)', readRequest(1, 0x00, 0x13, false), bytes(0x02, 0x00, 0x13)],
    ['write SHDW_CTRL unlock to module 1', writeRequest(1, 0x3a, 0x35), bytes(0x03, 0x3a, 0x35, 0x4d)],
    ['write ADDRESS_CONTROL at address 0', writeRequest(0, 0x3b, 0x81), bytes(0x01, 0x3b, 0x81, 0x8b)],
    ['broadcast RESET', broadcastWrite(0x3c, 0xa5), bytes(0x7f, 0x3c, 0xa5, 0x57)],
    ['broadcast ADC_CONVERT', broadcastWrite(0x34, 0x01), bytes(0x7f, 0x34, 0x01, 0x8a)],
  ];

  it.each(fixtures)('%s', (_name, frame, wire) => {
    expect(encodeFrame(frame)).toEqual(wire);
    const decoded = decodeRequest(wire);
    expect(decoded).toEqual({ ok: true, frame });
    if (decoded.ok) expect(encodeFrame(decoded.frame)).toEqual(wire);
  });
});

describe('reply fixtures: encode, decode, round trip', () => {
  const readReplies: ReadonlyArray<readonly [string, ReadReply, Uint8Array]> = [
    [
      "module 1's ADDRESS_CONTROL = 0x81",
      {
        kind: 'readReply',
        address: 1,
        register: 0x3b,
        data: [0x81],
        fromUnaddressed: false,
      },
      bytes(0x02, 0x3b, 0x01, 0x81, 0xba),
    ],
    [
      'DEVICE_STATUS from address 0 (bit 7 set, CRC with bit 7 clear)',
      {
        kind: 'readReply',
        address: 0,
        register: 0x00,
        data: [0x61],
        fromUnaddressed: true,
      },
      bytes(0x80, 0x00, 0x01, 0x61, 0x35),
    ],
  ];

  it.each(readReplies)('read reply: %s', (_name, reply, wire) => {
    expect(encodeFrame(reply)).toEqual(wire);
    expect(decodeReply(wire)).toEqual({ ok: true, frame: reply });
    const request = readRequest(reply.address, reply.register, reply.data.length);
    const decoded = decodeReadReply(wire, request);
    expect(decoded).toEqual({ ok: true, frame: reply });
    if (decoded.ok) expect(encodeFrame(decoded.frame)).toEqual(wire);
  });

  const echoes: ReadonlyArray<readonly [string, WriteEcho, Uint8Array]> = [
    [
      'address 0 set address 1: 01 3B 81 8B answered 81 3B 81 8B',
      {
        kind: 'writeEcho',
        address: 0,
        register: 0x3b,
        value: 0x81,
        fromUnaddressed: true,
      },
      bytes(0x81, 0x3b, 0x81, 0x8b),
    ],
    [
      'module 1 COV 4.20 V',
      {
        kind: 'writeEcho',
        address: 1,
        register: 0x42,
        value: 0x2c,
        fromUnaddressed: false,
      },
      bytes(0x03, 0x42, 0x2c, 0x08),
    ],
    [
      'broadcast RESET',
      {
        kind: 'writeEcho',
        address: 0x3f,
        register: 0x3c,
        value: 0xa5,
        fromUnaddressed: false,
      },
      bytes(0x7f, 0x3c, 0xa5, 0x57),
    ],
  ];

  it.each(echoes)('write echo: %s', (_name, echo, wire) => {
    expect(encodeFrame(echo)).toEqual(wire);
    expect(decodeReply(wire)).toEqual({ ok: true, frame: echo });
    const decoded = decodeWriteEcho(wire, writeRequest(echo.address, echo.register, echo.value));
    expect(decoded).toEqual({ ok: true, frame: echo });
    if (decoded.ok) expect(encodeFrame(decoded.frame)).toEqual(wire);
  });
});

describe('reply validation (T-4, T-5)', () => {
  const status0 = readRequest(0, 0x00, 1);
  const block1 = readRequest(1, 0x3b, 1);

  it('the request coming back unchanged is NO_SUCH_MODULE', () => {
    expect(decodeReadReply(bytes(0x00, 0x00, 0x01, 0x07), status0)).toMatchObject({
      ok: false,
      rejection: 'NO_SUCH_MODULE',
    });
    expect(decodeReadReply(encodeFrame(block1), block1)).toMatchObject({
      ok: false,
      rejection: 'NO_SUCH_MODULE',
    });
    expect(decodeWriteEcho(bytes(0x01, 0x3b, 0x81, 0x8b), writeRequest(0, 0x3b, 0x81))).toMatchObject({
      ok: false,
      rejection: 'NO_SUCH_MODULE',
    });
  });

  it('an address-0 reply without bit 7 is refused, and bit 7 from an addressed module too', () => {
    expect(decodeReadReply(bytes(0x00, 0x00, 0x01, 0x61, 0x35), status0)).toMatchObject({
      ok: false,
      rejection: 'BAD_FRAME',
    });
    const withBit7 = bytes(0x82, 0x3b, 0x01, 0x81, 0xba);
    expect(decodeReadReply(withBit7, block1)).toMatchObject({
      ok: false,
      rejection: 'BAD_FRAME',
    });
    expect(decodeReply(withBit7)).toMatchObject({
      ok: false,
      rejection: 'BAD_FRAME',
    });
  });

  it('checks the CRC with bit 7 clear', () => {
    // 0x80 is the CRC of 80 00 01 61 computed WITH bit 7: wrong.
    const wrong = [0x80, 0x00, 0x01, 0x61];
    expect(decodeReadReply(bytes(...wrong, crc8(wrong)), status0)).toMatchObject({
      ok: false,
      rejection: 'CRC',
    });
    expect(decodeReadReply(bytes(0x02, 0x3b, 0x01, 0x81, 0xbb), block1)).toMatchObject({
      ok: false,
      rejection: 'CRC',
    });
  });

  it('checks length, address, register and count', () => {
    const reply = [0x02, 0x3b, 0x01, 0x81, 0xba];
    expect(decodeReadReply(reply.slice(0, 4), block1)).toMatchObject({
      ok: false,
      rejection: 'BAD_FRAME',
    });
    expect(decodeReadReply([...reply, 0x00], block1)).toMatchObject({
      ok: false,
      rejection: 'BAD_FRAME',
    });
    expect(
      decodeReadReply(
        encodeFrame({
          kind: 'readReply',
          address: 2,
          register: 0x3b,
          data: [0x81],
          fromUnaddressed: false,
        }),
        block1,
      ),
    ).toMatchObject({
      ok: false,
      rejection: 'BAD_FRAME',
      reason: expect.stringContaining('byte 0'),
    });
    expect(
      decodeReadReply(
        encodeFrame({
          kind: 'readReply',
          address: 1,
          register: 0x3a,
          data: [0x81],
          fromUnaddressed: false,
        }),
        block1,
      ),
    ).toMatchObject({
      ok: false,
      reason: expect.stringContaining('register'),
    });
    expect(
      decodeReadReply(
        encodeFrame({
          kind: 'readReply',
          address: 1,
          register: 0x3b,
          data: [0x81, 0],
          fromUnaddressed: false,
        }),
        readRequest(1, 0x3b, 1),
      ),
    ).toMatchObject({
      ok: false,
      rejection: 'BAD_FRAME',
    });
  });

  it('checks all 4 bytes of a write echo', () => {
    const request = writeRequest(1, 0x42, 0x2c);
    expect(decodeWriteEcho(bytes(0x03, 0x42, 0x2d, 0x08), request)).toMatchObject({
      ok: false,
      rejection: 'ECHO_MISMATCH',
    });
    expect(decodeWriteEcho(bytes(0x03, 0x42, 0x2c, 0x09), request)).toMatchObject({
      ok: false,
      rejection: 'ECHO_MISMATCH',
    });
    expect(decodeWriteEcho(bytes(0x03, 0x43, 0x2c, 0x08), request)).toMatchObject({
      ok: false,
      rejection: 'ECHO_MISMATCH',
    });
    expect(decodeWriteEcho(bytes(0x03, 0x42, 0x2c), request)).toMatchObject({
      ok: false,
      rejection: 'BAD_FRAME',
    });
  });

  it('refuses requests it cannot encode', () => {
    for (const make of [
      () => readRequest(0x3f, 0, 1),
      () => readRequest(1, 0, 0),
      () => readRequest(1, MAX_REGISTER, 2),
      () => readRequest(1.5, 0, 1),
      () => writeRequest(0x40, 0x30, 0),
      () => writeRequest(1, 0x30, 0x100),
      () => writeRequest(1, 0x50, 0),
    ]) {
      expect(make).toThrow(TeslaProtocolError);
    }
  });

  it('decodeRequest refuses bad requests without throwing', () => {
    expect(decodeRequest(bytes(0x03, 0x3a, 0x35, 0x4c))).toMatchObject({
      ok: false,
      rejection: 'CRC',
    });
    expect(decodeRequest(bytes(0x03, 0x3a, 0x35))).toMatchObject({
      ok: false,
      rejection: 'BAD_FRAME',
    });
    expect(decodeRequest(bytes(0x7e, 0x00, 0x01, crc8([0x7e, 0x00, 0x01])))).toMatchObject({
      ok: false,
      rejection: 'BAD_FRAME',
    });
    expect(decodeRequest(bytes(0x02))).toMatchObject({
      ok: false,
      rejection: 'BAD_FRAME',
    });
  });
});

describe('round-trip properties', () => {
  const address = fc.integer({ min: 0, max: 0x3e });
  const readArb = fc
    .record({
      address,
      register: fc.integer({ min: 0, max: MAX_REGISTER }),
      withCrc: fc.boolean(),
    })
    .chain((r) =>
      fc
        .integer({ min: 1, max: MAX_REGISTER + 1 - r.register })
        .map((count) => readRequest(r.address, r.register, count, r.withCrc)),
    );
  const writeArb = fc
    .tuple(
      fc.integer({ min: 0, max: 0x3f }),
      fc.integer({ min: 0, max: MAX_REGISTER }),
      fc.integer({ min: 0, max: 0xff }),
    )
    .map(([a, r, v]) => writeRequest(a, r, v));

  it('requests: decode(encode(x)) = x', () => {
    fc.assert(
      fc.property(fc.oneof(readArb, writeArb), (request) => {
        expect(decodeRequest(encodeFrame(request))).toEqual({
          ok: true,
          frame: request,
        });
      }),
    );
  });

  it('read replies: decode(encode(x)) = x, through the request-aware and the stand-alone decoder', () => {
    fc.assert(
      fc.property(
        readArb,
        fc.array(fc.integer({ min: 0, max: 255 }), {
          minLength: 80,
          maxLength: 80,
        }),
        (request, pool) => {
          const reply: ReadReply = {
            kind: 'readReply',
            address: request.address,
            register: request.register,
            data: pool.slice(0, request.count),
            fromUnaddressed: request.address === 0,
          };
          const wire = encodeFrame(reply);
          expect(wire[0] & 0x80).toBe(request.address === 0 ? 0x80 : 0);
          expect(decodeReadReply(wire, request)).toEqual({
            ok: true,
            frame: reply,
          });
          expect(decodeReply(wire)).toEqual({ ok: true, frame: reply });
        },
      ),
    );
  });

  it('write echoes: decode(encode(x)) = x', () => {
    fc.assert(
      fc.property(writeArb, (request) => {
        const echo: WriteEcho = {
          ...request,
          kind: 'writeEcho',
          fromUnaddressed: request.address === 0,
        };
        expect(decodeWriteEcho(encodeFrame(echo), request)).toEqual({
          ok: true,
          frame: echo,
        });
      }),
    );
  });

  it('any single corrupted byte of a read reply is refused', () => {
    fc.assert(
      fc.property(readArb, fc.nat(), fc.integer({ min: 1, max: 255 }), (request, position, flip) => {
        const wire = encodeFrame({
          kind: 'readReply',
          address: request.address,
          register: request.register,
          data: new Array(request.count).fill(0x5a),
          fromUnaddressed: request.address === 0,
        });
        wire[position % wire.length] ^= flip;
        expect(decodeReadReply(wire, request).ok).toBe(false);
      }),
    );
  });
});
