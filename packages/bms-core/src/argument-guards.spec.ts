import { EMPTY } from 'rxjs';
import { buildBatteryModelConfig } from '@tsbms/battery-model';
import { buildControlConfig } from '@tsbms/control';
import { buildFaultEngineConfig } from '@tsbms/fault-engine';
import { ManualClock, silentLogger } from '@tsbms/hal';
import { expectInvalidArgument } from '@tsbms/hal/testing';
import { createBms, type BmsOptions } from './create-bms';
import { BmsSupervisor, type SupervisorOptions } from './supervisor';
import { FakePackSource, simulatedRelays } from './testing';

/*
 * Plain JavaScript callers get no type checks: the core's entry points reject a wrong source,
 * clock, logger, configuration or relay with InvalidArgumentError naming it, before anything runs.
 */

const clock = new ManualClock();
const config = {
  batteryModel: buildBatteryModelConfig({ moduleCount: 1, parallelStringCount: 1 }),
  faultEngine: buildFaultEngineConfig({}),
  control: buildControlConfig({ moduleCount: 1, pollIntervalS: 1 }),
};
const bmsOptions: BmsOptions = {
  source: new FakePackSource(EMPTY, 1),
  clock,
  logger: silentLogger,
  config,
  relays: simulatedRelays(clock),
};
const supervisorOptions: SupervisorOptions<unknown, { config: unknown }> = {
  startCore: () => {
    throw new Error('not started in these tests');
  },
  clock,
  logger: silentLogger,
  configSource: {
    config: () => ({}),
    update: () => ({ config: {}, changedPaths: [] }),
    checkpoint: () => ({ config: {} }),
    restore: () => ({}),
  },
  relays: simulatedRelays(clock),
  contactorFeedback: {},
  services: [],
  stateStore: null,
};

const wrongValues: readonly [string, unknown][] = [
  ['undefined', undefined],
  ['a plain object', {}],
  ['a number', 5],
];

/** The options with `path` (`'relays.heater'`) set to `value`. */
function withValue<T extends object>(options: T, path: string, value: unknown): T {
  const [head, ...rest] = path.split('.');
  const inner: unknown = Reflect.get(options, head);
  return {
    ...options,
    [head]: rest.length === 0 ? value : withValue(inner as object, rest.join('.'), value),
  };
}

describe('createBms', () => {
  it('runs on valid options', async () => {
    await expect(createBms(bmsOptions).stop()).resolves.toBeUndefined();
  });

  it.each([undefined, null, 5])('rejects options = %p', async (options) => {
    await expectInvalidArgument(() => createBms(options as never), 'options');
  });

  // A plain {} is a valid relays object (none configured); a configuration's contents are its builder's.
  const notAnObject = wrongValues.filter(([, value]) => typeof value !== 'object');
  describe.each([
    ['source', wrongValues],
    ['clock', wrongValues],
    ['logger', wrongValues],
    ['config', notAnObject],
    ['config.faultEngine', notAnObject],
    ['relays', notAnObject],
  ] as const)('options.%s', (path, values) => {
    it.each(values)('rejects %s', async (_, value) => {
      await expectInvalidArgument(() => createBms(withValue(bmsOptions, path, value)), `options.${path}`);
    });
  });

  it.each([
    ['source', { readings$: EMPTY, start: () => undefined, stop: async () => undefined }, 'setBalancing'],
    ['clock', { now: () => 0 }, 'schedule'],
    ['logger', { info: () => undefined, error: () => undefined }, 'warn'],
  ])('names the member options.%s lacks', async (name, value, member) => {
    const error = await expectInvalidArgument(
      () => createBms(withValue(bmsOptions, name, value)),
      `options.${name}`,
    );
    expect(error.received).toBe(`a plain object without ${member}`);
  });

  it('rejects a relay that is not a DigitalOutput, before the fail-safe would need it', async () => {
    const error = await expectInvalidArgument(
      () => createBms(withValue(bmsOptions, 'relays.contactorPositive', { name: 'contactorPositive' })),
      'options.relays.contactorPositive',
    );
    expect(error.received).toBe('a plain object without set');
  });

  it('names the first library configuration a plain {} config lacks', async () => {
    const error = await expectInvalidArgument(
      () => createBms({ ...bmsOptions, config: {} as never }),
      'options.config.batteryModel',
    );
    expect(error.expected).toBe('the result of buildBatteryModelConfig()');
  });

  it('accepts relays left out (no pin configured)', () => {
    const bms = createBms({ ...bmsOptions, relays: {} });
    return bms.stop();
  });

  it('rejects feedback that is not an object of DigitalInputs, naming the input', async () => {
    await expectInvalidArgument(
      () => createBms({ ...bmsOptions, contactorFeedback: 5 as never }),
      'options.contactorFeedback',
    );
    const error = await expectInvalidArgument(
      () =>
        createBms({
          ...bmsOptions,
          contactorFeedback: { contactorPositive: { name: 'contactorPositive' } as never },
        }),
      'options.contactorFeedback.contactorPositive',
    );
    expect(error.received).toBe('a plain object without read');
  });

  it('rejects notices that are not a list of strings', async () => {
    await expectInvalidArgument(
      () => createBms({ ...bmsOptions, notices: ['ok', 3] as never }),
      'options.notices',
    );
  });

  it('rejects a status callback that is not a function', async () => {
    await expectInvalidArgument(
      () => createBms({ ...bmsOptions, outputStatus: {} as never }),
      'options.outputStatus',
    );
  });
});

describe('BmsSupervisor', () => {
  it('is built from valid options', () => {
    expect(() => new BmsSupervisor(supervisorOptions)).not.toThrow();
  });

  it.each([
    ['startCore', undefined],
    ['clock', {}],
    ['logger', 5],
    ['configSource', { config: () => ({}) }],
    ['relays', undefined],
    ['relays.heater', {}],
    ['contactorFeedback', 5],
    ['contactorFeedback.contactorNegative', {}],
    ['services', {}],
    ['services', [() => undefined, 'probe']],
    ['stateStore', undefined],
    ['stateStore', {}],
    ['sessionTasks', 5],
  ])('rejects options.%s = %p', async (path, value) => {
    const argument = Array.isArray(value) ? `options.${path}[1]` : `options.${path}`;
    await expectInvalidArgument(() => new BmsSupervisor(withValue(supervisorOptions, path, value)), argument);
  });
});
