import { appendFileSync, statSync } from 'node:fs';
import { encodeRecordingLine, RECORDING_HEADER } from '@tsbms/bms-core';
import type { Logger } from '@tsbms/hal';
import type { SourceReading } from '@tsbms/pack-reading';
import { errorMessage } from '../config';

/**
 * `recordFile` / `--record`: every scan appended to a JSON-lines file for `--replay`. Each line
 * is written (synchronously) as its scan arrives, so a crash loses nothing but the scan in
 * flight. A recording is never a reason to stop the BMS: a failed write is logged (once until
 * writes succeed again) and the scan is left out.
 */
export class ReadingsRecorder {
  private failing = false;
  private written = 0;

  constructor(
    readonly file: string,
    private readonly logger: Logger,
  ) {}

  record(scan: SourceReading): void {
    try {
      // A new or empty file starts with the header; an existing recording is continued.
      const header = this.written === 0 && fileIsEmpty(this.file) ? `${RECORDING_HEADER}\n` : '';
      appendFileSync(this.file, `${header}${encodeRecordingLine(scan)}\n`);
      this.written++;
      if (this.failing) {
        this.failing = false;
        this.logger.info({ event: 'record', file: this.file }, `recording to ${this.file} again`);
      }
    } catch (error) {
      if (!this.failing) {
        this.logger.error(
          { event: 'record', file: this.file, error: errorMessage(error) },
          `recording to ${this.file} failed (the BMS runs on): ${errorMessage(error)}`,
        );
      }
      this.failing = true;
    }
  }
}

function fileIsEmpty(file: string): boolean {
  try {
    return statSync(file).size === 0;
  } catch {
    return true; // not there yet
  }
}
