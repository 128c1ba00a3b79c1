import { execFileSync } from 'node:child_process';
import { accessSync, closeSync, constants, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialByteLink } from './serial-byte-link';
import { loadNativeSerialBinding, readLineErrorCounts } from './serial-line-errors';
import { startPtyPair, type PtyPair } from './testing';

// The real addon (build/Release/tsbms_serial.node, built by npm ci) against the kernel.

let workDir: string;
beforeAll(() => (workDir = mkdtempSync(join(tmpdir(), 'tsbms-serial-errors-'))));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe('the serial error counters (TIOCGICOUNT)', () => {
  it('the addon was compiled with the ioctl number and struct size of <linux/serial.h> (checked by gcc)', () => {
    const source = join(workDir, 'icount.c');
    const program = join(workDir, 'icount');
    writeFileSync(
      source,
      [
        '#include <linux/serial.h>',
        '#include <stdio.h>',
        '#include <sys/ioctl.h>',
        'int main(void) {',
        '  printf("{\\"icountIoctl\\":%lu,\\"icountSize\\":%zu}", (unsigned long)TIOCGICOUNT,',
        '         sizeof(struct serial_icounter_struct));',
        '  return 0;',
        '}',
      ].join('\n'),
    );
    execFileSync('gcc', ['-o', program, source]);
    const fromHeader = JSON.parse(execFileSync(program, { encoding: 'utf8' }));
    expect(loadNativeSerialBinding().abi).toEqual(fromHeader);
    expect(fromHeader).toEqual({ icountIoctl: 0x545d, icountSize: 80 });
  });

  it('a device without counters reads as null: a pseudo-terminal (EINVAL/ENOTTY), /dev/null, a closed fd', () => {
    const binding = loadNativeSerialBinding();
    const master = openSync('/dev/ptmx', 'r+');
    const devNull = openSync('/dev/null', 'r');
    try {
      expect(() => binding.readLineErrorCounts(devNull)).toThrow(
        expect.objectContaining({ errno: 25, syscall: 'ioctl TIOCGICOUNT' }),
      );
      expect(readLineErrorCounts(master)).toBeNull();
      expect(readLineErrorCounts(devNull)).toBeNull();
    } finally {
      closeSync(master);
      closeSync(devNull);
    }
    expect(readLineErrorCounts(devNull)).toBeNull();
    expect(() => binding.readLineErrorCounts(-1)).toThrow('fd must be a file descriptor');
  });
});

describe('SerialByteLink.lineErrors()', () => {
  let pty: PtyPair;
  beforeAll(async () => (pty = await startPtyPair({ directory: workDir })));
  afterAll(() => pty.stop());

  it('over a pseudo-terminal: null (a pty counts nothing), and null once closed', async () => {
    const link = new SerialByteLink({ path: pty.pathA });
    await link.open();
    expect(link.lineErrors()).toBeNull();
    await link.close();
    expect(link.lineErrors()).toBeNull();
  });

  it('counts from the moment the port opened: the counters at open are subtracted', async () => {
    let frame = 40;
    const link = new SerialByteLink({
      path: pty.pathA,
      readLineErrors: () => ({ framingErrors: frame, overruns: 2 }),
    });
    await link.open();
    expect(link.lineErrors()).toEqual({ framingErrors: 0, overruns: 0 });
    frame += 3;
    expect(link.lineErrors()).toEqual({ framingErrors: 3, overruns: 0 });
    await link.close();
    expect(link.lineErrors()).toBeNull();
  });

  // A real UART where the machine has one (these VMs expose an 8250 at /dev/ttyS0, root only):
  // the kernel's counters through the addon, zero on an idle line.
  const uart = '/dev/ttyS0';
  const hasUart = (() => {
    try {
      accessSync(uart, constants.R_OK | constants.W_OK);
      return true;
    } catch {
      return false;
    }
  })();
  (hasUart ? it : it.skip)(
    `on the kernel UART ${uart} at 612500 baud: zero framing errors on an idle line`,
    async () => {
      const link = new SerialByteLink({ path: uart, baudRate: 612500 });
      await link.open();
      try {
        expect(link.lineErrors()).toEqual({ framingErrors: 0, overruns: 0 });
      } finally {
        await link.close();
      }
    },
  );
});
