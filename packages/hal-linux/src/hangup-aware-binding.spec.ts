import { LinuxBinding } from '@serialport/bindings-cpp';
import { hangupAwareLinuxBinding, TTY_HUNG_UP_MESSAGE } from './hangup-aware-binding';
import { startPtyPair } from './testing/pty-pair';

describe('hangupAwareLinuxBinding', () => {
  it('reads what arrives, like the plain Linux binding', async () => {
    const pair = await startPtyPair();
    const reader = await hangupAwareLinuxBinding.open({ path: pair.pathA, baudRate: 612500 });
    const writer = await LinuxBinding.open({ path: pair.pathB, baudRate: 612500 });
    try {
      await writer.write(Buffer.from([0x7f, 0x3c, 0xa5, 0x57]));
      const buffer = Buffer.alloc(16);
      const { bytesRead } = await reader.read(buffer, 0, 16);
      expect(bytesRead).toBeGreaterThan(0);
      expect([...buffer.subarray(0, bytesRead)]).toEqual([0x7f, 0x3c, 0xa5, 0x57].slice(0, bytesRead));
    } finally {
      await reader.close();
      await writer.close();
      await pair.stop();
    }
  });

  it('fails a read of a hung-up tty instead of retrying end of file forever', async () => {
    const pair = await startPtyPair();
    const port = await hangupAwareLinuxBinding.open({ path: pair.pathB, baudRate: 612500 });
    try {
      await pair.stop();
      await expect(port.read(Buffer.alloc(16), 0, 16)).rejects.toThrow(TTY_HUNG_UP_MESSAGE);
    } finally {
      await port.close();
    }
  });
});
