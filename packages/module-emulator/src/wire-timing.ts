import { EmulatorError, requireNumberInRange } from './errors';

/** Bits per byte on the wire: 8N1 = start + 8 data + stop. */
export const BITS_PER_BYTE = 10;
export const DEFAULT_BAUD = 612_500;

export interface WireTimingOptions {
  /** Line rate; default 612500 (16.33 µs per byte). */
  readonly baud?: number;
  /**
   * Forwarding delay of each module, µs. Default: one byte time, the least a UART repeater
   * needs (it must receive a whole byte before it can send it on). The real value is unknown.
   */
  readonly hopDelayUs?: number;
}

/** Resolved wire timing; all zero when pacing is off. */
export interface WireTiming {
  readonly byteMs: number;
  readonly hopMs: number;
}

export const NO_WIRE_TIMING: WireTiming = Object.freeze({ byteMs: 0, hopMs: 0 });

export function resolveWireTiming(options: WireTimingOptions | undefined): WireTiming {
  if (options === undefined) return NO_WIRE_TIMING;
  if (typeof options !== 'object' || options === null) {
    throw new EmulatorError('INVALID_OPTION', 'wireTiming must be an object', {
      field: 'wireTiming',
      value: options,
    });
  }
  const baud = requireNumberInRange(options.baud ?? DEFAULT_BAUD, 'wireTiming.baud', 300, 10_000_000);
  const byteMs = (BITS_PER_BYTE / baud) * 1000;
  const hopUs = requireNumberInRange(
    options.hopDelayUs ?? byteMs * 1000,
    'wireTiming.hopDelayUs',
    0,
    1_000_000,
  );
  return { byteMs, hopMs: hopUs / 1000 };
}
