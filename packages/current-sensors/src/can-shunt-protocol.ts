import type { CanFrame, CurrentQuality } from '@tsbms/hal';
import { CurrentSensorError } from './current-sensor-error';

/** What one frame from a CAN shunt means, in SI units. */
export type CanShuntReading =
  | { readonly kind: 'current'; readonly currentA: number; readonly quality: CurrentQuality }
  | { readonly kind: 'busVoltage'; readonly voltageV: number }
  | { readonly kind: 'charge'; readonly chargeAh: number }
  /** A frame at one of the shunt's ids that must not be used: malformed or flagged by the shunt. */
  | { readonly kind: 'dropped'; readonly reason: string };

/**
 * One shunt's frame format for {@link CanShuntCurrentSource}: which ids it reads and what each
 * frame says. Pure: `read` never throws and never does I/O.
 */
export interface CanShuntProtocol {
  /** For messages: `IVT-S`, `LEM CAB`. */
  readonly name: string;
  /** The ids it reads, for messages; every other id is other nodes' traffic. */
  readonly canIds: readonly number[];
  readonly readsBusVoltage: boolean;
  readonly readsCharge: boolean;
  /** What the frame says; undefined for a frame at an id the shunt does not send on. */
  read(frame: CanFrame): CanShuntReading | undefined;
}

/** Throws INVALID_OPTION unless `value` is an 11-bit identifier (the hal CanFrame has no other). */
export function requireStandardCanId(sensor: string, option: string, value: unknown): number {
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 0x7ff)
    throw new CurrentSensorError(
      'INVALID_OPTION',
      `${sensor}: ${option} must be a CAN id in 0x000..0x7FF, got ${String(value)}`,
      { sensor, option },
    );
  return value as number;
}

/** `0x521` */
export function hexCanId(canId: number): string {
  return `0x${canId.toString(16).toUpperCase().padStart(3, '0')}`;
}
