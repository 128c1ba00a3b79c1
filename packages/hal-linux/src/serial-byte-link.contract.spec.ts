import { byteLinkContract } from '@tsbms/hal/testing';
import { SerialByteLink } from './serial-byte-link';
import { startPtyPair } from './testing/pty-pair';

// The same cases as the memory link pair's in @tsbms/hal: each one on a fresh socat pty pair.
byteLinkContract('SerialByteLink over a socat pty pair', async () => {
  const pair = await startPtyPair();
  const a = new SerialByteLink({ path: pair.pathA });
  const b = new SerialByteLink({ path: pair.pathB });
  try {
    await a.open();
    await b.open();
  } catch (error) {
    await Promise.all([a.close(), b.close()]);
    await pair.stop();
    throw error;
  }
  return {
    a,
    b,
    // socat exits: both ptys vanish, as an unplugged adapter does.
    disconnect: () => pair.stop(),
    teardown: async () => {
      await Promise.all([a.close(), b.close()]);
      await pair.stop();
    },
  };
});
