import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { RECORDING_HEADER } from '@tsbms/bms-core';

/** At most this many scans of a recording go into a bundle… */
export const RECORDING_TAIL_MAX_LINES = 10_000;
/** …and at most this many bytes of them, whichever is smaller. */
export const RECORDING_TAIL_MAX_BYTES = 5 * 1024 * 1024;

export interface RecordingTail {
  /** The header line, then the last whole lines of the file (each ending in a newline). */
  readonly text: Buffer;
  /** Scan lines taken (the header not counted). */
  readonly lines: number;
  /** The file's size when read. */
  readonly fileBytes: number;
  /** True when lines before the tail were left out. */
  readonly cut: boolean;
}

const NEWLINE = 0x0a;

/**
 * The end of a readings recording (`recordFile`) for a bundle: the last whole lines, at most
 * `maxLines` and `maxBytes`. The tail starts at the beginning of a line (a line cut by the byte
 * bound is left out whole) and ends at the last newline (a line still being written is left
 * out), and it starts with the recording header, so `--replay` reads it as any recording.
 * Reads only the last `maxBytes` of the file.
 */
export function readRecordingTail(
  file: string,
  limits: { readonly maxLines?: number; readonly maxBytes?: number } = {},
): RecordingTail {
  const maxLines = limits.maxLines ?? RECORDING_TAIL_MAX_LINES;
  const maxBytes = limits.maxBytes ?? RECORDING_TAIL_MAX_BYTES;
  const fd = openSync(file, 'r');
  let chunk: Buffer;
  let start: number;
  let fileBytes: number;
  try {
    fileBytes = fstatSync(fd).size;
    // One byte more than the bound, to see whether the first byte kept begins a line.
    start = Math.max(0, fileBytes - maxBytes - 1);
    chunk = Buffer.alloc(fileBytes - start);
    let read = 0;
    while (read < chunk.length) {
      const n = readSync(fd, chunk, read, chunk.length - read, start + read);
      if (n === 0) break;
      read += n;
    }
    chunk = chunk.subarray(0, read);
  } finally {
    closeSync(fd);
  }
  // Whole lines only: from after the first newline (unless the chunk is the file's start) …
  let from = 0;
  if (start > 0) {
    const firstNewline = chunk.indexOf(NEWLINE);
    from = firstNewline < 0 ? chunk.length : firstNewline + 1;
  }
  // … to the last newline.
  const to = chunk.lastIndexOf(NEWLINE) + 1;
  let body = to > from ? chunk.subarray(from, to) : Buffer.alloc(0);
  // The last maxLines lines: back from the final newline, one newline per line.
  let cutAt = 0;
  let end = body.length - 1;
  for (let n = 0; n < maxLines; n++) {
    const previous = end > 0 ? body.lastIndexOf(NEWLINE, end - 1) : -1;
    if (previous < 0) {
      cutAt = 0;
      break;
    }
    cutAt = previous + 1;
    end = previous;
  }
  body = body.subarray(cutAt);
  const headerLine = Buffer.from(`${RECORDING_HEADER}\n`);
  const startsWithHeader = body.subarray(0, headerLine.length).equals(headerLine);
  const text = startsWithHeader ? body : Buffer.concat([headerLine, body]);
  const lines = countLines(text) - 1;
  return { text, lines, fileBytes, cut: start + from + cutAt > 0 };
}

function countLines(buffer: Buffer): number {
  let count = 0;
  for (let i = buffer.indexOf(NEWLINE); i >= 0; i = buffer.indexOf(NEWLINE, i + 1)) count++;
  return count;
}
