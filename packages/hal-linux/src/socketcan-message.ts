import type { RawMessage } from 'socketcan';
import type { CanFrame } from '@tsbms/hal';

/** Error class bit of an error frame's id: the controller went bus-off (linux/can/error.h). */
export const CAN_ERR_BUSOFF = 0x40;

/** What a received SocketCAN message is to tsBMS, which speaks only classic 11-bit data frames. */
export type ReceivedCanMessage =
  | { readonly kind: 'frame'; readonly frame: CanFrame }
  | { readonly kind: 'extended' }
  | { readonly kind: 'remote' }
  /** More than 8 data bytes: a CAN FD frame (the binding enables CAN FD reception). */
  | { readonly kind: 'oversized' }
  | { readonly kind: 'error'; readonly busOff: boolean };

/**
 * Sorts a message from the native binding. Error frames come first because their id holds
 * error class bits, not an identifier. The bytes are copied into a plain Uint8Array, so a
 * frame looks the same whichever CanBus produced it.
 */
export function classifyReceivedMessage(message: RawMessage): ReceivedCanMessage {
  if (message.err) return { kind: 'error', busOff: (message.id & CAN_ERR_BUSOFF) !== 0 };
  if (message.ext) return { kind: 'extended' };
  if (message.rtr) return { kind: 'remote' };
  if (message.data.length > 8) return { kind: 'oversized' };
  return {
    kind: 'frame',
    frame: Object.freeze({ id: message.id, data: Uint8Array.from(message.data) }),
  };
}
