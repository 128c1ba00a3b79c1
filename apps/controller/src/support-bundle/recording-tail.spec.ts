import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { decodeRecordingLine, encodeRecordingLine, RECORDING_HEADER } from '@tsbms/bms-core';
import { makePackReading } from '@tsbms/battery-model/testing';
import { readRecordingTail } from './recording-tail';

const scanLine = (i: number) =>
  encodeRecordingLine({ discoveredModules: 2, reading: makePackReading(1_733_390_000_000 + i * 500, 2) });

describe('readRecordingTail', () => {
  let dir: string;
  let file: string;
  const lines = Array.from({ length: 20 }, (_, i) => scanLine(i));
  const recording = `${[RECORDING_HEADER, ...lines].join('\n')}\n`;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'tsbms-tail-'));
    file = path.join(dir, 'night.jsonl');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** The tail's lines: the header first, then scans that decode, each a whole line of the file. */
  function tailLines(text: Buffer): string[] {
    const all = text.toString('utf8').split('\n');
    expect(all.at(-1)).toBe('');
    const kept = all.slice(0, -1);
    expect(kept[0]).toBe(RECORDING_HEADER);
    kept.slice(1).forEach((line, i) => {
      expect(lines).toContain(line);
      expect(decodeRecordingLine(line, i + 2).kind).toBe('scan');
    });
    return kept.slice(1);
  }

  it('a small recording whole, byte for byte', () => {
    writeFileSync(file, recording);
    const tail = readRecordingTail(file);
    expect(tail.text.toString('utf8')).toBe(recording);
    expect(tail).toMatchObject({ lines: 20, cut: false, fileBytes: Buffer.byteLength(recording) });
  });

  it('at most maxLines: the last ones, after the header', () => {
    writeFileSync(file, recording);
    const tail = readRecordingTail(file, { maxLines: 3 });
    expect(tailLines(tail.text)).toEqual(lines.slice(-3));
    expect(tail).toMatchObject({ lines: 3, cut: true });
  });

  it('at most maxBytes: starts at a full line, never in the middle of one', () => {
    writeFileSync(file, recording);
    const lineBytes = Buffer.byteLength(lines[0]) + 1;
    // Cuts into a line: that line is left out whole.
    const tail = readRecordingTail(file, { maxBytes: Math.floor(lineBytes * 4.5) });
    expect(tailLines(tail.text)).toEqual(lines.slice(-4));
    // Falls exactly at a line's start: that line is kept.
    const exact = readRecordingTail(file, { maxBytes: lineBytes * 4 });
    expect(tailLines(exact.text)).toEqual(lines.slice(-4));
    expect(exact.cut).toBe(true);
  });

  it('leaves out a last line still being written, and puts the header before a file that lacks it', () => {
    writeFileSync(file, `${lines.slice(0, 5).join('\n')}\n${lines[5].slice(0, 40)}`);
    const tail = readRecordingTail(file);
    expect(tailLines(tail.text)).toEqual(lines.slice(0, 5));
  });

  it('an empty recording: the header only, no scans', () => {
    writeFileSync(file, '');
    expect(readRecordingTail(file)).toMatchObject({ lines: 0, text: Buffer.from(`${RECORDING_HEADER}\n`) });
  });
});
