import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { decodeRecordingLine, RECORDING_HEADER } from '@tsbms/bms-core';
import { makePackReading } from '@tsbms/battery-model/testing';
import { RecordingLogger } from '@tsbms/hal/testing';
import { ReadingsRecorder } from './readings-recorder';

const scan = (timestampMs: number) => ({ discoveredModules: 2, reading: makePackReading(timestampMs, 2) });

describe('ReadingsRecorder', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'tsbms-record-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('starts a new file with the header and appends one decodable line per scan', () => {
    const file = path.join(dir, 'night.jsonl');
    const recorder = new ReadingsRecorder(file, new RecordingLogger());
    recorder.record(scan(1000));
    recorder.record(scan(1500));
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines[0]).toBe(RECORDING_HEADER);
    expect(lines.slice(1, 3).map((line, i) => decodeRecordingLine(line, i + 2))).toEqual([
      { kind: 'scan', scan: scan(1000) },
      { kind: 'scan', scan: scan(1500) },
    ]);
    expect(lines[3]).toBe('');
  });

  it('continues an existing recording without a second header', () => {
    const file = path.join(dir, 'night.jsonl');
    writeFileSync(file, `${RECORDING_HEADER}\n`);
    new ReadingsRecorder(file, new RecordingLogger()).record(scan(2000));
    expect(
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l === RECORDING_HEADER),
    ).toHaveLength(1);
  });

  it('a failing write is logged once and the scan left out; it says so when writes work again', () => {
    const folder = path.join(dir, 'not-yet');
    const file = path.join(folder, 'night.jsonl');
    const logger = new RecordingLogger();
    const recorder = new ReadingsRecorder(file, logger);
    recorder.record(scan(1000));
    recorder.record(scan(1500));
    expect(logger.lines.map((l) => l.message)).toEqual([
      expect.stringMatching(/^recording to .*night\.jsonl failed \(the BMS runs on\): ENOENT/),
    ]);
    mkdirSync(folder);
    recorder.record(scan(2000));
    expect(logger.lines.at(-1)?.message).toBe(`recording to ${file} again`);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(2); // the header and the scan at 2000 ms
    expect(decodeRecordingLine(lines[1], 2)).toEqual({ kind: 'scan', scan: scan(2000) });
  });
});
