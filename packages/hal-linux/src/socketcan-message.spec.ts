import fc from 'fast-check';
import type { RawMessage } from 'socketcan';
import { CAN_ERR_BUSOFF, classifyReceivedMessage } from './socketcan-message';

const standardId = fc.integer({ min: 0, max: 0x7ff });
const classicData = fc.uint8Array({ minLength: 0, maxLength: 8 });

describe('classifyReceivedMessage', () => {
  it('passes standard data frames through with the same id and bytes, as a copy', () => {
    fc.assert(
      fc.property(standardId, classicData, (id, bytes) => {
        const data = Buffer.from(bytes);
        const received = classifyReceivedMessage({ id, data });
        if (received.kind !== 'frame') throw new Error(`classified as ${received.kind}`);
        expect(received.frame.id).toBe(id);
        expect(received.frame.data).toEqual(Uint8Array.from(bytes));
        expect(Buffer.isBuffer(received.frame.data)).toBe(false);
        expect(Object.isFrozen(received.frame)).toBe(true);
        data.fill(0xa5);
        expect(received.frame.data).toEqual(Uint8Array.from(bytes));
      }),
    );
  });

  it('sorts out the frames tsBMS does not speak: 29-bit, remote, CAN FD', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0x1fffffff }), classicData, fc.boolean(), (id, bytes, rtr) => {
        // A 29-bit frame is ignored as extended whether or not it is also a remote frame.
        expect(classifyReceivedMessage({ id, data: Buffer.from(bytes), ext: true, rtr })).toEqual({
          kind: 'extended',
        });
      }),
    );
    expect(classifyReceivedMessage({ id: 0x305, data: Buffer.alloc(0), rtr: true })).toEqual({
      kind: 'remote',
    });
    expect(classifyReceivedMessage({ id: 0x305, data: Buffer.alloc(12) })).toEqual({
      kind: 'oversized',
    });
    expect(classifyReceivedMessage({ id: 0x305, data: Buffer.alloc(9) })).toEqual({
      kind: 'oversized',
    });
  });

  it('treats error frames as errors whatever their id and flags, flagging bus-off', () => {
    fc.assert(
      fc.property(standardId, fc.boolean(), fc.boolean(), (id, ext, rtr) => {
        const message: RawMessage = { id, data: Buffer.alloc(8), err: true, ext, rtr };
        expect(classifyReceivedMessage(message)).toEqual({
          kind: 'error',
          busOff: (id & CAN_ERR_BUSOFF) !== 0,
        });
      }),
    );
    expect(classifyReceivedMessage({ id: CAN_ERR_BUSOFF, data: Buffer.alloc(8), err: true })).toEqual({
      kind: 'error',
      busOff: true,
    });
    // CAN_ERR_CRTL (controller problems, e.g. error passive) alone is not bus-off.
    expect(classifyReceivedMessage({ id: 0x004, data: Buffer.alloc(8), err: true })).toEqual({
      kind: 'error',
      busOff: false,
    });
  });
});
