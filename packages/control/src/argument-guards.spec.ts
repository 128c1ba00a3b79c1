import { NEVER } from 'rxjs';
import { ManualClock } from '@tsbms/hal';
import { expectInvalidArgument } from '@tsbms/hal/testing';
import { buildControlConfig } from './config';
import { createControl, type ControlOptions } from './control';

/* Plain JavaScript callers get no type checks: createControl rejects a wrong stream, config or clock. */

const options: ControlOptions = { config: buildControlConfig({ moduleCount: 2 }), clock: new ManualClock() };

describe('createControl', () => {
  it('accepts an observable and valid options', () => {
    expect(() => createControl(NEVER, options)).not.toThrow();
  });

  it.each([
    ['undefined', undefined, 'undefined'],
    ['a plain object', {}, 'a plain object without subscribe, pipe'],
    ['an array of inputs', [], 'an array of 0'],
    ['a number', 5, 'number 5'],
  ])('rejects inputs$ = %s', async (_, inputs$, received) => {
    const error = await expectInvalidArgument(() => createControl(inputs$ as never, options), 'inputs$');
    expect(error.received).toBe(received);
  });

  it.each([
    ['options', undefined],
    ['options', 5],
    ['options.config', { ...options, config: undefined }],
    ['options.clock', { ...options, clock: undefined }],
    ['options.clock', { ...options, clock: {} }],
    ['options.clock', { ...options, clock: { schedule: () => undefined } }],
    ['options.clock', { ...options, clock: 5 }],
    ['options.config$', { ...options, config$: {} }],
    ['options.contactorCommands$', { ...options, contactorCommands$: {} }],
    ['options.balancingCommands$', { ...options, balancingCommands$: {} }],
  ])('rejects a wrong %s', async (argument, value) => {
    await expectInvalidArgument(() => createControl(NEVER, value as never), argument);
  });
});
