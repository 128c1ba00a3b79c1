import { Subscription } from 'rxjs';
import type { ByteLink } from '@tsbms/hal';

/**
 * Joins two byte links: what arrives on one is written to the other, chunk by chunk, in order.
 * Write failures (the far side closed) are reported, never thrown, so a lost serial device does
 * not take the emulator down; unsubscribing ends the bridge.
 */
export function bridgeLinks(a: ByteLink, b: ByteLink, onWriteError: (error: Error) => void): Subscription {
  const bridge = new Subscription();
  bridge.add(a.data$.subscribe((chunk) => void b.write(chunk).catch(onWriteError)));
  bridge.add(b.data$.subscribe((chunk) => void a.write(chunk).catch(onWriteError)));
  return bridge;
}
