import { ManualClock } from '@tsbms/hal';
import { expectInvalidArgument } from '@tsbms/hal/testing';
import { EmulatedChain } from './emulated-chain';
import { EmulatorError } from './errors';

/* Plain JavaScript callers get no type checks: the options and the clock are checked at construction. */

describe('new EmulatedChain(options)', () => {
  it.each([
    ['undefined', undefined],
    ['a number', 2],
    ['null', null],
  ])('rejects options = %s with InvalidArgumentError naming options', async (_, options) => {
    await expectInvalidArgument(() => new EmulatedChain(options as never), 'options');
  });

  it.each([
    ['undefined', undefined, 'undefined'],
    ['a plain object', {}, 'a plain object without now, schedule'],
    ['a clock without schedule', { now: () => 0 }, 'a plain object without schedule'],
    ['a number', 0, 'number 0'],
  ])('rejects clock = %s with InvalidArgumentError naming options.clock', async (_, clock, received) => {
    const error = await expectInvalidArgument(
      () => new EmulatedChain({ clock: clock as never, modules: 2 }),
      'options.clock',
    );
    expect(error.received).toBe(received);
  });

  it('leaves the option values to their own EmulatorError', () => {
    expect(() => new EmulatedChain({ clock: new ManualClock(), modules: 'two' as never })).toThrow(
      EmulatorError,
    );
  });
});
