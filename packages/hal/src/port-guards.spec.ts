import { asyncScheduler, Subject } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { systemClock } from './clock';
import { SimulatedDigitalInput } from './digital-input';
import { SimulatedDigitalOutput } from './digital-output';
import { silentLogger } from './logger';
import { ManualClock } from './manual-clock';
import {
  requireByteLink,
  requireCanBus,
  requireClock,
  requireDigitalInput,
  requireDigitalOutput,
  requireCurrentSource,
  requireI2cBus,
  requireLogger,
} from './port-guards';
import { createMemoryLinkPair, MemoryCanBus, MemoryI2cBus } from './testing/fakes';
import { expectInvalidArgument } from './testing/invalid-argument';
import { RecordingLogger } from './testing/recording-logger';

const clock = new ManualClock();

/** Every port guard, a real implementation it accepts and one member it needs. */
const guards = [
  {
    name: 'requireByteLink',
    guard: requireByteLink,
    valid: () => createMemoryLinkPair({ clock }).a,
    member: 'write',
  },
  {
    name: 'requireCanBus',
    guard: requireCanBus,
    valid: () => new MemoryCanBus({ clock }).attach(),
    member: 'send',
  },
  { name: 'requireClock', guard: requireClock, valid: () => new ManualClock(), member: 'schedule' },
  {
    name: 'requireDigitalOutput',
    guard: requireDigitalOutput,
    valid: () => new SimulatedDigitalOutput('heater', clock),
    member: 'set',
  },
  {
    name: 'requireDigitalInput',
    guard: requireDigitalInput,
    valid: () => new SimulatedDigitalInput('contactorPositive'),
    member: 'read',
  },
  { name: 'requireLogger', guard: requireLogger, valid: () => new RecordingLogger(), member: 'warn' },
  { name: 'requireI2cBus', guard: requireI2cBus, valid: () => new MemoryI2cBus(), member: 'readWord' },
  {
    name: 'requireCurrentSource',
    guard: requireCurrentSource,
    valid: () => ({
      current$: new Subject(),
      counters: () => ({ samples: 0, dropped: 0 }),
      close: async () => undefined,
    }),
    member: 'current$',
  },
];

describe.each(guards)('$name', ({ guard, valid, member }) => {
  it('accepts the real thing', () => {
    expect(() => guard(valid(), 'port')).not.toThrow();
  });

  it.each([
    ['undefined', undefined],
    ['a plain object', {}],
    ['a number', 5],
  ])('rejects %s naming the argument', async (_, value) => {
    await expectInvalidArgument(() => guard(value, 'options.port'), 'options.port');
  });

  it(`rejects an object without ${member}`, async () => {
    // A copy of the real thing's members (own and inherited), one left out.
    const port = valid() as object;
    const copy: Record<string, unknown> = {};
    for (
      let o: object | null = port;
      o && o !== Object.prototype;
      o = Object.getPrototypeOf(o) as object | null
    ) {
      for (const key of Object.getOwnPropertyNames(o)) if (!(key in copy)) copy[key] = Reflect.get(port, key);
    }
    delete copy[member];
    const error = await expectInvalidArgument(() => guard(copy, 'options.port'), 'options.port');
    expect(error.received).toBe(`a plain object without ${member}`);
  });
});

describe('requireClock', () => {
  it('accepts every scheduler the libraries are run on', () => {
    for (const scheduler of [systemClock, asyncScheduler, new TestScheduler(() => undefined)]) {
      expect(() => requireClock(scheduler, 'clock')).not.toThrow();
    }
  });

  it('names the class a consumer passed instead of a clock', async () => {
    const error = await expectInvalidArgument(() => requireClock(Date, 'options.clock'), 'options.clock');
    expect(error.message).toBe('options.clock must be a Clock (now, schedule), got function Date');
  });
});

describe('requireLogger', () => {
  it('accepts a pino-shaped object and the silent logger', () => {
    const pinoLike = { info: () => undefined, warn: () => undefined, error: () => undefined, child: () => 0 };
    expect(() => requireLogger(pinoLike, 'logger')).not.toThrow();
    expect(() => requireLogger(silentLogger, 'logger')).not.toThrow();
  });
});

describe('requireByteLink', () => {
  it('says which observable is wrong', async () => {
    const link = { data$: new Subject(), events$: 'events', write: () => undefined, close: () => undefined };
    const error = await expectInvalidArgument(() => requireByteLink(link, 'link'), 'link');
    expect(error.received).toBe('a plain object whose events$ is string "events"');
  });
});
