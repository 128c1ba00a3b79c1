import * as fc from 'fast-check';
import { openGpioInputs } from './gpio-input';
import { openGpioOutputs } from './gpio-output';
import { FakeGpioChips } from './testing';
import { thrownGpioError } from './spec-support/thrown-gpio-error';

const CHIP = '/dev/gpiochip0';
const LINES = { contactorNegative: 22, contactorPrecharge: 23, contactorPositive: 24 };

function open(
  chips: FakeGpioChips,
  options: { activeLow?: boolean; lines?: Record<string, number>; bias?: 'pull-up' } = {},
) {
  return openGpioInputs({
    chipPath: CHIP,
    lines: options.lines ?? LINES,
    activeLow: options.activeLow,
    bias: options.bias,
    binding: chips,
  });
}

describe('openGpioInputs', () => {
  it('claims every configured line in one input request, as consumer tsbms, bias as-is by default', () => {
    const chips = new FakeGpioChips({ [CHIP]: 32 });
    const request = open(chips);
    expect(chips.calls).toEqual(['request input /dev/gpiochip0 22,23,24 bias as-is']);
    expect(Object.keys(request.inputs)).toEqual([
      'contactorNegative',
      'contactorPrecharge',
      'contactorPositive',
    ]);
    for (const [name, line] of Object.entries(LINES)) {
      expect(request.inputs[name]).toMatchObject({ name, line });
      expect(chips.consumerOf(CHIP, line)).toBe('tsbms');
      expect(chips.biasOf(CHIP, line)).toBe('as-is');
    }
  });

  it('passes the bias and active low to the request', () => {
    const chips = new FakeGpioChips({ [CHIP]: 32 });
    open(chips, { activeLow: true, bias: 'pull-up' });
    expect(chips.calls).toEqual(['request input /dev/gpiochip0 22,23,24 active-low bias pull-up']);
    expect(chips.biasOf(CHIP, 24)).toBe('pull-up');
  });

  it('reads only the line of the input that is read, with one call each time', () => {
    const chips = new FakeGpioChips({ [CHIP]: 32 });
    const { inputs } = open(chips);
    chips.setInputLevel(CHIP, 23, 1);
    expect(inputs.contactorPrecharge.read()).toBe(true);
    expect(inputs.contactorPositive.read()).toBe(false);
    chips.setInputLevel(CHIP, 23, 0);
    expect(inputs.contactorPrecharge.read()).toBe(false);
    expect(chips.calls.slice(1)).toEqual(['get 20 #1', 'get 20 #2', 'get 20 #1']);
  });

  it('active low: a contact pulling the pin LOW reads true (closed), a HIGH pin false', () => {
    const chips = new FakeGpioChips({ [CHIP]: 32 });
    chips.setInputLevel(CHIP, 22, 1);
    const { inputs } = open(chips, { activeLow: true });
    expect(inputs.contactorNegative.read()).toBe(false);
    chips.setInputLevel(CHIP, 22, 0);
    expect(inputs.contactorNegative.read()).toBe(true);
  });

  it('a refused read throws a GpioError naming chip, line and input', () => {
    const chips = new FakeGpioChips({ [CHIP]: 32 });
    const { inputs } = open(chips);
    chips.failNextGet('EIO');
    const error = thrownGpioError(() => inputs.contactorPositive.read());
    expect(error).toMatchObject({
      code: 'EIO',
      chipPath: CHIP,
      line: 24,
      output: 'contactorPositive',
      lines: [22, 23, 24],
      syscall: 'ioctl GPIO_V2_LINE_GET_VALUES_IOCTL',
    });
    expect(error.message).toMatch(/^GPIO \/dev\/gpiochip0 line 24 \(contactorPositive\): .*\(EIO\)$/);
    expect(inputs.contactorPositive.read()).toBe(false);
  });

  it.each([
    ['a missing chip', { '/dev/gpiochip1': 32 }, 'ENOENT', 'open'],
    ['an offset the chip lacks', { [CHIP]: 16 }, 'EINVAL', 'ioctl GPIO_V2_GET_LINE_IOCTL'],
  ])('%s: a GpioError with the errno, naming the chip and the lines', (_, chipSpec, code, syscall) => {
    const error = thrownGpioError(() => open(new FakeGpioChips(chipSpec)));
    expect(error).toMatchObject({ code, syscall, chipPath: CHIP, lines: [22, 23, 24], line: null });
    expect(error.message).toContain('GPIO /dev/gpiochip0 lines 22,23,24: ');
  });

  it('a line already claimed as an output: EBUSY, and nothing of the request is kept', () => {
    const chips = new FakeGpioChips({ [CHIP]: 32 });
    openGpioOutputs({ chipPath: CHIP, lines: { heater: 24 }, binding: chips });
    expect(thrownGpioError(() => open(chips)).code).toBe('EBUSY');
    expect(chips.consumerOf(CHIP, 22)).toBeNull();
    expect(chips.openRequests).toBe(1);
  });

  it.each([
    ['no lines', {}, 'no lines to request'],
    [
      'one line twice',
      { contactorNegative: 4, contactorPositive: 4 },
      'contactorPositive: line 4 is already',
    ],
  ])('%s: INVALID_LINES before any system call (the checks outputs get)', (_, lines, message) => {
    const chips = new FakeGpioChips({ [CHIP]: 32 });
    const error = thrownGpioError(() => open(chips, { lines }));
    expect(error.code).toBe('INVALID_LINES');
    expect(error.message).toContain(message);
    expect(chips.calls).toEqual([]);
  });
});

