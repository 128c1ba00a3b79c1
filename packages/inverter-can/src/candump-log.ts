import type { CanFrame } from '@tsbms/hal';

/** One line of `candump -L` (log format): `(1700000000.123456) vcan0 351#EC01E803E803B001`. */
export interface CandumpRecord {
  /** Seconds since the epoch, as candump printed them (kernel receive time). */
  readonly timestampS: number;
  readonly iface: string;
  readonly frame: CanFrame;
  /** 29-bit identifier (8 hex digits in the log). */
  readonly extended: boolean;
  /** Remote request (`R` after `#`). */
  readonly remote: boolean;
}

const LOG_LINE = /^\((\d+\.\d+)\)\s+(\S+)\s+([0-9A-Fa-f]{3}|[0-9A-Fa-f]{8})#(R\d?|(?:[0-9A-Fa-f]{2})*)$/;

/**
 * Parses one `candump -L` line; null for anything else (blank lines, CAN FD `##`, garbage), so a
 * reader can count and skip what it does not understand.
 */
export function parseCandumpLine(line: string): CandumpRecord | null {
  const match = LOG_LINE.exec(line.trim());
  if (!match) return null;
  const [, time, iface, idHex, payload] = match;
  const remote = payload.startsWith('R');
  const data = remote
    ? new Uint8Array(0)
    : Uint8Array.from(payload.match(/../g) ?? [], (byte) => Number.parseInt(byte, 16));
  if (data.length > 8) return null;
  return Object.freeze({
    timestampS: Number(time),
    iface,
    frame: Object.freeze({ id: Number.parseInt(idHex, 16), data }),
    extended: idHex.length === 8,
    remote,
  });
}

/** The inverse for a standard data frame: `(t) iface 351#...`, six decimals as candump writes. */
export function formatCandumpLine(timestampS: number, iface: string, frame: CanFrame): string {
  const id = frame.id.toString(16).toUpperCase().padStart(3, '0');
  const data = Array.from(frame.data, (b) => b.toString(16).toUpperCase().padStart(2, '0')).join('');
  return `(${timestampS.toFixed(6)}) ${iface} ${id}#${data}`;
}
