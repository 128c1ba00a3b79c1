import { EMPTY } from 'rxjs';
import { ManualClock, silentLogger } from '@tsbms/hal';
import { expectInvalidArgument, ScriptedLink } from '@tsbms/hal/testing';
import { TeslaBus } from './bus';
import { ModuleCommands } from './commands';
import { assignAddresses, discoverModules } from './discovery';
import { PackScanner } from './scan';
import { TeslaScanLoop } from './scan-loop';

/*
 * Plain JavaScript callers get no type checks: every public constructor and entry point that takes
 * a link, a bus, a clock or options rejects the wrong thing with InvalidArgumentError naming it.
 */

const clock = new ManualClock();
const link = new ScriptedLink({ clock });
const bus = new TeslaBus(link, { clock });
const noop = () => Promise.resolve();
const linkWithoutWrite = { data$: EMPTY, events$: EMPTY, isOpen: true, close: noop };
const busWithoutReadRegisters = { readRegister: noop, writeRegister: noop, broadcastRegister: noop };
const loopOptions = {
  link,
  clock,
  logger: silentLogger,
  moduleCount: 2,
  pollIntervalS: 1,
  hardwareThresholds: null,
  readWithCrc: true,
  replyTimeoutMs: 100,
};

// JavaScript callers: anything may arrive where a typed argument is declared.
type Call = (value: never) => unknown;

/** Wrong values for a port or a number; an options object given as `{}` is caught at its first member. */
const wrongValues: readonly [string, unknown][] = [
  ['undefined', undefined],
  ['a plain object', {}],
  ['a number as a string', '5'],
  ['null', null],
];
const wrongOptions: readonly [string, unknown][] = [
  ['undefined', undefined],
  ['a number', 5],
  ['an array', []],
  ['null', null],
];

const entryPoints: readonly [string, string, Call][] = [
  ['new TeslaBus', 'link', (value) => new TeslaBus(value, { clock })],
  ['new TeslaBus', 'options', (value) => new TeslaBus(link, value)],
  ['new TeslaBus', 'options.clock', (value) => new TeslaBus(link, { clock: value })],
  ['discoverModules', 'bus', (value) => discoverModules(value, { clock, expectedCount: 2 })],
  ['discoverModules', 'options.clock', (value) => discoverModules(bus, { clock: value, expectedCount: 2 })],
  [
    'discoverModules',
    'options.expectedCount',
    (value) => discoverModules(bus, { clock, expectedCount: value }),
  ],
  ['assignAddresses', 'bus', (value) => assignAddresses(value, { clock, expectedCount: 2 })],
  ['new ModuleCommands', 'bus', (value) => new ModuleCommands(value)],
  ['new PackScanner', 'bus', (value) => new PackScanner(value, { clock })],
  ['new PackScanner', 'options', (value) => new PackScanner(bus, value)],
  ['new TeslaScanLoop', 'options', (value) => new TeslaScanLoop(value)],
  ['new TeslaScanLoop', 'options.link', (value) => new TeslaScanLoop({ ...loopOptions, link: value })],
  ['new TeslaScanLoop', 'options.clock', (value) => new TeslaScanLoop({ ...loopOptions, clock: value })],
  ['new TeslaScanLoop', 'options.logger', (value) => new TeslaScanLoop({ ...loopOptions, logger: value })],
  [
    'new TeslaScanLoop',
    'options.moduleCount',
    (value) => new TeslaScanLoop({ ...loopOptions, moduleCount: value }),
  ],
  [
    'new TeslaScanLoop',
    'options.pollIntervalS',
    (value) => new TeslaScanLoop({ ...loopOptions, pollIntervalS: value }),
  ],
];

describe.each(entryPoints)('%s', (_, argument, call) => {
  it.each(argument === 'options' ? wrongOptions : wrongValues)(
    `rejects ${argument} = %s with InvalidArgumentError naming it`,
    async (__, value) => {
      const error = await expectInvalidArgument(() => call(value as never), argument);
      expect(error.message).toContain(`${argument} must be `);
    },
  );
});

describe('ports missing one member', () => {
  it('TeslaBus names the missing write', async () => {
    const error = await expectInvalidArgument(
      () => new TeslaBus(linkWithoutWrite as never, { clock }),
      'link',
    );
    expect(error.received).toBe('a plain object without write');
  });

  it.each([
    ['discoverModules', () => discoverModules(busWithoutReadRegisters as never, { clock, expectedCount: 2 })],
    ['ModuleCommands', () => new ModuleCommands(busWithoutReadRegisters as never)],
    ['PackScanner', () => new PackScanner(busWithoutReadRegisters as never, { clock })],
  ])('%s names the missing readRegisters', async (_, call) => {
    const error = await expectInvalidArgument(call, 'bus');
    expect(error.received).toBe('a plain object without readRegisters');
  });

  it('a clock without schedule (a Date-like { now }) is named', async () => {
    const error = await expectInvalidArgument(
      () => new PackScanner(bus, { clock: { now: () => 0 } as never }),
      'options.clock',
    );
    expect(error.received).toBe('a plain object without schedule');
  });

  it('the link of a TeslaScanLoop is checked before anything is built on it', async () => {
    const error = await expectInvalidArgument(
      () => new TeslaScanLoop({ ...loopOptions, link: 5 as never }),
      'options.link',
    );
    expect(error.received).toBe('number 5');
  });
});
