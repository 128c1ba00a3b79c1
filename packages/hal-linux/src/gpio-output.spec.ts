import * as fc from 'fast-check';
import { openGpioOutputs } from './gpio-output';
import { GPIO_LINES_MAX } from './gpio-request';
import { FakeGpioChips } from './testing';
import { thrownGpioError } from './spec-support/thrown-gpio-error';

const CHIP = '/dev/gpiochip0';
const LINES = { contactorNegative: 5, contactorPositive: 6, heater: 13 };

function open(chips: FakeGpioChips, options: { activeLow?: boolean; lines?: Record<string, number> } = {}) {
  return openGpioOutputs({
    chipPath: CHIP,
    lines: options.lines ?? LINES,
    activeLow: options.activeLow,
    binding: chips,
  });
}

describe('openGpioOutputs', () => {
  it('claims every configured line in one request, as consumer tsbms, all off', () => {
    const chips = new FakeGpioChips({ [CHIP]: 32 });
    const request = open(chips);
    expect(chips.calls).toEqual(['request /dev/gpiochip0 5,6,13']);
    expect(Object.keys(request.outputs)).toEqual(['contactorNegative', 'contactorPositive', 'heater']);
    for (const [name, line] of Object.entries(LINES)) {
      expect(request.outputs[name]).toMatchObject({ name, line, state: false });
      expect(chips.consumerOf(CHIP, line)).toBe('tsbms');
      expect(chips.physicalLevel(CHIP, line)).toBe(0);
    }
  });

  it('drives only the line of the output that is set, with one call', () => {
    const chips = new FakeGpioChips({ [CHIP]: 32 });
    const { outputs } = open(chips);
    outputs.contactorPositive.set(true);
    expect(chips.calls.slice(1)).toEqual(['set 20 #1 active']);
    expect(outputs.contactorPositive.state).toBe(true);
    expect([5, 6, 13].map((line) => chips.physicalLevel(CHIP, line))).toEqual([0, 1, 0]);
    outputs.contactorPositive.set(false);
    expect(chips.physicalLevel(CHIP, 6)).toBe(0);
    expect(outputs.contactorPositive.state).toBe(false);
  });

  it('writes a repeated level again, so a fail-safe off always reaches the pin', () => {
    const chips = new FakeGpioChips({ [CHIP]: 32 });
    const { outputs } = open(chips);
    outputs.heater.set(false);
    outputs.heater.set(false);
    expect(chips.calls.slice(1)).toEqual(['set 20 #2 inactive', 'set 20 #2 inactive']);
  });

  it('active low: the kernel inverts, so off and the initial state are a HIGH pin', () => {
    const chips = new FakeGpioChips({ [CHIP]: 32 });
    const { outputs } = open(chips, { activeLow: true });
    expect(chips.calls).toEqual(['request /dev/gpiochip0 5,6,13 active-low']);
    expect([5, 6, 13].map((line) => chips.physicalLevel(CHIP, line))).toEqual([1, 1, 1]);
    outputs.heater.set(true);
    expect(chips.physicalLevel(CHIP, 13)).toBe(0);
    expect(outputs.heater.state).toBe(true);
  });

  it('a refused set throws a GpioError naming chip, line and output, and keeps the old state', () => {
    const chips = new FakeGpioChips({ [CHIP]: 32 });
    const { outputs } = open(chips);
    chips.failNextSet('EIO');
    const error = thrownGpioError(() => outputs.contactorNegative.set(true));
    expect(error).toMatchObject({
      code: 'EIO',
      chipPath: CHIP,
      line: 5,
      output: 'contactorNegative',
      lines: [5, 6, 13],
      syscall: 'ioctl GPIO_V2_LINE_SET_VALUES_IOCTL',
    });
    expect(error.message).toMatch(/^GPIO \/dev\/gpiochip0 line 5 \(contactorNegative\): .*\(EIO\)$/);
    expect(outputs.contactorNegative.state).toBe(false);
    expect(chips.physicalLevel(CHIP, 5)).toBe(0);
  });

  it.each([
    ['a missing chip', { '/dev/gpiochip1': 32 }, LINES, 'ENOENT', 'open'],
    ['an offset the chip lacks', { [CHIP]: 8 }, LINES, 'EINVAL', 'ioctl GPIO_V2_GET_LINE_IOCTL'],
  ])('%s: a GpioError with the errno, naming the chip and the lines', (_, chipSpec, lines, code, syscall) => {
    const chips = new FakeGpioChips(chipSpec);
    const error = thrownGpioError(() => open(chips, { lines }));
    expect(error).toMatchObject({ code, syscall, chipPath: CHIP, lines: [5, 6, 13], line: null });
    expect(error.message).toContain('GPIO /dev/gpiochip0 lines 5,6,13: ');
  });

  it('lines held by another consumer: EBUSY, and nothing of the request is kept', () => {
    const chips = new FakeGpioChips({ [CHIP]: 32 });
    chips.requestOutputLines(CHIP, [13], 'someone-else', false);
    expect(thrownGpioError(() => open(chips)).code).toBe('EBUSY');
    expect(chips.consumerOf(CHIP, 5)).toBeNull();
    expect(chips.openRequests).toBe(1);
  });

  it.each([
    ['no lines', {}, 'no lines to request'],
    ['a negative offset', { heater: -1 }, 'heater: -1 is not a line offset'],
    ['a fractional offset', { heater: 1.5 }, 'heater: 1.5 is not a line offset'],
    ['an offset beyond 32 bits', { heater: 2 ** 32 }, 'heater: 4294967296 is not a line offset'],
    ['one line twice', { heater: 4, statusLed: 4 }, 'statusLed: line 4 is already heater'],
    [
      'more lines than one request takes',
      Object.fromEntries(Array.from({ length: GPIO_LINES_MAX + 1 }, (_, index) => [`out${index}`, index])),
      '65 lines: one request takes at most 64',
    ],
  ])('%s: INVALID_LINES before any system call', (_, lines, message) => {
    const chips = new FakeGpioChips({ [CHIP]: 128 });
    const error = thrownGpioError(() => open(chips, { lines }));
    expect(error.code).toBe('INVALID_LINES');
    expect(error.message).toContain(message);
    expect(chips.calls).toEqual([]);
  });

  it('an empty chip path is rejected before any system call', () => {
    const chips = new FakeGpioChips({ [CHIP]: 32 });
    const error = thrownGpioError(() => openGpioOutputs({ chipPath: '', lines: LINES, binding: chips }));
    expect(error.code).toBe('INVALID_LINES');
    expect(chips.calls).toEqual([]);
  });
});

