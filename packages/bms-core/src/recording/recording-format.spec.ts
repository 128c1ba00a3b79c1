import fc from 'fast-check';
import { CHIP_FLAG_MEANINGS, type ModuleHardwareFlag, type SourceReading } from '@tsbms/pack-reading';
import {
  decodeRecordingLine,
  encodeRecordingLine,
  RECORDING_HEADER,
  RecordingError,
} from './recording-format';

/** One scan of a one-module pack, and the exact line that records it. */
const SCAN: SourceReading = {
  discoveredModules: 1,
  reading: {
    timestampMs: 1_733_390_000_500,
    modules: [
      {
        address: 1,
        commsOk: true,
        cellVoltagesV: [3.9, 3.91, null, 3.9, 3.9, 3.9],
        temperaturesC: [21.5, null],
        moduleVoltageV: 23.41,
        implausible: [{ quantity: 'cellVoltage', index: 2, raw: 65535, reason: 'bit 15 set' }],
        hardwareFlags: ['CRC'],
        overVoltageCells: [],
        underVoltageCells: [],
        balanceTimerRunning: false,
      },
    ],
    currentA: -12.5,
  },
};
const LINE =
  '{"discoveredModules":1,"reading":{"timestampMs":1733390000500,"modules":[{"address":1,"commsOk":true,' +
  '"cellVoltagesV":[3.9,3.91,null,3.9,3.9,3.9],"temperaturesC":[21.5,null],"moduleVoltageV":23.41,' +
  '"implausible":[{"quantity":"cellVoltage","index":2,"raw":65535,"reason":"bit 15 set"}],"hardwareFlags":["CRC"],' +
  '"overVoltageCells":[],"underVoltageCells":[],"balanceTimerRunning":false}],"currentA":-12.5}}';

function errorOf(text: string, lineNumber = 7): RecordingError {
  try {
    decodeRecordingLine(text, lineNumber);
  } catch (error) {
    if (error instanceof RecordingError) return error;
    throw error;
  }
  throw new Error('decoded without an error');
}

describe('recording lines', () => {
  it('encodes a scan as its fixture line', () => {
    expect(encodeRecordingLine(SCAN)).toBe(LINE);
  });

  it('decodes the fixture line to the scan', () => {
    expect(decodeRecordingLine(LINE, 2)).toEqual({ kind: 'scan', scan: SCAN });
  });

  it('round-trips the fixture', () => {
    const line = decodeRecordingLine(encodeRecordingLine(SCAN), 2);
    expect(line.kind === 'scan' && encodeRecordingLine(line.scan)).toBe(LINE);
  });

  it('knows its header, a blank line, and refuses another format or version (stops a replay)', () => {
    expect(RECORDING_HEADER).toBe('{"format":"tsbms-readings","version":1}');
    expect(decodeRecordingLine(RECORDING_HEADER, 1)).toEqual({ kind: 'header' });
    expect(decodeRecordingLine('  ', 4)).toEqual({ kind: 'blank' });
    const other = errorOf('{"format":"tsbms-readings","version":2}', 1);
    expect(other).toMatchObject({ code: 'UNSUPPORTED_RECORDING', lineNumber: 1 });
    expect(other.message).toBe(
      'line 1: a recording of format "tsbms-readings" version 2; this reads tsbms-readings version 1',
    );
  });

  it.each([
    ['{"discoveredModules":1,"reading":', 'line 7: not JSON'],
    ['[1,2]', 'line 7: not an object'],
    ['{"discoveredModules":-1,"reading":{}}', 'line 7: discoveredModules: not a count or null'],
    ['{"discoveredModules":1}', 'line 7: reading: missing'],
    [
      '{"discoveredModules":1,"reading":{"timestampMs":"x","modules":[]}}',
      'line 7: reading.timestampMs: not a number',
    ],
    [LINE.replace('"currentA":-12.5', '"currentA":"12"'), 'line 7: reading.currentA: not a number or null'],
    [
      LINE.replace('"address":1', '"address":63'),
      'line 7: reading.modules[0].address: missing or of the wrong type',
    ],
    [
      LINE.replace('["CRC"]', '["CRC","BOGUS"]'),
      'line 7: reading.modules[0].hardwareFlags: missing or of the wrong type',
    ],
    [
      LINE.replace('[3.9,3.91,null', '[3.9,"3.91",null'),
      'line 7: reading.modules[0].cellVoltagesV: missing or of the wrong type',
    ],
    [
      LINE.replace('"quantity":"cellVoltage"', '"quantity":"current"'),
      'line 7: reading.modules[0].implausible: missing or of the wrong type',
    ],
  ])('names what is wrong with %s', (text, message) => {
    const error = errorOf(text);
    expect(error).toMatchObject({ code: 'MALFORMED_LINE', lineNumber: 7 });
    expect(error.message).toBe(message);
  });

  it('property: any scan survives encode → decode unchanged', () => {
    const value = fc.option(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), {
      nil: null,
    });
    const flags = Object.keys(CHIP_FLAG_MEANINGS) as ModuleHardwareFlag[];
    const module = (address: number) =>
      fc.record({
        address: fc.constant(address),
        commsOk: fc.boolean(),
        cellVoltagesV: fc.array(value, { minLength: 6, maxLength: 6 }),
        temperaturesC: fc.array(value, { minLength: 2, maxLength: 2 }),
        moduleVoltageV: value,
        implausible: fc.array(
          fc.record({
            quantity: fc.constantFrom(
              'cellVoltage' as const,
              'temperature' as const,
              'moduleVoltage' as const,
            ),
            index: fc.nat(5),
            raw: fc.nat(0xffff),
            reason: fc.string(),
          }),
          { maxLength: 2 },
        ),
        hardwareFlags: fc.subarray(flags),
        overVoltageCells: fc.subarray([0, 1, 2, 3, 4, 5]),
        underVoltageCells: fc.subarray([0, 1, 2, 3, 4, 5]),
        balanceTimerRunning: fc.boolean(),
      });
    const scan = fc.record({
      discoveredModules: fc.option(fc.nat(62), { nil: null }),
      reading: fc.record({
        timestampMs: fc.nat(),
        modules: fc
          .integer({ min: 0, max: 4 })
          .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => module(i + 1)))),
        currentA: value,
      }),
    });
    fc.assert(
      fc.property(scan, (s) => {
        // JSON has one zero: -0 is recorded as 0.
        const normalised = JSON.parse(JSON.stringify(s)) as SourceReading;
        expect(decodeRecordingLine(encodeRecordingLine(s), 1)).toEqual({ kind: 'scan', scan: normalised });
      }),
    );
  });
});
