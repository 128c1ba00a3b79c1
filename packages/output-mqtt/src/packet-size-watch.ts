import type { Duplex } from 'node:stream';

/*
 * mqtt.js buffers a whole incoming packet before it parses it, however large the length in its
 * header: one 60 MB message grew the daemon from 141 to 535 MB. The watcher reads the packet
 * boundaries from the same bytes (MQTT fixed header: a type byte, then the remaining length in 1
 * to 4 bytes of 7 bits each) so the connection can be dropped as soon as a header announces more
 * than the limit, before the body arrives.
 */

/** A header the watcher refuses: too large, or a length the protocol cannot encode. */
export interface OversizePacket {
  /** Fixed header plus remaining length, in bytes; null when the length encoding is malformed. */
  readonly packetBytes: number | null;
}

type State =
  | { readonly at: 'type' }
  | {
      readonly at: 'length';
      readonly value: number;
      readonly multiplier: number;
      readonly headerBytes: number;
    }
  | { readonly at: 'body'; readonly left: number };

/** Follows the packets of one connection's incoming bytes, chunk by chunk. */
export class PacketSizeWatch {
  private state: State = { at: 'type' };

  constructor(private readonly maxPacketBytes: number) {}

  /** Reads a chunk; the first refused header, or null when every header so far was within the limit. */
  push(chunk: Uint8Array): OversizePacket | null {
    let offset = 0;
    while (offset < chunk.length) {
      const state = this.state;
      if (state.at === 'body') {
        const taken = Math.min(state.left, chunk.length - offset);
        offset += taken;
        this.state = state.left === taken ? { at: 'type' } : { at: 'body', left: state.left - taken };
        continue;
      }
      const byte = chunk[offset];
      offset += 1;
      if (state.at === 'type') {
        this.state = { at: 'length', value: 0, multiplier: 1, headerBytes: 1 };
        continue;
      }
      const value = state.value + (byte & 0x7f) * state.multiplier;
      const headerBytes = state.headerBytes + 1;
      if (byte & 0x80) {
        // At most 4 length bytes (MQTT 3.1.1 §2.2.3, 5.0 §1.5.5): a fifth is malformed.
        if (headerBytes > 4) return { packetBytes: null };
        this.state = { at: 'length', value, multiplier: state.multiplier * 128, headerBytes };
        continue;
      }
      if (headerBytes + value > this.maxPacketBytes) return { packetBytes: headerBytes + value };
      this.state = value === 0 ? { at: 'type' } : { at: 'body', left: value };
    }
    return null;
  }
}

/**
 * Drops the connection when an incoming packet announces more than `maxBytes`, before mqtt.js
 * buffers its body (the broker then re-sends nothing: the session is clean).
 */
export function watchPacketSizes(
  stream: Duplex,
  maxBytes: number,
  onOversize: (packetBytes: number | null) => void,
): Duplex {
  const watch = new PacketSizeWatch(maxBytes);
  const onData = (chunk: Buffer) => {
    const oversize = watch.push(chunk);
    if (oversize === null) return;
    stream.off('data', onData);
    onOversize(oversize.packetBytes);
    stream.destroy();
  };
  stream.on('data', onData);
  return stream;
}
