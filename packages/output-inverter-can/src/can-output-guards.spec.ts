import { EMPTY } from 'rxjs';
import { FakeOutputContext } from '@tsbms/bms-core/testing';
import { expectInvalidArgument } from '@tsbms/hal/testing';
import { CanOutput, inverterCanOutput, type CanOutputOptions } from './can-output';
import { FakeCanBus } from './testing/fake-can-bus';
import { packStatus, TWO_BY_TWO_SETTINGS } from './testing/pack-status';

/* Plain JavaScript callers get no type checks: a wrong bus, context or option is named at once. */

const options: CanOutputOptions = {
  firmwareVersion: '0.1.0',
  openBus: (settings) => new FakeCanBus(settings),
};
const context = () => new FakeOutputContext({ settings: TWO_BY_TWO_SETTINGS, status: packStatus() });

describe('inverterCanOutput', () => {
  it.each([
    ['options', undefined],
    ['options', 5],
    ['options.openBus', {}],
    ['options.openBus', { firmwareVersion: '0.1.0', openBus: new FakeCanBus({} as never) }],
  ])('rejects a wrong %s when the application is wired', async (argument, value) => {
    await expectInvalidArgument(() => inverterCanOutput(value as never), argument);
  });
});

describe('new CanOutput(context, options)', () => {
  it.each([
    ['context', undefined, 'undefined'],
    ['context', {}, 'a plain object without settings, status, status$'],
    ['context', 5, 'number 5'],
  ])('rejects %s = %p', async (argument, value, received) => {
    const error = await expectInvalidArgument(() => new CanOutput(value as never, options), argument);
    expect(error.received).toBe(received);
  });

  it('rejects a context without a clock', async () => {
    const withoutClock = Object.assign(context(), { clock: undefined });
    await expectInvalidArgument(() => new CanOutput(withoutClock, options), 'context.clock');
  });

  it.each([
    ['undefined', undefined],
    ['a plain object', {}],
    [
      'a CanBus without open',
      { frames$: EMPTY, events$: EMPTY, send: async () => undefined, close: async () => undefined },
    ],
    ['a number', 5],
  ])('rejects a bus from openBus that is %s', async (_, bus) => {
    const error = await expectInvalidArgument(
      () => new CanOutput(context(), { ...options, openBus: () => bus as never }),
      'options.openBus(settings)',
    );
    expect(error.expected).toBe('a CanOutputBus (frames$, events$, send, close, open)');
  });
});