describe('GpioOutputs.release', () => {
  it('switches every line off, then frees them; later sets throw RELEASED without a system call', () => {
    const chips = new FakeGpioChips({ [CHIP]: 32 });
    const request = open(chips);
    request.outputs.contactorPositive.set(true);
    request.outputs.heater.set(true);
    chips.calls.length = 0;
    request.release();
    expect(chips.calls).toEqual([
      'set 20 #0 inactive',
      'set 20 #1 inactive',
      'set 20 #2 inactive',
      'release 20',
    ]);
    expect(request.released).toBe(true);
    // Freed lines keep their level on most drivers: they were switched off first.
    expect([5, 6, 13].map((line) => [chips.physicalLevel(CHIP, line), chips.consumerOf(CHIP, line)])).toEqual(
      [
        [0, null],
        [0, null],
        [0, null],
      ],
    );
    chips.calls.length = 0;
    const error = thrownGpioError(() => request.outputs.heater.set(false));
    expect(error).toMatchObject({ code: 'RELEASED', line: 13, output: 'heater' });
    request.release();
    expect(chips.calls).toEqual([]);
  });

  it('still switches the other lines off and frees them when one set fails, then throws that failure', () => {
    const chips = new FakeGpioChips({ [CHIP]: 32 });
    const request = open(chips);
    request.outputs.contactorPositive.set(true);
    request.outputs.heater.set(true);
    chips.failNextSet('EIO');
    expect(thrownGpioError(() => request.release())).toMatchObject({
      code: 'EIO',
      output: 'contactorNegative',
    });
    expect(chips.physicalLevel(CHIP, 6)).toBe(0);
    expect(chips.physicalLevel(CHIP, 13)).toBe(0);
    expect(chips.openRequests).toBe(0);
    expect(request.released).toBe(true);
  });

  it('the freed lines can be requested again', () => {
    const chips = new FakeGpioChips({ [CHIP]: 32 });
    open(chips).release();
    expect(open(chips).outputs.heater.state).toBe(false);
  });
});

describe('GpioDigitalOutput levels (property)', () => {
  it('each pin follows the last level set on its own output, inverted when active low', () => {
    const names = Object.keys(LINES) as (keyof typeof LINES)[];
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.array(fc.tuple(fc.constantFrom(...names), fc.boolean()), { maxLength: 30 }),
        (activeLow, sets) => {
          const chips = new FakeGpioChips({ [CHIP]: 32 });
          const { outputs } = open(chips, { activeLow });
          const expected: Record<string, boolean> = {
            contactorNegative: false,
            contactorPositive: false,
            heater: false,
          };
          for (const [name, on] of sets) {
            outputs[name].set(on);
            expected[name] = on;
          }
          for (const name of names) {
            expect(outputs[name].state).toBe(expected[name]);
            expect(chips.physicalLevel(CHIP, LINES[name])).toBe(expected[name] !== activeLow ? 1 : 0);
          }
        },
      ),
    );
  });
});

describe('without the native addon', () => {
  it('NO_NATIVE_BINDING names the chip and the lines and says how to build it', () => {
    jest.isolateModules(() => {
      jest.doMock('./gpio-binding', () => ({
        loadNativeGpioBinding: () => {
          throw new Error("Cannot find module '/x/build/Release/tsbms_gpio.node'");
        },
      }));
      const isolated = require('./gpio-output') as typeof import('./gpio-output');
      // A fresh module registry: its GpioError is another class than the one imported above.
      let error: Error & { code?: string } = new Error('no error thrown');
      try {
        isolated.openGpioOutputs({ chipPath: CHIP, lines: LINES });
      } catch (caught) {
        error = caught as Error;
      }
      expect(error.name).toBe('GpioError');
      expect(error.code).toBe('NO_NATIVE_BINDING');
      expect(error.message).toBe(
        "GPIO /dev/gpiochip0 lines 5,6,13: the GPIO addon is not built (Cannot find module '/x/build/Release/tsbms_gpio.node'); run npm ci, or npm rebuild @tsbms/hal-linux",
      );
    });
  });
});
