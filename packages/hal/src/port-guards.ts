import { requirePort, type PortMembers } from './argument-guards';
import type { ByteLink } from './byte-link';
import type { CanBus } from './can-bus';
import type { Clock } from './clock';
import type { CurrentSource } from './current-source';
import type { DigitalInput } from './digital-input';
import type { DigitalOutput } from './digital-output';
import type { I2cBus } from './i2c-bus';
import type { Logger } from './logger';

/*
 * Guards for the ports this package defines, for the public constructors and factories that take
 * them: each throws InvalidArgumentError naming the argument. The member lists are exported so a
 * library can guard a port that extends one (a CanBus that can also `open()`).
 */

export const BYTE_LINK_MEMBERS: PortMembers = {
  data$: 'observable',
  events$: 'observable',
  write: 'function',
  close: 'function',
};
export const CAN_BUS_MEMBERS: PortMembers = {
  frames$: 'observable',
  events$: 'observable',
  send: 'function',
  close: 'function',
};
/** An RxJS scheduler (`now`, `schedule`): what every timer and operator of the libraries runs on. */
export const CLOCK_MEMBERS: PortMembers = { now: 'function', schedule: 'function' };
export const DIGITAL_OUTPUT_MEMBERS: PortMembers = { set: 'function' };
export const DIGITAL_INPUT_MEMBERS: PortMembers = { read: 'function' };
export const LOGGER_MEMBERS: PortMembers = { info: 'function', warn: 'function', error: 'function' };
export const CURRENT_SOURCE_MEMBERS: PortMembers = {
  current$: 'observable',
  counters: 'function',
  close: 'function',
};
export const I2C_BUS_MEMBERS: PortMembers = {
  readWord: 'function',
  writeWord: 'function',
  readBlock: 'function',
  writeBlock: 'function',
  read: 'function',
  write: 'function',
  close: 'function',
};

export function requireByteLink(value: unknown, argument: string): asserts value is ByteLink {
  requirePort(value, argument, BYTE_LINK_MEMBERS, 'a ByteLink');
}

export function requireCanBus(value: unknown, argument: string): asserts value is CanBus {
  requirePort(value, argument, CAN_BUS_MEMBERS, 'a CanBus');
}

export function requireClock(value: unknown, argument: string): asserts value is Clock {
  requirePort(value, argument, CLOCK_MEMBERS, 'a Clock');
}

export function requireDigitalOutput(value: unknown, argument: string): asserts value is DigitalOutput {
  requirePort(value, argument, DIGITAL_OUTPUT_MEMBERS, 'a DigitalOutput');
}

export function requireDigitalInput(value: unknown, argument: string): asserts value is DigitalInput {
  requirePort(value, argument, DIGITAL_INPUT_MEMBERS, 'a DigitalInput');
}

export function requireLogger(value: unknown, argument: string): asserts value is Logger {
  requirePort(value, argument, LOGGER_MEMBERS, 'a Logger');
}

export function requireI2cBus(value: unknown, argument: string): asserts value is I2cBus {
  requirePort(value, argument, I2C_BUS_MEMBERS, 'an I2cBus');
}

export function requireCurrentSource(value: unknown, argument: string): asserts value is CurrentSource {
  requirePort(value, argument, CURRENT_SOURCE_MEMBERS, 'a CurrentSource');
}
