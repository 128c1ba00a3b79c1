import { bmsDecisions, createBms, firstScanMs, ReplaySource, type RecordingError } from '@tsbms/bms-core';
import { ManualClock, silentLogger } from '@tsbms/hal';
import { errorMessage, type LibraryConfigs } from '../config';
import { recordingLines } from '../recording';

export interface ReplayIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

/**
 * `--replay FILE` as fast as possible: the recording through the whole core in virtual time,
 * its decisions (faults, contactor changes, limit changes) as JSON lines on stdout, a summary
 * on stderr. Malformed lines are reported with their numbers and skipped. Resolves with the exit
 * code: 0 played to the end, 1 the recording could not be read.
 */
export async function replayFast(
  file: string,
  libraries: LibraryConfigs,
  io: ReplayIo,
  wallClockMs: () => number = Date.now,
): Promise<number> {
  const startedMs = wallClockMs();
  let lines: AsyncIterable<string>;
  try {
    lines = await recordingLines(file);
  } catch (error) {
    io.stderr.write(`controller: cannot read the recording ${file}: ${errorMessage(error)}\n`);
    return 1;
  }
  const peeked = await firstScanMs(lines);
  const clock = new ManualClock(peeked.firstMs ?? 0);
  const source = new ReplaySource({
    lines: peeked.lines,
    pace: { fast: clock },
    onSkippedLine: (error: RecordingError) => io.stderr.write(`${file}: ${error.message} (skipped)\n`),
  });
  const bms = createBms({
    source,
    clock,
    logger: silentLogger,
    relays: {},
    config: libraries,
  });
  const decisions = bmsDecisions(bms, clock).subscribe((decision) =>
    io.stdout.write(`${JSON.stringify({ at: new Date(decision.atMs).toISOString(), ...decision })}\n`),
  );
  const failure = await source.whenFinished();
  decisions.unsubscribe();
  await bms.stop();
  if (failure !== null) {
    io.stderr.write(`controller: ${file}: ${errorMessage(failure)}\n`);
    return 1;
  }
  const { scans, skippedLines, firstMs, latestMs } = source.progress;
  const spanH = firstMs === null || latestMs === null ? 0 : (latestMs - firstMs) / 3_600_000;
  io.stderr.write(
    `replayed ${scans} scans (${spanH.toFixed(2)} h of recording) in ${((wallClockMs() - startedMs) / 1000).toFixed(1)} s` +
      `${skippedLines > 0 ? `; ${skippedLines} malformed line(s) skipped` : ''}\n`,
  );
  return 0;
}
