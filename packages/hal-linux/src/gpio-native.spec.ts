import { execFileSync } from 'node:child_process';
import { closeSync, fstatSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadNativeGpioBinding } from './gpio-binding';
import { openGpioInputs } from './gpio-input';
import { openGpioOutputs } from './gpio-output';
import { thrownGpioError } from './spec-support/thrown-gpio-error';

// The real addon (build/Release/tsbms_gpio.node, built by npm ci). This machine has no GPIO chip,
// so these tests cover what the kernel does without one; the fake chip covers the rest.

const LINES = { contactorPositive: 5, heater: 6 };

let workDir: string;
beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'tsbms-gpio-'));
});
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe('the native GPIO addon', () => {
  it('was compiled with the ioctl numbers and struct sizes of <linux/gpio.h> (checked by gcc)', () => {
    const source = join(workDir, 'abi.c');
    const program = join(workDir, 'abi');
    writeFileSync(
      source,
      [
        '#include <linux/gpio.h>',
        '#include <stdio.h>',
        'int main(void) {',
        '  printf("{\\"getLineIoctl\\":%lu,\\"setValuesIoctl\\":%lu,\\"getValuesIoctl\\":%lu,",',
        '         (unsigned long)GPIO_V2_GET_LINE_IOCTL, (unsigned long)GPIO_V2_LINE_SET_VALUES_IOCTL,',
        '         (unsigned long)GPIO_V2_LINE_GET_VALUES_IOCTL);',
        '  printf("\\"lineRequestSize\\":%zu,", sizeof(struct gpio_v2_line_request));',
        '  printf("\\"lineValuesSize\\":%zu,\\"linesMax\\":%d}", sizeof(struct gpio_v2_line_values), GPIO_V2_LINES_MAX);',
        '  return 0;',
        '}',
      ].join('\n'),
    );
    execFileSync('gcc', ['-o', program, source]);
    const fromHeader = JSON.parse(execFileSync(program, { encoding: 'utf8' }));
    expect(loadNativeGpioBinding().abi).toEqual(fromHeader);
    // The uAPI v2 ABI is fixed; a header that disagrees is not the one the kernel speaks.
    expect(fromHeader).toEqual({
      getLineIoctl: 0xc250b407,
      setValuesIoctl: 0xc010b40f,
      getValuesIoctl: 0xc010b40e,
      lineRequestSize: 592,
      lineValuesSize: 16,
      linesMax: 64,
    });
  });

  it('a missing chip: ENOENT from open, naming the chip and the lines', () => {
    const chipPath = join(workDir, 'gpiochip9');
    const error = thrownGpioError(() => openGpioOutputs({ chipPath, lines: LINES }));
    expect(error).toMatchObject({ code: 'ENOENT', syscall: 'open', errno: 2, chipPath, lines: [5, 6] });
    expect(error.message).toBe(`GPIO ${chipPath} lines 5,6: open failed: No such file or directory (ENOENT)`);
  });

  it.each([
    ['/dev/null', () => '/dev/null'],
    [
      'a regular file',
      () => {
        const path = join(workDir, 'not-a-chip');
        writeFileSync(path, '');
        return path;
      },
    ],
  ])('%s as the chip: ENOTTY from the line request ioctl, naming chip and lines', (_, chipPathOf) => {
    const chipPath = chipPathOf();
    const error = thrownGpioError(() => openGpioOutputs({ chipPath, lines: LINES, activeLow: true }));
    expect(error).toMatchObject({
      code: 'ENOTTY',
      syscall: 'ioctl GPIO_V2_GET_LINE_IOCTL',
      chipPath,
      lines: [5, 6],
    });
    expect(error.message).toBe(
      `GPIO ${chipPath} lines 5,6: ioctl GPIO_V2_GET_LINE_IOCTL failed: Inappropriate ioctl for device (ENOTTY)`,
    );
  });

  it('set on an fd that is not a line request: ENOTTY; on a closed fd: EBADF', () => {
    const binding = loadNativeGpioBinding();
    const fd = openSync(join(workDir, 'plain'), 'w');
    expect(() => binding.setLineValue(fd, 0, true)).toThrow(
      expect.objectContaining({ errno: 25, syscall: 'ioctl GPIO_V2_LINE_SET_VALUES_IOCTL' }),
    );
    closeSync(fd);
    expect(() => binding.setLineValue(fd, 0, false)).toThrow(expect.objectContaining({ errno: 9 }));
  });

  it('inputs on a missing chip: ENOENT from open; on /dev/null: ENOTTY from the line request ioctl', () => {
    const chipPath = join(workDir, 'gpiochip8');
    const missing = thrownGpioError(() =>
      openGpioInputs({ chipPath, lines: LINES, activeLow: true, bias: 'pull-up' }),
    );
    expect(missing).toMatchObject({ code: 'ENOENT', syscall: 'open', chipPath, lines: [5, 6] });
    const notChip = thrownGpioError(() => openGpioInputs({ chipPath: '/dev/null', lines: LINES }));
    expect(notChip).toMatchObject({ code: 'ENOTTY', syscall: 'ioctl GPIO_V2_GET_LINE_IOCTL', lines: [5, 6] });
  });

  it('get on an fd that is not a line request: ENOTTY; on a closed fd: EBADF', () => {
    const binding = loadNativeGpioBinding();
    const fd = openSync(join(workDir, 'plain-input'), 'w');
    expect(() => binding.getLineValue(fd, 0)).toThrow(
      expect.objectContaining({ errno: 25, syscall: 'ioctl GPIO_V2_LINE_GET_VALUES_IOCTL' }),
    );
    closeSync(fd);
    expect(() => binding.getLineValue(fd, 0)).toThrow(expect.objectContaining({ errno: 9 }));
  });

  it('releaseLines closes the fd', () => {
    const binding = loadNativeGpioBinding();
    const fd = openSync(join(workDir, 'released'), 'w');
    binding.releaseLines(fd);
    expect(() => fstatSync(fd)).toThrow(expect.objectContaining({ code: 'EBADF' }));
    expect(() => binding.releaseLines(fd)).toThrow(expect.objectContaining({ errno: 9, syscall: 'close' }));
  });

  it.each([
    ['no offsets', ['/dev/null', [], 'tsbms', false]],
    ['65 offsets', ['/dev/null', Array.from({ length: 65 }, (_, index) => index), 'tsbms', false]],
    ['an empty chip path', ['', [1], 'tsbms', false]],
    ['a non-boolean activeLow', ['/dev/null', [1], 'tsbms', 'yes']],
  ])('rejects %s with a TypeError before any system call', (_, args) => {
    const request = loadNativeGpioBinding().requestOutputLines as (...values: unknown[]) => number;
    // Thrown by the addon in Node's own realm, so compared by name rather than instanceof.
    expect(() => request(...args)).toThrow(expect.objectContaining({ name: 'TypeError' }));
  });

  it.each([
    ['an unknown bias', ['/dev/null', [1], 'tsbms', false, 'pull-sideways']],
    ['a missing bias', ['/dev/null', [1], 'tsbms', false]],
    ['no offsets', ['/dev/null', [], 'tsbms', false, 'as-is']],
    ['a non-boolean activeLow', ['/dev/null', [1], 'tsbms', 1, 'as-is']],
  ])('rejects inputs with %s with a TypeError before any system call', (_, args) => {
    const request = loadNativeGpioBinding().requestInputLines as (...values: unknown[]) => number;
    expect(() => request(...args)).toThrow(expect.objectContaining({ name: 'TypeError' }));
  });

  it('rejects a line index beyond 63 with a TypeError', () => {
    expect(() => loadNativeGpioBinding().setLineValue(0, 64, true)).toThrow(
      expect.objectContaining({ name: 'TypeError', message: 'setLineValue(fd, index 0..63, active)' }),
    );
    expect(() => loadNativeGpioBinding().getLineValue(0, 64)).toThrow(
      expect.objectContaining({ name: 'TypeError', message: 'getLineValue(fd, index 0..63)' }),
    );
  });
});
