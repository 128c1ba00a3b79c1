/**
 * The part of the `socketcan` 4.0.7 package the adapter uses. The package's own declarations
 * pull in its KCD database parser and a wildcard `*.node` module; this keeps the surface to what
 * native/can.cc actually does.
 */
declare module 'socketcan' {
  /** A frame as the native binding hands it over and takes it. */
  export interface RawMessage {
    /** 11-bit id, 29-bit id when `ext`, or the error class bits when `err`. */
    id: number;
    data: Buffer;
    /** Present (true) only for 29-bit frames. */
    ext?: boolean;
    /** Present (true) only for remote frames. */
    rtr?: boolean;
    /** Present (true) only for error frames (the socket subscribes to all error classes). */
    err?: boolean;
  }

  export interface RawChannel {
    /** `onMessage` gets each received frame; `onStopped` runs once the receive thread ends. */
    addListener(event: 'onMessage', callback: (message: RawMessage) => void): void;
    addListener(event: 'onStopped', callback: () => void): void;
    /** Starts the receive thread. */
    start(): void;
    /** Ends the receive thread and calls the `onStopped` listeners synchronously. Throws if not running. */
    stop(): void;
    /** The return value of send(2): the frame size, or -1 on failure (errno is not exposed). */
    send(message: { id: number; ext: boolean; rtr: boolean; data: Buffer }): number;
  }

  export interface ChannelOptions {
    timestamps?: boolean;
    protocol?: number;
    /** Send with MSG_DONTWAIT, so a full transmit queue fails instead of blocking the event loop. */
    non_block_send?: boolean;
  }

  /** Throws "Error while creating channel" when the socket cannot be created or bound. */
  export function createRawChannelWithOptions(channel: string, options: ChannelOptions): RawChannel;
}