describe('GpioInputs.release', () => {
  it('frees the lines; later reads throw RELEASED without a system call; a second release does nothing', () => {
    const chips = new FakeGpioChips({ [CHIP]: 32 });
    const request = open(chips);
    request.release();
    expect(chips.calls.slice(1)).toEqual(['release 20']);
    expect(request.released).toBe(true);
    expect(chips.consumerOf(CHIP, 22)).toBeNull();
    chips.calls.length = 0;
    expect(thrownGpioError(() => request.inputs.contactorNegative.read())).toMatchObject({
      code: 'RELEASED',
      line: 22,
      output: 'contactorNegative',
    });
    request.release();
    expect(chips.calls).toEqual([]);
  });

  it('the freed lines can be requested again', () => {
    const chips = new FakeGpioChips({ [CHIP]: 32 });
    open(chips).release();
    expect(open(chips).inputs.contactorPositive.read()).toBe(false);
  });
});

describe('FakeGpioChips with inputs, as the kernel behaves', () => {
  it('setting a line of an input request is refused with EPERM', () => {
    const chips = new FakeGpioChips({ [CHIP]: 32 });
    const fd = chips.requestInputLines(CHIP, [3], 'tsbms', false, 'as-is');
    expect(() => chips.setLineValue(fd, 0, true)).toThrow(
      expect.objectContaining({ errno: 1, syscall: 'ioctl GPIO_V2_LINE_SET_VALUES_IOCTL' }),
    );
  });

  it('an output line reads back the level it drives; a read on a closed request is EBADF', () => {
    const chips = new FakeGpioChips({ [CHIP]: 32 });
    const fd = chips.requestOutputLines(CHIP, [3], 'tsbms', true);
    chips.setLineValue(fd, 0, true);
    expect(chips.getLineValue(fd, 0)).toBe(true);
    chips.releaseLines(fd);
    expect(() => chips.getLineValue(fd, 0)).toThrow(expect.objectContaining({ errno: 9 }));
  });

  it('the wiring cannot drive a line held as an output (a test bug, not a kernel error)', () => {
    const chips = new FakeGpioChips({ [CHIP]: 32 });
    chips.requestOutputLines(CHIP, [3], 'tsbms', false);
    expect(() => chips.setInputLevel(CHIP, 3, 1)).toThrow('line 3 on /dev/gpiochip0 is an output');
  });
});

describe('GpioDigitalInput levels (property)', () => {
  it('each read is the level on its own pin, inverted when active low', () => {
    const names = Object.keys(LINES) as (keyof typeof LINES)[];
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.array(fc.tuple(fc.constantFrom(...names), fc.constantFrom<0 | 1>(0, 1)), { maxLength: 30 }),
        (activeLow, wiring) => {
          const chips = new FakeGpioChips({ [CHIP]: 32 });
          const { inputs } = open(chips, { activeLow });
          const pins: Record<string, 0 | 1> = {
            contactorNegative: 0,
            contactorPrecharge: 0,
            contactorPositive: 0,
          };
          for (const [name, level] of wiring) {
            chips.setInputLevel(CHIP, LINES[name], level);
            pins[name] = level;
            for (const other of names) expect(inputs[other].read()).toBe((pins[other] === 1) !== activeLow);
          }
        },
      ),
    );
  });
});
