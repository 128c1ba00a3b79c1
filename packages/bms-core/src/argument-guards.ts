import {
  describeReceived,
  InvalidArgumentError,
  requireDigitalInput,
  requireDigitalOutput,
  requireFunction,
  requireObject,
  requirePort,
  type PortMembers,
} from '@tsbms/hal';
import type { PackSource } from '@tsbms/pack-reading';
import { FEEDBACK_RELAYS, type ContactorFeedback } from './contactor-feedback';
import type { BmsRelays } from './relays';

/*
 * Guards of the core's entry points (createBms, BmsSupervisor) for what only they take: a pack
 * source, the relays, the library configurations, the supervisor's ports. Each throws hal's
 * InvalidArgumentError naming the argument.
 */

const PACK_SOURCE_MEMBERS: PortMembers = {
  readings$: 'observable',
  start: 'function',
  setBalancing: 'function',
  stop: 'function',
};

const CONFIG_SOURCE_MEMBERS: PortMembers = {
  config: 'function',
  update: 'function',
  checkpoint: 'function',
  restore: 'function',
};

const STATE_STORE_MEMBERS: PortMembers = { loadState: 'function', save: 'function', status: 'function' };

/** Every relay name, so that one added to BmsRelays cannot be left unchecked. */
const RELAY_NAMES: Readonly<Record<keyof BmsRelays, true>> = {
  contactorNegative: true,
  contactorPrecharge: true,
  contactorPositive: true,
  heater: true,
  statusLed: true,
};

const LIBRARY_CONFIG_BUILDERS = {
  batteryModel: 'buildBatteryModelConfig',
  faultEngine: 'buildFaultEngineConfig',
  control: 'buildControlConfig',
} as const;

export function requirePackSource(value: unknown, argument: string): asserts value is PackSource {
  requirePort(value, argument, PACK_SOURCE_MEMBERS, 'a PackSource');
}

/** An object whose relays, where present, are DigitalOutputs: a bad one would fail in the fail-safe. */
export function requireRelays(value: unknown, argument: string): asserts value is BmsRelays {
  requireObject(value, argument, `BmsRelays ({ ${Object.keys(RELAY_NAMES).join(', ')} }, each optional)`);
  for (const name of Object.keys(RELAY_NAMES)) {
    const relay: unknown = Reflect.get(value, name);
    if (relay !== undefined) requireDigitalOutput(relay, `${argument}.${name}`);
  }
}

/** An object whose feedback inputs, where present, are DigitalInputs: a bad one would fail in the first scan. */
export function requireContactorFeedback(
  value: unknown,
  argument: string,
): asserts value is ContactorFeedback {
  requireObject(
    value,
    argument,
    `ContactorFeedback ({ ${Object.keys(FEEDBACK_RELAYS).join(', ')} }, each optional)`,
  );
  for (const name of Object.keys(FEEDBACK_RELAYS)) {
    const input: unknown = Reflect.get(value, name);
    if (input !== undefined) requireDigitalInput(input, `${argument}.${name}`);
  }
}

/** The three library configurations as objects; their contents were checked by their builders. */
export function requireLibraryConfigs(value: unknown, argument: string): void {
  requireObject(value, argument, 'a BmsConfig ({ batteryModel, faultEngine, control })');
  for (const [name, builder] of Object.entries(LIBRARY_CONFIG_BUILDERS)) {
    requireObject(Reflect.get(value, name), `${argument}.${name}`, `the result of ${builder}()`);
  }
}

export function requireConfigSource(value: unknown, argument: string): void {
  requirePort(value, argument, CONFIG_SOURCE_MEMBERS, 'a ConfigSource');
}

/** null is the documented "nothing survives a restart"; undefined is a forgotten store. */
export function requireStateStoreOrNull(value: unknown, argument: string): void {
  if (value !== null) requirePort(value, argument, STATE_STORE_MEMBERS, 'a StateStore or null');
}

/** A list of lines for people, e.g. the core's notices. */
export function requireStringList(value: unknown, argument: string): void {
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw new InvalidArgumentError(argument, 'an array of strings', describeReceived(value));
  }
}

/** A list of callbacks, e.g. the supervisor's output factories. */
export function requireFunctionList(value: unknown, argument: string, expected: string): void {
  if (!Array.isArray(value)) {
    throw new InvalidArgumentError(argument, `an array of ${expected}s`, describeReceived(value));
  }
  value.forEach((item: unknown, index) => requireFunction(item, `${argument}[${index}]`, expected));
}
