import fc from 'fast-check';
import { RequestFramer } from './request-framer';

const feed = (framer: RequestFramer, bytes: number[], startMs: number, stepMs = 0.01) =>
  bytes.flatMap((b, i) => framer.push(b, startMs + i * stepMs));

describe('RequestFramer (T-7)', () => {
  it('takes a write as 4 bytes at once', () => {
    const framer = new RequestFramer(2);
    const frames = feed(framer, [0x03, 0x30, 0x3d, 0xf7], 0);
    expect(frames.map((f) => Array.from(f.bytes))).toEqual([[0x03, 0x30, 0x3d, 0xf7]]);
    expect(framer.deadlineMs).toBeUndefined();
  });

  it('takes a 4th byte within the gap as the read CRC', () => {
    const framer = new RequestFramer(2);
    expect(feed(framer, [0x02, 0x00, 0x13], 0)).toEqual([]);
    const frames = framer.push(0xaf, 1.9);
    expect(frames.map((f) => Array.from(f.bytes))).toEqual([[0x02, 0x00, 0x13, 0xaf]]);
  });

  it('treats a read followed by a quiet gap as a 3-byte read, ending at its 3rd byte', () => {
    const framer = new RequestFramer(2);
    feed(framer, [0x02, 0x00, 0x13], 10, 0.1);
    expect(framer.deadlineMs).toBeCloseTo(12.2, 9);
    expect(framer.flushIdle(12.1)).toEqual([]);
    const frames = framer.flushIdle(12.2);
    expect(frames.map((f) => Array.from(f.bytes))).toEqual([[0x02, 0x00, 0x13]]);
    expect(frames[0].endMs).toBeCloseTo(10.2, 9);
  });

  it('completes a pending 3-byte read when the next byte comes after the gap', () => {
    const framer = new RequestFramer(2);
    feed(framer, [0x02, 0x00, 0x01], 0);
    const frames = feed(framer, [0x03, 0x30, 0x3d, 0xf7], 5);
    expect(frames.map((f) => f.bytes.length)).toEqual([3, 4]);
  });

  it('drops an incomplete frame after an idle gap and counts it', () => {
    const framer = new RequestFramer(2);
    feed(framer, [0x03, 0x30], 0);
    expect(framer.flushIdle(3)).toEqual([]);
    expect(framer.counters).toEqual({ partialFramesDiscarded: 1, bytesDiscarded: 2 });
    expect(feed(framer, [0x03, 0x30, 0x3d, 0xf7], 4).length).toBe(1);
  });

  it('a flush at exactly deadlineMs always settles the pending frame, whatever the float times (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e7, noNaN: true }),
        fc.double({ min: 0.001, max: 10, noNaN: true }),
        (atMs, gapMs) => {
          const framer = new RequestFramer(gapMs);
          framer.push(0x06, atMs); // a read's first byte: incomplete until the gap
          const deadline = framer.deadlineMs ?? Number.NaN;
          framer.flushIdle(deadline);
          // Nothing left pending: the chain's idle timer, armed at deadlineMs, cannot re-arm forever.
          expect(framer.deadlineMs).toBeUndefined();
        },
      ),
    );
  });

  it('never throws and accounts for every byte (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 255 }), fc.double({ min: 0, max: 5, noNaN: true }))),
        (input) => {
          const framer = new RequestFramer(2);
          let t = 0;
          let framed = 0;
          for (const [byte, gap] of input) {
            t += gap;
            framed += framer.push(byte, t).reduce((n, f) => n + f.bytes.length, 0);
          }
          framed += framer.flushIdle(t + 10).reduce((n, f) => n + f.bytes.length, 0);
          expect(framed + framer.counters.bytesDiscarded).toBe(input.length);
        },
      ),
    );
  });
});
