/** One request as a module receives it: 4 bytes for a write, 3 or 4 for a read. */
export interface ReceivedFrame {
  readonly bytes: Uint8Array;
  /** Arrival time of the frame's last byte, ms on the chain's clock. */
  readonly endMs: number;
}

export interface FramerCounters {
  /** Frames abandoned because the line went idle before they were complete. */
  readonly partialFramesDiscarded: number;
  /** Bytes in those frames. */
  readonly bytesDiscarded: number;
}

/**
 * Module-side request framing (tesla-bq76pl536a.md T-7). A write is always 4 bytes. After the
 * 3rd byte of a read the module waits `gapMs`: a 4th byte within the gap is the CRC, none means
 * a 3-byte read. A frame still incomplete when the line has been idle for `gapMs` is dropped,
 * so one lost byte costs one frame and the framer is back in step on the next idle line.
 * Pure: time is passed in with every call; the caller arms a timer at {@link deadlineMs}.
 */
export class RequestFramer {
  private readonly pending: number[] = [];
  private lastByteMs = 0;
  private discardedFrames = 0;
  private discardedBytes = 0;

  constructor(private readonly gapMs: number) {}

  /** Feeds one byte that arrived at `atMs` (non-decreasing); returns the frames it completed. */
  push(byte: number, atMs: number): ReceivedFrame[] {
    const done = this.flushIdle(atMs);
    this.pending.push(byte & 0xff);
    this.lastByteMs = atMs;
    const isWrite = (this.pending[0] & 1) === 1;
    if (this.pending.length === 4 || (this.pending.length === 3 && !isWrite && this.gapMs <= 0)) {
      done.push(this.take(atMs));
    }
    return done;
  }

  /** Completes or drops what the idle line at `nowMs` has decided. */
  flushIdle(nowMs: number): ReceivedFrame[] {
    // Compared as deadlineMs computes it: (a + b) - a can fall short of b in floating point.
    if (this.pending.length === 0 || nowMs < this.lastByteMs + this.gapMs) return [];
    const isRead = (this.pending[0] & 1) === 0;
    if (isRead && this.pending.length === 3) return [this.take(this.lastByteMs)];
    this.discardedFrames++;
    this.discardedBytes += this.pending.length;
    this.pending.length = 0;
    return [];
  }

  /** When {@link flushIdle} should next be called, if a frame is in progress. */
  get deadlineMs(): number | undefined {
    return this.pending.length > 0 ? this.lastByteMs + this.gapMs : undefined;
  }

  get counters(): FramerCounters {
    return { partialFramesDiscarded: this.discardedFrames, bytesDiscarded: this.discardedBytes };
  }

  private take(endMs: number): ReceivedFrame {
    const frame = { bytes: Uint8Array.from(this.pending), endMs };
    this.pending.length = 0;
    return frame;
  }
}
