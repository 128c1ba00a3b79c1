import {
  CHIP_FLAG_MEANINGS,
  type ImplausibleValue,
  type ModuleHardwareFlag,
  type ModuleReading,
  type PackReading,
  type SourceReading,
} from '@tsbms/pack-reading';

/*
 * A readings recording: JSON lines. The first line names the format; every other line is one
 * scan as the source delivered it, `{"discoveredModules":N,"reading":{...PackReading}}`. Lines are
 * independent, so a recording cut short by a crash or a full disk loses only its last line.
 */

export const RECORDING_FORMAT = 'tsbms-readings';
export const RECORDING_VERSION = 1;

/** The first line of every recording. */
export const RECORDING_HEADER = JSON.stringify({ format: RECORDING_FORMAT, version: RECORDING_VERSION });

/** One scan as a line (no newline). */
export function encodeRecordingLine(scan: SourceReading): string {
  return JSON.stringify({ discoveredModules: scan.discoveredModules, reading: scan.reading });
}

export type RecordingErrorCode = 'MALFORMED_LINE' | 'UNSUPPORTED_RECORDING';

/** A line that is not a scan; `lineNumber` counts from 1, as editors do. */
export class RecordingError extends Error {
  constructor(
    readonly code: RecordingErrorCode,
    readonly lineNumber: number,
    readonly reason: string,
  ) {
    super(`line ${lineNumber}: ${reason}`);
    this.name = 'RecordingError';
  }
}

/** What one line holds: a scan, the header, or nothing (a blank line). */
export type RecordingLine =
  | { readonly kind: 'scan'; readonly scan: SourceReading }
  | { readonly kind: 'header' }
  | { readonly kind: 'blank' };

/**
 * Decodes one line; throws RecordingError (MALFORMED_LINE for a line that is not a scan,
 * UNSUPPORTED_RECORDING for a header of another format or version) and never anything else.
 */
export function decodeRecordingLine(text: string, lineNumber: number): RecordingLine {
  if (text.trim() === '') return { kind: 'blank' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RecordingError('MALFORMED_LINE', lineNumber, 'not JSON');
  }
  if (isRecord(value) && 'format' in value) {
    if (value.format !== RECORDING_FORMAT || value.version !== RECORDING_VERSION) {
      throw new RecordingError(
        'UNSUPPORTED_RECORDING',
        lineNumber,
        `a recording of format ${JSON.stringify(value.format)} version ${JSON.stringify(value.version)}; this reads ${RECORDING_FORMAT} version ${RECORDING_VERSION}`,
      );
    }
    return { kind: 'header' };
  }
  const problem = scanProblem(value);
  if (problem !== null) throw new RecordingError('MALFORMED_LINE', lineNumber, problem);
  return { kind: 'scan', scan: value as SourceReading };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isNumberOrNull = (v: unknown) => v === null || isFiniteNumber(v);
const KNOWN_FLAGS = new Set<string>(Object.keys(CHIP_FLAG_MEANINGS));
const QUANTITIES = new Set<ImplausibleValue['quantity']>(['cellVoltage', 'temperature', 'moduleVoltage']);

/** Why `value` is not a scan, naming the first offending field; null when it is one. */
function scanProblem(value: unknown): string | null {
  if (!isRecord(value)) return 'not an object';
  if (
    !(
      value.discoveredModules === null ||
      (Number.isInteger(value.discoveredModules) && (value.discoveredModules as number) >= 0)
    )
  )
    return 'discoveredModules: not a count or null';
  const reading = value.reading;
  if (!isRecord(reading)) return 'reading: missing';
  if (!isFiniteNumber(reading.timestampMs)) return 'reading.timestampMs: not a number';
  for (const key of ['currentA', 'busVoltageV'] as const) {
    if (reading[key] !== undefined && !isNumberOrNull(reading[key]))
      return `reading.${key}: not a number or null`;
  }
  if (!Array.isArray(reading.modules)) return 'reading.modules: not a list';
  for (const [i, module] of (reading.modules as unknown[]).entries()) {
    const problem = moduleProblem(module);
    if (problem !== null) return `reading.modules[${i}].${problem}`;
  }
  return null;
}

function moduleProblem(m: unknown): string | null {
  if (!isRecord(m)) return 'itself: not an object';
  const checks: [keyof ModuleReading, boolean][] = [
    ['address', Number.isInteger(m.address) && (m.address as number) >= 1 && (m.address as number) <= 62],
    ['commsOk', typeof m.commsOk === 'boolean'],
    ['cellVoltagesV', Array.isArray(m.cellVoltagesV) && m.cellVoltagesV.every(isNumberOrNull)],
    ['temperaturesC', Array.isArray(m.temperaturesC) && m.temperaturesC.every(isNumberOrNull)],
    ['moduleVoltageV', isNumberOrNull(m.moduleVoltageV)],
    ['implausible', Array.isArray(m.implausible) && m.implausible.every(isImplausibleValue)],
    [
      'hardwareFlags',
      Array.isArray(m.hardwareFlags) &&
        m.hardwareFlags.every((f): f is ModuleHardwareFlag => typeof f === 'string' && KNOWN_FLAGS.has(f)),
    ],
    ['overVoltageCells', Array.isArray(m.overVoltageCells) && m.overVoltageCells.every(Number.isInteger)],
    ['underVoltageCells', Array.isArray(m.underVoltageCells) && m.underVoltageCells.every(Number.isInteger)],
    ['balanceTimerRunning', typeof m.balanceTimerRunning === 'boolean'],
  ];
  const failed = checks.find(([, ok]) => !ok);
  return failed === undefined ? null : `${failed[0]}: missing or of the wrong type`;
}

function isImplausibleValue(v: unknown): boolean {
  return (
    isRecord(v) &&
    QUANTITIES.has(v.quantity as ImplausibleValue['quantity']) &&
    Number.isInteger(v.index) &&
    Number.isInteger(v.raw) &&
    typeof v.reason === 'string'
  );
}

/** The reading with its timestamp moved by `offsetMs` (a replay in real time runs on today's clock). */
export function shiftReading(reading: PackReading, offsetMs: number): PackReading {
  return offsetMs === 0 ? reading : { ...reading, timestampMs: reading.timestampMs + offsetMs };
}
