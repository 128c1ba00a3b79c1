import { of } from 'rxjs';
import {
  describeReceived,
  requireFiniteNumber,
  requireFunction,
  requireObject,
  requireObservable,
  requirePort,
} from './argument-guards';
import { InvalidArgumentError } from './invalid-argument-error';
import { expectInvalidArgument } from './testing/invalid-argument';

class ModuleBoard {}

describe('InvalidArgumentError', () => {
  it('carries its code and context and says them in the message', () => {
    const error = new InvalidArgumentError('options.clock', 'a Clock (now, schedule)', 'undefined');
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      name: 'InvalidArgumentError',
      code: 'INVALID_ARGUMENT',
      argument: 'options.clock',
      expected: 'a Clock (now, schedule)',
      received: 'undefined',
    });
    expect(error.message).toBe('options.clock must be a Clock (now, schedule), got undefined');
  });
});

describe('describeReceived', () => {
  it.each([
    [undefined, 'undefined'],
    [null, 'null'],
    [5, 'number 5'],
    [Number.NaN, 'number NaN'],
    [true, 'boolean true'],
    [10n, 'bigint 10'],
    ['abc', 'string "abc"'],
    ['x'.repeat(50), `string "${'x'.repeat(40)}…"`],
    [Symbol('port'), 'Symbol(port)'],
    [ModuleBoard, 'function ModuleBoard'],
    [[1, 2, 3], 'an array of 3'],
    [{ write: 'secret' }, 'a plain object'],
    [Object.create(null), 'a plain object'],
    [new ModuleBoard(), 'a ModuleBoard'],
    [new InvalidArgumentError('a', 'b', 'c'), 'an InvalidArgumentError'],
  ])('describes %p as %s, never its contents', (value, description) => {
    expect(describeReceived(value)).toBe(description);
  });
});

describe('requirePort', () => {
  const members = { write: 'function', data$: 'observable' } as const;
  const port = { write: () => undefined, data$: of(1) };
  const require = (value: unknown) => requirePort(value, 'link', members, 'a ByteLink');

  it('accepts an object with every member of its kind, own or inherited, and extra members', () => {
    expect(() => require(port)).not.toThrow();
    expect(() => require(Object.assign(Object.create(port) as object, { isOpen: true }))).not.toThrow();
  });

  it.each([
    [undefined, 'undefined'],
    [null, 'null'],
    [5, 'number 5'],
    [[port], 'an array of 1'],
    [{}, 'a plain object without write, data$'],
    [{ data$: of(1) }, 'a plain object without write'],
    [{ write: 'now', data$: of(1) }, 'a plain object whose write is string "now"'],
    [{ write: () => undefined, data$: {} }, 'a plain object whose data$ is a plain object'],
    [{ data$: 5 }, 'a plain object without write and whose data$ is number 5'],
    [new ModuleBoard(), 'a ModuleBoard without write, data$'],
  ])('rejects %p naming the argument, the port and what it got', async (value, received) => {
    const error = await expectInvalidArgument(() => require(value), 'link');
    expect(error.expected).toBe('a ByteLink (write, data$)');
    expect(error.received).toBe(received);
    expect(error.message).toBe(`link must be a ByteLink (write, data$), got ${received}`);
  });
});

describe('the other guards', () => {
  it('requireObject accepts any non-array object', () => {
    expect(() => requireObject({}, 'options', 'options')).not.toThrow();
    expect(() => requireObject(new ModuleBoard(), 'options', 'options')).not.toThrow();
  });

  it.each([undefined, null, 5, 'options', [], () => undefined])('requireObject rejects %p', async (value) => {
    await expectInvalidArgument(() => requireObject(value, 'options', 'TeslaBus options'), 'options');
  });

  it('requireFunction accepts a function and rejects anything else', async () => {
    expect(() => requireFunction(() => undefined, 'options.openBus')).not.toThrow();
    const error = await expectInvalidArgument(
      () => requireFunction({}, 'options.openBus'),
      'options.openBus',
    );
    expect(error.expected).toBe('a function');
  });

  it.each([undefined, '4', Number.NaN, Infinity])('requireFiniteNumber rejects %p', async (value) => {
    expect(() => requireFiniteNumber(4, 'options.moduleCount')).not.toThrow();
    await expectInvalidArgument(
      () => requireFiniteNumber(value, 'options.moduleCount'),
      'options.moduleCount',
    );
  });

  it('requireObservable wants subscribe and pipe', async () => {
    expect(() => requireObservable(of(1), 'inputs$')).not.toThrow();
    const error = await expectInvalidArgument(
      () => requireObservable({ subscribe: () => undefined }, 'inputs$'),
      'inputs$',
    );
    expect(error.received).toBe('a plain object without pipe');
  });
});
