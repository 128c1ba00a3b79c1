import type { Observable } from 'rxjs';
import type { LinkEvent } from './byte-link';

/** A classic CAN 2.0A data frame: 11-bit identifier, up to 8 data bytes. */
export interface CanFrame {
  readonly id: number;
  readonly data: Uint8Array;
}

/** A CAN interface: SocketCAN in production, an in-memory bus in tests. */
export interface CanBus {
  /** Frames received from other nodes (never the ones this node sent). */
  readonly frames$: Observable<CanFrame>;
  /** Open, close and error events (bus-off, interface down). Errors never end the stream. */
  readonly events$: Observable<LinkEvent>;
  readonly isOpen: boolean;
  /** Rejects with CanBusError: INVALID_FRAME before anything is sent, BUS_CLOSED, SEND_FAILED. */
  send(frame: CanFrame): Promise<void>;
  close(): Promise<void>;
}

export type CanBusErrorCode = 'INVALID_FRAME' | 'BUS_CLOSED' | 'SEND_FAILED' | 'OPEN_FAILED';

export class CanBusError extends Error {
  constructor(
    readonly code: CanBusErrorCode,
    message: string,
    readonly context: { readonly iface?: string; readonly canId?: number } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CanBusError';
  }
}

/**
 * Highest identifier a bus sends by default. A Cerbo GX Mk1 folds IDs to `id & 0x3FF`, so anything
 * at or above 0x400 would arrive as a different frame (victron-can-bms.md V-1): a bus that may carry
 * a GX keeps this limit.
 */
export const MAX_CAN_ID = 0x3ff;

/** Highest 11-bit (CAN 2.0A) identifier: the limit of a bus that carries no GX (a shunt's bus). */
export const MAX_STANDARD_CAN_ID = 0x7ff;

/**
 * Throws INVALID_FRAME for anything a CanBus adapter must refuse to put on the wire: an id outside
 * 0..`maxId` (default {@link MAX_CAN_ID}, at most {@link MAX_STANDARD_CAN_ID}) or more than 8 bytes.
 */
export function assertSendableCanFrame(frame: CanFrame, iface?: string, maxId: number = MAX_CAN_ID): void {
  if (!Number.isInteger(frame.id) || frame.id < 0 || frame.id > Math.min(maxId, MAX_STANDARD_CAN_ID)) {
    throw new CanBusError(
      'INVALID_FRAME',
      `CAN id ${String(frame.id)} is outside 0x000..0x${maxId.toString(16).toUpperCase()} (this bus's send limit)`,
      { iface, canId: frame.id },
    );
  }
  if (frame.data.length > 8) {
    throw new CanBusError(
      'INVALID_FRAME',
      `CAN frame 0x${frame.id.toString(16)} has ${frame.data.length} data bytes (max 8)`,
      {
        iface,
        canId: frame.id,
      },
    );
  }
}

/** Checks a bus's `maxSendId` option: an 11-bit id, at least the Victron-safe default's range. */
export function validateMaxSendId(maxSendId: number | undefined): number {
  if (maxSendId === undefined) return MAX_CAN_ID;
  if (!Number.isInteger(maxSendId) || maxSendId < MAX_CAN_ID || maxSendId > MAX_STANDARD_CAN_ID)
    throw new RangeError(
      `maxSendId must be a whole number from 0x${MAX_CAN_ID.toString(16)} to 0x${MAX_STANDARD_CAN_ID.toString(16)}, got ${String(maxSendId)}`,
    );
  return maxSendId;
}
