import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';

/** A recording's lines, read as they are needed (a day of scans need not fit in memory). */
export async function recordingLines(file: string): Promise<AsyncIterable<string>> {
  // Opened first, so that a missing or unreadable file fails here with its own message.
  const handle = await open(file, 'r');
  return createInterface({ input: handle.createReadStream({ encoding: 'utf8' }), crlfDelay: Infinity });
}

/** The same lines, the file opened when the first is wanted (a source created synchronously). */
export async function* lazyRecordingLines(file: string): AsyncGenerator<string> {
  yield* await recordingLines(file);
}
