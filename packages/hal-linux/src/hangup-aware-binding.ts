import { read } from 'node:fs';
import { promisify } from 'node:util';
import { LinuxBinding, type LinuxBindingInterface } from '@serialport/bindings-cpp';
// Internal module of the pinned bindings-cpp 13.0.0; its read loop takes the fs read to use.
import { unixRead } from '@serialport/bindings-cpp/dist/unix-read';

const readAsync = promisify(read);

/** What a read of a hung-up tty reports instead of end of file. */
export const TTY_HUNG_UP_MESSAGE = 'tty hung up (read returned end of file)';

/**
 * bindings-cpp 13 retries a read that returns 0 bytes, forever (serialport/bindings-cpp#162; the
 * fix, PR #164, was not merged). A Linux tty returns 0 only once it is hung up: a USB adapter
 * unplugged, the other end of a pty gone. The port would then spin at full CPU and never report
 * the loss. Raising an error instead makes the stream treat it as a disconnect and close the port.
 * (The cast: unixRead calls only the (fd, buffer, offset, length, position) form of fs.read.)
 */
const readFailingWhenHungUp = (async (
  fd: number,
  buffer: Buffer,
  offset: number,
  length: number,
  position: number | null,
) => {
  const result = await readAsync(fd, buffer, offset, length, position);
  if (result.bytesRead === 0) throw Object.assign(new Error(TTY_HUNG_UP_MESSAGE), { code: 'EIO' });
  return result;
}) as typeof readAsync;

/** The serialport Linux binding, with hangup reported as a read error. */
export const hangupAwareLinuxBinding: LinuxBindingInterface = {
  list: () => LinuxBinding.list(),
  async open(options) {
    const port = await LinuxBinding.open(options);
    port.read = (buffer, offset, length) =>
      unixRead({ binding: port, buffer, offset, length, fsReadAsync: readFailingWhenHungUp });
    return port;
  },
};
